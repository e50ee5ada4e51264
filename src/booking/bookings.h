// The booking use cases: book (for oneself, or on behalf at a desk), cancel,
// reschedule. Each runs in one write transaction, so the check that a slot is
// free and the write that takes it cannot be separated by another request.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "availability/free_slots.h"
#include "booking/agendas.h"
#include "booking/lifecycle.h"
#include "booking/notifications.h"
#include "crypto/link_tokens.h"
#include "domain/clock.h"
#include "domain/model.h"
#include "storage/store.h"

namespace rdv {

struct BookingRequest {
  Id service_id = 0;
  Instant start;
  Mode mode = Mode::kInPerson;
  std::optional<Id> agent_id;
  std::optional<Id> place_id;
  Resident resident;
  BookedBy booked_by = BookedBy::kResident;
  std::optional<Id> booked_by_account_id;  // the staff member booking, if any
  std::string mandate_json;                // required when a desk books on behalf
  std::string notes;
};

// How long an Idempotency-Key is remembered.
inline constexpr std::chrono::hours kIdempotencyWindow{24};

struct IdempotencyKey {
  std::string key;           // scoped by the caller (a user, or the client's address)
  std::string request_hash;  // of the request body: a reused key with another body is refused
};

// What the caller answers for a booking, rendered in the booking's transaction.
struct BookingAnswer {
  int status = 0;
  std::string body;
};

struct CreatedBooking {
  Booking booking;
  std::string manage_token;    // signed, so messages can carry it again
  std::optional<Place> place;  // the booking's, already read: the answer's time zone
};

// The answer, and whether it replays an earlier booking made under the same
// idempotency key (rendered again from the booking: no answer is stored).
struct BookingOutcome {
  BookingAnswer response;
  bool replayed = false;
  std::optional<Booking> booking;  // set when a booking was made by this call
};

// Bounds on what one person may hold, against abuse by anonymous clients.
struct BookingLimits {
  // Bookings not cancelled and not over, per service, for one email or phone
  // (residents and desks; staff bookings are not counted against it). 0: none.
  int open_bookings_per_contact = 3;
};

class Bookings {
 public:
  Bookings(Store& store, const Clock& clock, const LinkSigner& links,
           NotificationPolicy notifications = {}, BookingLimits limits = {})
      : store_(store),
        clock_(clock),
        links_(links),
        notifications_(notifications),
        limits_(limits) {}

  using Render = std::function<BookingAnswer(StoreReader&, const CreatedBooking&)>;

  // Books the slot and renders the answer, or replays the answer stored under
  // `idempotency` for the same request.
  BookingOutcome book(const BookingRequest& request,
                      const std::optional<IdempotencyKey>& idempotency, const Render& render);

  // Each change follows the life cycle (booking/lifecycle.h): `actor` says
  // whose rules apply (the resident's cancel_until_minutes, staff's).
  Booking cancel(Id booking_id, Actor actor, const std::string& reason);
  // Moves a booking; the old slot is freed only if the new one is taken.
  Booking reschedule(Id booking_id, Instant new_start, std::optional<Id> agent_id, Actor actor);
  // Gives a booking to a colleague who is free and open for it at the same
  // time, place and mode (an agent leaving, a long absence); the resident's
  // appointment does not change, so only the new agent is told.
  Booking reassign(Id booking_id, Id agent_id);
  // The agent's written summary of the visit, once it has started; the
  // booking is done and the resident gets it with the survey.
  Booking record_summary(Id booking_id, const std::string& summary);
  // The visit took place (kDone) or the resident did not come (kNoShow).
  Booking mark(Id booking_id, BookingStatus outcome);
  // The visitor withdraws the mandate given to a desk (409 without one, or twice).
  Booking withdraw_mandate(Id booking_id);
  // The resident wants no more reminders for this booking.
  Booking stop_reminders(Id booking_id);
  // The survey, answered once; the answer is stored apart from the booking.
  void answer_survey(Id booking_id, const SurveyAnswer& answer);

 private:
  // Takes the free slot at `start` (of `agent_id`, or any agent) for the
  // booking, the old one freed in the same transaction, and tells who must know.
  void move_to_slot(StoreWriter& tx, Booking& b, const Service& service, Instant start,
                    std::optional<Id> agent_id, Instant now, BookingEvent event);

  Store& store_;
  const Clock& clock_;
  const LinkSigner& links_;
  NotificationPolicy notifications_;
  BookingLimits limits_;
};

// The slot starting exactly at `start` for the request, or ClientError kSlotUnavailable.
// `ahead`: rows read with the service (find_slots).
Slot require_free_slot(StoreReader& store, const Service& service, Instant start, Mode mode,
                       std::optional<Id> agent_id, std::optional<Id> place_id, Instant now,
                       std::optional<Id> ignore_booking = std::nullopt,
                       std::optional<AgendaReadAhead> ahead = std::nullopt);

}  // namespace rdv
