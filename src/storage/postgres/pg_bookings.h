// Bookings, idempotency keys, documents and survey answers on PostgreSQL.
#pragma once

#include <pqxx/pqxx>

#include "storage/bookings_store.h"
#include "storage/postgres/statements.h"

namespace rdv {

class PgBookings final : public BookingsWriter {
 public:
  explicit PgBookings(pqxx::dbtransaction& tx) : tx_(tx) {}

  std::optional<Booking> find(Id id) override;
  std::vector<HeldTime> holding_time(const std::vector<Id>& agent_ids, TimeRange window) override;
  // The same, added to a batch (PostgresStore's agenda_rows and service_and_agenda).
  static postgres::Pending<std::vector<HeldTime>> holding_time(postgres::Batch& batch,
                                                               const std::vector<Id>& agent_ids,
                                                               TimeRange window);
  std::vector<Booking> of_agent(Id agent_id, TimeRange window, bool include_cancelled) override;
  std::vector<Booking> list(const BookingFilter& filter) override;
  int count_of_service(Id service_id) override;
  std::vector<Booking> of_contact(const std::string& email, const std::string& phone) override;
  int open_of_contact(Id service_id, const std::string& email, const std::string& phone,
                      Instant now) override;
  static postgres::Pending<int> open_of_contact(postgres::Batch& batch, Id service_id,
                                                const std::string& email, const std::string& phone,
                                                Instant now);
  std::vector<BookingCount> counts(Id organisation_id, TimeRange made) override;
  std::optional<IdempotentBooking> idempotent(const std::string& key_hash) override;
  std::vector<Document> documents_of(Id booking_id) override;
  std::vector<SurveyStats> survey_stats(Id organisation_id) override;

  // Both throw SlotTakenError when the exclusion constraint or the group
  // session's capacity refuses the booking.
  Id insert(const Booking& b) override;
  // The insert added to a batch (PostgresStore's insert_counting_contact),
  // and its id once the batch has run, SlotTakenError translated.
  static postgres::Pending<Id> insert(postgres::Batch& batch, const Booking& b);
  static Id inserted_id(postgres::Pending<Id> inserted);
  void update(const Booking& b) override;
  void save_idempotent(const std::string& key_hash, const IdempotentBooking& b,
                       Instant now) override;
  void purge_idempotency_keys(Instant older_than) override;
  Id insert_document(const Document& d) override;
  void anonymise(Id booking_id) override;
  void clear_mandates_ended_before(Instant ended_before) override;
  std::vector<Document> delete_ended_before(Instant ended_before) override;
  std::vector<Document> anonymise_cancelled_before(Instant cancelled_before) override;
  void insert_survey_answer(Id organisation_id, Id service_id, const SurveyAnswer& a,
                            const std::string& day) override;

 private:
  postgres::Statements tx_;
};

}  // namespace rdv
