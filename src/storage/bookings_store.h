// Bookings and what hangs on them (idempotency keys, documents, the
// satisfaction survey's answers): a part of the store split by kind of data
// (see StoreReader::bookings()).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/model.h"
#include "domain/time.h"

namespace rdv {

// A booking made under an Idempotency-Key. No answer is kept (it would hold
// the manage token and personal data): a replay renders the booking again.
struct IdempotentBooking {
  std::string request_hash;
  Id booking_id = 0;
};

// Bookings by start time then id; a page continues after (start, id).
struct BookingFilter {
  std::optional<Id> agent_id, organisation_id, booked_by_account_id, service_id, place_id;
  std::optional<BookingStatus> status;
  std::optional<Instant> from, to;  // start in [from, to)
  std::optional<std::pair<Instant, Id>> after;
  size_t limit = 100;
};

// How many bookings of a service, with this status, made through this
// channel: statistics without anybody's identity.
struct BookingCount {
  Id service_id = 0;
  BookingStatus status = BookingStatus::kConfirmed;
  BookedBy booked_by = BookedBy::kResident;
  int count = 0;
};

class BookingsReader {
 public:
  virtual ~BookingsReader() = default;

  virtual std::optional<Booking> find(Id id) = 0;
  // Bookings holding time (every status but cancelled) of these agents whose
  // blocked time touches `window`.
  virtual std::vector<HeldTime> holding_time(const std::vector<Id>& agent_ids,
                                             TimeRange window) = 0;
  // An agent's bookings starting in the window, cancelled ones too when asked.
  virtual std::vector<Booking> of_agent(Id agent_id, TimeRange window, bool include_cancelled) = 0;
  virtual std::vector<Booking> list(const BookingFilter& filter) = 0;
  // How many bookings (any status) name this service.
  virtual int count_of_service(Id service_id) = 0;
  // Every booking of a resident: this email (whatever its case) or this phone ("" matches nothing).
  virtual std::vector<Booking> of_contact(const std::string& email, const std::string& phone) = 0;
  // Bookings holding time (not cancelled, not yet over at `now`) of this
  // service whose resident has this email or this phone ("" matches nothing).
  virtual int open_of_contact(Id service_id, const std::string& email, const std::string& phone,
                              Instant now) = 0;
  // The organisation's bookings made (created) in `made`, counted by
  // service, status and channel in one query.
  virtual std::vector<BookingCount> counts(Id organisation_id, TimeRange made) = 0;
  // `key_hash`: SHA-256 of the client-scoped Idempotency-Key.
  virtual std::optional<IdempotentBooking> idempotent(const std::string& key_hash) = 0;
  virtual std::vector<Document> documents_of(Id booking_id) = 0;
  virtual std::vector<SurveyStats> survey_stats(Id organisation_id) = 0;
};

class BookingsWriter : public BookingsReader {
 public:
  // Throws SlotTakenError when the database refuses an overlap (last line of defence).
  virtual Id insert(const Booking& b) = 0;
  // Saves status, times, agent, cancel reason, notes, summary, flags and mandate of a booking.
  virtual void update(const Booking& b) = 0;
  virtual void save_idempotent(const std::string& key_hash, const IdempotentBooking& b,
                               Instant now) = 0;
  virtual void purge_idempotency_keys(Instant older_than) = 0;
  virtual Id insert_document(const Document& d) = 0;
  // Clears the resident's data of a booking (names, contact, notes, mandate,
  // summary) and removes its documents' rows (read them first with
  // documents_of: their files go too).
  virtual void anonymise(Id booking_id) = 0;
  // The procedure is over: the mandates' details go, who booked and when stay.
  virtual void clear_mandates_ended_before(Instant ended_before) = 0;
  // RGPD: deletes bookings that ended before `ended_before`, with their
  // documents' rows; returns those documents so that their files go too.
  virtual std::vector<Document> delete_ended_before(Instant ended_before) = 0;
  // Clears the resident's data (and documents' rows) of bookings cancelled
  // before `cancelled_before`; returns the documents.
  virtual std::vector<Document> anonymise_cancelled_before(Instant cancelled_before) = 0;
  virtual void insert_survey_answer(Id organisation_id, Id service_id, const SurveyAnswer& a,
                                    const std::string& day) = 0;
};

}  // namespace rdv
