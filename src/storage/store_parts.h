// One transaction's view of a database: every part of a store working on
// the same connection or transaction. `Parts` names a store's classes
// (Directory, Agenda, Bookings, Calendars, Accounts, Jobs, Residents); each
// is built on the transaction, and the calendars also on the agenda (the
// openings a calendar publishes are written through it). A store may answer
// the reads made together (agenda_rows, service_and_agenda) its own way, in a
// class of its own.
#pragma once

#include "storage/store.h"

namespace rdv {

// agenda_rows from the parts, one read after the other.
inline AgendaRows agenda_rows_of_parts(StoreReader& parts, const AgendaQuery& q) {
  AgendaRows rows;
  rows.openings = parts.agenda().openings_for_service(q.service_id, q.openings_window, q.agent_id);
  std::vector<Id> agents = agents_of(rows.openings);
  if (agents.empty()) return rows;
  rows.absences = parts.agenda().absences_of(agents, q.busy_window);
  rows.held = parts.bookings().holding_time(agents, q.busy_window);
  rows.busy_versions = parts.calendars().busy_versions(agents);
  return rows;
}

// A service's context from the parts, one read after the other.
inline std::optional<ServiceContext> service_context_of_parts(StoreReader& parts, Id service_id,
                                                              std::optional<Id> place_id) {
  std::optional<Service> service = parts.service(service_id);
  if (!service) return std::nullopt;
  std::optional<Organisation> organisation = parts.organisation(service->organisation_id);
  if (!organisation) return std::nullopt;  // a foreign key forbids it
  std::vector<Webhook> webhooks = parts.directory().webhooks_of(organisation->id);
  return ServiceContext{std::move(*service), std::move(*organisation),
                        place_id ? parts.place(*place_id) : std::nullopt, std::move(webhooks)};
}

// service_and_agenda from the parts, one read after the other.
inline ServiceAndAgenda service_and_agenda_of_parts(StoreReader& parts, Id service_id,
                                                    std::optional<Id> place_id,
                                                    const AgendaQuery& query) {
  return {service_context_of_parts(parts, service_id, place_id), agenda_rows_of_parts(parts, query),
          query.agent_id ? parts.agent(*query.agent_id) : std::nullopt};
}

// insert_counting_contact from the parts, one after the other.
inline CountedInsert insert_counting_contact_of_parts(StoreWriter& parts, const Booking& b,
                                                      Instant now) {
  int open =
      parts.bookings().open_of_contact(b.service_id, b.resident.email, b.resident.phone, now);
  return {parts.bookings().insert(b), open};
}

template <class Parts>
class PartsTransaction : public StoreWriter {
 public:
  template <class Transaction>
  explicit PartsTransaction(Transaction& tx)
      : directory_(tx),
        agenda_(tx),
        bookings_(tx),
        calendars_(tx, agenda_),
        accounts_(tx),
        jobs_(tx),
        residents_(tx) {}

  DirectoryWriter& directory() override { return directory_; }
  AgendaWriter& agenda() override { return agenda_; }
  BookingsWriter& bookings() override { return bookings_; }
  CalendarsWriter& calendars() override { return calendars_; }
  AccountsWriter& accounts() override { return accounts_; }
  JobsWriter& jobs() override { return jobs_; }
  ResidentAccessWriter& residents() override { return residents_; }
  AgendaRows agenda_rows(const AgendaQuery& query) override {
    return agenda_rows_of_parts(*this, query);
  }
  ServiceAndAgenda service_and_agenda(Id service_id, std::optional<Id> place_id,
                                      const AgendaQuery& query) override {
    return service_and_agenda_of_parts(*this, service_id, place_id, query);
  }
  CountedInsert insert_counting_contact(const Booking& b, Instant now) override {
    return insert_counting_contact_of_parts(*this, b, now);
  }

 private:
  typename Parts::Directory directory_;
  typename Parts::Agenda agenda_;
  typename Parts::Bookings bookings_;
  typename Parts::Calendars calendars_;
  typename Parts::Accounts accounts_;
  typename Parts::Jobs jobs_;
  typename Parts::Residents residents_;
};

}  // namespace rdv
