// Storage behind one interface, so the booking rules are the same on SQLite and
// PostgreSQL. All work happens in a transaction: `read` sees one snapshot;
// `write` is serialised with every other write to the same database and commits
// when the function returns (rolls back when it throws).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "domain/model.h"
#include "domain/time.h"
#include "storage/accounts_store.h"
#include "storage/directory_store.h"
#include "storage/jobs_store.h"
#include "storage/resident_access_store.h"

namespace rdv {

// A booking made under an Idempotency-Key. No answer is kept (it would hold
// the manage token and personal data): a replay renders the booking again.
struct IdempotentBooking {
  std::string request_hash;
  Id booking_id = 0;
};

class StoreReader {
 public:
  virtual ~StoreReader() = default;

  virtual std::optional<Organisation> organisation(Id id) = 0;
  virtual std::optional<Place> place(Id id) = 0;
  virtual std::optional<Service> service(Id id) = 0;
  virtual std::optional<Agent> agent(Id id) = 0;
  virtual std::optional<Booking> booking(Id id) = 0;
  virtual AccountsReader& accounts() = 0;
  virtual DirectoryReader& directory() = 0;
  virtual JobsReader& jobs() = 0;
  virtual ResidentAccessReader& residents() = 0;
  virtual bool is_empty() = 0;  // no organisation yet

  // Openings offering `service_id` that may have an occurrence in `window`,
  // of agents whose account is not deactivated (someone who left offers
  // nothing).
  virtual std::vector<Opening> openings_for_service(Id service_id, TimeRange window,
                                                    std::optional<Id> agent_id) = 0;
  // Absences of these agents that may have an occurrence in `window`.
  virtual std::vector<Absence> absences_of(const std::vector<Id>& agent_ids, TimeRange window) = 0;
  // Bookings holding time (every status but cancelled) of these agents whose
  // blocked time touches `window`.
  virtual std::vector<Booking> bookings_of(const std::vector<Id>& agent_ids, TimeRange window) = 0;
  // Services whose folded text contains every term, optionally offering `mode`.
  virtual std::vector<Service> search_services(const std::vector<std::string>& terms,
                                               std::optional<Mode> mode, size_t limit) = 0;
  // Places where some opening offers the service; postcode_prefix "" for all.
  virtual std::vector<Place> places_offering(Id service_id, const std::string& postcode_prefix) = 0;
  // `key_hash`: SHA-256 of the client-scoped Idempotency-Key.
  virtual std::optional<IdempotentBooking> idempotent_booking(const std::string& key_hash) = 0;
  // Bookings holding time (not cancelled, not yet over at `now`) of this
  // service whose resident has this email or this phone ("" matches nothing).
  virtual int open_bookings_of_contact(Id service_id, const std::string& email,
                                       const std::string& phone, Instant now) = 0;

  // An agent's bookings starting in the window, cancelled ones too when asked.
  virtual std::vector<Booking> agent_bookings(Id agent_id, TimeRange window,
                                              bool include_cancelled) = 0;
  // Openings an agent published here (not those read from their own calendar)
  // that may have an occurrence in the window.
  virtual std::vector<Opening> agent_openings(Id agent_id, TimeRange window) = 0;
  virtual std::vector<Place> places_of(const std::vector<Id>& organisation_ids) = 0;
  virtual std::vector<Service> services_of(const std::vector<Id>& organisation_ids) = 0;

  virtual std::optional<ExternalCalendar> calendar(Id id) = 0;
  virtual std::vector<ExternalCalendar> agent_calendars(Id agent_id) = 0;
  virtual std::vector<Id> calendars_due(Instant now, size_t limit) = 0;
  // Busy time read from external calendars, per agent, touching the window.
  virtual std::vector<std::pair<Id, TimeRange>> calendar_busy_of(const std::vector<Id>& agent_ids,
                                                                 TimeRange window) = 0;

  virtual std::optional<std::string> setting(const std::string& name) = 0;
  virtual std::vector<Document> documents_of(Id booking_id) = 0;
  virtual std::vector<Webhook> webhooks_of(Id organisation_id) = 0;
  virtual std::vector<SurveyStats> survey_stats(Id organisation_id) = 0;
};

class StoreWriter : public StoreReader {
 public:
  AccountsWriter& accounts() override = 0;
  DirectoryWriter& directory() override = 0;
  JobsWriter& jobs() override = 0;
  ResidentAccessWriter& residents() override = 0;
  virtual Id insert_organisation(const Organisation& o) = 0;
  virtual Id insert_place(const Place& p) = 0;
  virtual Id insert_service(const Service& s) = 0;
  virtual Id insert_agent(const Agent& a) = 0;
  virtual Id insert_opening(const Opening& o) = 0;
  virtual Id insert_absence(const Absence& a) = 0;
  // Everything but the agent (and an opening's calendar).
  virtual void update_opening(const Opening& o) = 0;
  virtual void update_absence(const Absence& a) = 0;
  // Throws SlotTakenError when the database refuses an overlap (last line of defence).
  virtual Id insert_booking(const Booking& b) = 0;
  // Saves status, times, agent, cancel reason, notes, summary, flags and mandate of a booking.
  virtual void update_booking(const Booking& b) = 0;
  virtual void save_idempotent_booking(const std::string& key_hash, const IdempotentBooking& b,
                                       Instant now) = 0;
  virtual void purge_idempotency_keys(Instant older_than) = 0;

  virtual void update_agent_ics_secret(Id agent_id, const std::string& secret) = 0;
  virtual Id insert_calendar(const ExternalCalendar& c) = 0;
  // Saves what a fetch changed: validators, content, status, next fetch.
  virtual void save_calendar_fetch(const ExternalCalendar& c) = 0;
  // Removes the calendar with its busy time and the openings it made.
  virtual void delete_calendar(Id calendar_id) = 0;
  // A new url or purpose: what was fetched (content, etag) is forgotten and
  // the calendar is due at once.
  virtual void update_calendar_source(const ExternalCalendar& c) = 0;
  virtual void replace_calendar_busy(Id calendar_id, Id agent_id,
                                     const std::vector<TimeRange>& busy) = 0;
  virtual void replace_calendar_openings(Id calendar_id, const std::vector<Opening>& openings) = 0;

  // Stores `value` under `name` unless a value is there; returns the stored one.
  virtual std::string ensure_setting(const std::string& name, const std::string& value) = 0;
  virtual Id insert_webhook(const Webhook& w, Instant now) = 0;
  virtual void update_webhook(const Webhook& w) = 0;  // url, secret, events
  virtual void update_organisation_video(Id organisation_id, const VideoSettings& v) = 0;
  virtual Id insert_document(const Document& d) = 0;
  // RGPD: deletes bookings that ended before `ended_before`, with their
  // documents' rows; returns those documents so that their files go too.
  virtual std::vector<Document> delete_bookings_ended_before(Instant ended_before) = 0;
  // Clears the resident's data (and documents' rows) of bookings cancelled
  // before `cancelled_before`; returns the documents.
  virtual std::vector<Document> anonymise_cancelled_before(Instant cancelled_before) = 0;
  virtual void insert_survey_answer(Id organisation_id, Id service_id, const SurveyAnswer& a,
                                    const std::string& day) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual void read(const std::function<void(StoreReader&)>& work) = 0;
  virtual void write(const std::function<void(StoreWriter&)>& work) = 0;
  virtual bool healthy() = 0;
};

// Raised by a store when its own constraints find a double booking.
struct SlotTakenError : std::runtime_error {
  SlotTakenError() : std::runtime_error("slot taken") {}
};

}  // namespace rdv
