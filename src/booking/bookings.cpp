#include "booking/bookings.h"

#include "booking/agendas.h"
#include "domain/error.h"
#include "storage/require.h"

namespace rdv {
namespace {

void check_resident(const Resident& r, Mode mode) {
  auto required = [](const std::string& v, const char* field) {
    if (v.empty())
      throw ClientError(ErrorCode::kInvalidInput,
                        std::string("resident.") + field + " is required");
  };
  required(r.first_name, "first_name");
  required(r.last_name, "last_name");
  if (r.email.empty() && r.phone.empty())
    throw ClientError(ErrorCode::kInvalidInput, "resident.email or resident.phone is required");
  if (!r.email.empty() &&
      (r.email.find('@') == std::string::npos || r.email.front() == '@' || r.email.back() == '@'))
    throw ClientError(ErrorCode::kInvalidInput, "resident.email is not an email address");
  if (mode == Mode::kPhone && r.phone.empty())
    throw ClientError(ErrorCode::kInvalidInput,
                      "resident.phone is required for a phone appointment");
}

// Residents may change a booking only until cancel_until_minutes before it.
void check_resident_may_change(const Booking& b, const Service& s, Instant now) {
  if (now > b.start - Minutes{s.cancel_until_minutes})
    throw ClientError(ErrorCode::kCancellationClosed,
                      "this appointment can no longer be changed online; please call the service");
}

}  // namespace

Slot require_free_slot(StoreReader& store, const Service& service, Instant start, Mode mode,
                       std::optional<Id> agent_id, std::optional<Id> place_id, Instant now,
                       std::optional<Id> ignore_booking) {
  SlotFilter filter;
  filter.mode = mode;
  filter.place_id = place_id;
  auto slots = find_slots(store, service, {start, start + std::chrono::seconds{1}}, now, filter,
                          agent_id, ignore_booking);
  for (const Slot& s : slots)
    if (s.start == start) return s;
  throw ClientError(ErrorCode::kSlotUnavailable, "this slot is not available any more");
}

BookingOutcome Bookings::book(const BookingRequest& req,
                              const std::optional<IdempotencyKey>& idempotency,
                              const Render& render) {
  BookingOutcome result;
  store_.write([&](StoreWriter& tx) {
    Instant now = clock_.now();
    if (idempotency) {
      tx.purge_idempotent_responses(now - kIdempotencyWindow);
      if (auto previous = tx.idempotent_response(idempotency->key)) {
        if (previous->request_hash != idempotency->request_hash)
          throw ClientError(ErrorCode::kIdempotencyKeyReused,
                            "Idempotency-Key already used for another request");
        result.response = *previous;
        result.replayed = true;
        return;
      }
    }
    Service service = require_service(tx, req.service_id);
    if (!service.modes.has(req.mode))
      throw ClientError(ErrorCode::kInvalidInput, "mode " + std::string(mode_name(req.mode)) +
                                                      " is not offered by this service");
    if (!service.bookable_by_has(req.booked_by == "resident" ? "public" : req.booked_by))
      throw ClientError(ErrorCode::kForbidden, "this service cannot be booked this way");
    if (req.mode == Mode::kVideo) {
      auto org = tx.organisation(service.organisation_id);
      if (!org || org->video.provider == "none")
        throw ClientError(ErrorCode::kInvalidInput,
                          "video visits are not set up for this organisation yet");
    }
    if (req.booked_by == "desk" && req.mandate_json.empty())
      throw ClientError(ErrorCode::kInvalidInput,
                        "mandate is required when a desk books on behalf of a visitor");
    check_resident(req.resident, req.mode);

    Slot slot =
        require_free_slot(tx, service, req.start, req.mode, req.agent_id, req.place_id, now);
    CreatedBooking created;
    Booking& b = created.booking;
    b.service_id = service.id;
    b.agent_id = slot.agent_id;
    b.place_id = slot.place_id;
    b.mode = req.mode;
    b.start = slot.start;
    b.end = slot.end;
    b.buffer_before = Minutes{service.buffer_before_minutes};
    b.buffer_after = Minutes{service.buffer_after_minutes};
    b.capacity = service.capacity;
    b.booked_by = req.booked_by;
    b.resident = req.resident;
    b.mandate_json = req.mandate_json;
    b.notes = req.notes;
    b.created_at = now;
    b.updated_at = now;
    try {
      b.id = tx.insert_booking(b);
    } catch (const SlotTakenError&) {
      throw ClientError(ErrorCode::kSlotUnavailable, "this slot is not available any more");
    }
    created.manage_token = links_.manage_token(b.id);
    plan_notifications(tx, notifications_, b, BookingEvent::kCreated, now);
    result.response = render(tx, created);
    if (idempotency) {
      result.response.request_hash = idempotency->request_hash;
      tx.save_idempotent_response(idempotency->key, result.response, now);
    }
    result.booking = b;
  });
  return result;
}

Booking Bookings::cancel(Id booking_id, bool by_resident, const std::string& reason) {
  Booking b;
  store_.write([&](StoreWriter& tx) {
    b = require_booking(tx, booking_id);
    if (b.status != BookingStatus::kConfirmed)
      throw ClientError(ErrorCode::kAlreadyCancelled, "this booking is not active any more");
    if (by_resident) check_resident_may_change(b, require_service(tx, b.service_id), clock_.now());
    b.status = BookingStatus::kCancelled;
    b.cancel_reason = reason;
    b.updated_at = clock_.now();
    ++b.sequence;
    tx.update_booking(b);
    plan_notifications(tx, notifications_, b, BookingEvent::kCancelled, b.updated_at);
  });
  return b;
}

Booking Bookings::reschedule(Id booking_id, Instant new_start, std::optional<Id> agent_id,
                             bool by_resident) {
  Booking b;
  store_.write([&](StoreWriter& tx) {
    b = require_booking(tx, booking_id);
    if (b.status != BookingStatus::kConfirmed)
      throw ClientError(ErrorCode::kAlreadyCancelled, "this booking is not active any more");
    Service service = require_service(tx, b.service_id);
    Instant now = clock_.now();
    if (by_resident) check_resident_may_change(b, service, now);
    // Same mode and place; the booking's own time does not count against itself.
    Slot slot = require_free_slot(tx, service, new_start, b.mode, agent_id, b.place_id, now, b.id);
    b.start = slot.start;
    b.end = slot.end;
    b.agent_id = slot.agent_id;
    b.updated_at = now;
    ++b.sequence;
    try {
      tx.update_booking(b);
    } catch (const SlotTakenError&) {
      throw ClientError(ErrorCode::kSlotUnavailable, "this slot is not available any more");
    }
    plan_notifications(tx, notifications_, b, BookingEvent::kRescheduled, now);
  });
  return b;
}

Booking Bookings::record_summary(Id booking_id, const std::string& summary) {
  Booking b;
  store_.write([&](StoreWriter& tx) {
    b = require_booking(tx, booking_id);
    if (b.status == BookingStatus::kCancelled)
      throw ClientError(ErrorCode::kAlreadyCancelled, "this booking was cancelled");
    bool first = b.summary.empty();
    b.summary = summary;
    b.status = BookingStatus::kDone;
    b.updated_at = clock_.now();
    tx.update_booking(b);
    if (first) plan_notifications(tx, notifications_, b, BookingEvent::kSummary, b.updated_at);
  });
  return b;
}

Booking Bookings::stop_reminders(Id booking_id) {
  Booking b;
  store_.write([&](StoreWriter& tx) {
    b = require_booking(tx, booking_id);
    b.reminders_opt_out = true;
    tx.update_booking(b);
  });
  return b;
}

void Bookings::answer_survey(Id booking_id, const SurveyAnswer& answer) {
  if (answer.rating < 1 || answer.rating > 5)
    throw ClientError(ErrorCode::kInvalidInput, "rating must be between 1 and 5");
  if (answer.comment.size() > 2000)
    throw ClientError(ErrorCode::kInvalidInput, "comment is too long (at most 2000 bytes)");
  store_.write([&](StoreWriter& tx) {
    Booking b = require_booking(tx, booking_id);
    if (b.survey_answered)
      throw ClientError(ErrorCode::kAlreadyAnswered, "this survey was already answered");
    Service s = require_service(tx, b.service_id);
    b.survey_answered = true;
    tx.update_booking(b);
    // Only the day is kept with the answer: nothing leads back to the resident.
    Instant now = clock_.now();
    tx.insert_survey_answer(
        s.organisation_id, s.id, answer,
        format_local(to_local(now, date::locate_zone("Europe/Paris"))).substr(0, 10));
  });
}

}  // namespace rdv
