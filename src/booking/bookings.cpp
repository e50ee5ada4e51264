#include "booking/bookings.h"

#include "booking/agendas.h"
#include "booking/mandate.h"
#include "crypto/tokens.h"
#include "domain/contact.h"
#include "domain/error.h"
#include "domain/text.h"
#include "observe/metrics.h"
#include "storage/require.h"

namespace rdv {
namespace {

// The resident's contact, checked and normalised where it enters: the email
// reaches SMTP, the phone the SMS gateway (in E.164, national numbers read
// with the region of `zone_name`).
Resident checked_resident(Resident r, Mode mode, const std::string& zone_name) {
  auto required = [](const std::string& v, const char* field) {
    if (v.empty()) invalid_field(std::string("resident.") + field, "is required");
    check_text(v, TextKind::kSingleLine, std::string("resident.") + field);
  };
  required(r.first_name, "first_name");
  required(r.last_name, "last_name");
  if (r.email.empty() && r.phone.empty())
    invalid_field("resident.email", "or resident.phone is required");
  if (!r.email.empty()) r.email = checked_mailbox(r.email, "resident.email");
  if (!r.phone.empty())
    r.phone = checked_phone(r.phone, phone_region_of_zone(zone_name), "resident.phone");
  if (mode == Mode::kPhone && r.phone.empty())
    invalid_field("resident.phone", "is required for a phone appointment");
  return r;
}

std::string_view bookable_name(BookedBy by) {
  return by == BookedBy::kResident ? "public" : booked_by_name(by);
}

// The slots starting at `start`, and no other.
TimeRange starting_at(Instant start) { return {start, start + std::chrono::seconds{1}}; }

}  // namespace

Slot require_free_slot(StoreReader& store, const Service& service, Instant start, Mode mode,
                       std::optional<Id> agent_id, std::optional<Id> place_id, Instant now,
                       std::optional<Id> ignore_booking, std::optional<AgendaReadAhead> ahead) {
  SlotFilter filter;
  filter.mode = mode;
  filter.place_id = place_id;
  auto slots = find_slots(store, service, starting_at(start), now, filter, agent_id, ignore_booking,
                          std::move(ahead));
  for (const Slot& s : slots)
    if (s.start == start) return s;
  throw ClientError(ErrorCode::kSlotUnavailable, "this slot is not available any more");
}

BookingOutcome Bookings::book(const BookingRequest& req,
                              const std::optional<IdempotencyKey>& idempotency,
                              const Render& render) {
  BookingOutcome result;
  // Only a hash of the scoped key is stored.
  std::string key_hash = idempotency ? token_hash(idempotency->key) : "";
  store_.write([&](StoreWriter& tx) {
    Instant now = clock_.now();
    if (idempotency) {
      tx.bookings().purge_idempotency_keys(now - kIdempotencyWindow);
      if (auto previous = tx.bookings().idempotent(key_hash)) {
        if (previous->request_hash != idempotency->request_hash)
          throw ClientError(ErrorCode::kIdempotencyKeyReused,
                            "Idempotency-Key already used for another request");
        Booking b = require_booking(tx, previous->booking_id);
        result.response = render(tx, {b, links_.manage_token(b.id), tx.place(b.place_id)});
        result.replayed = true;
        return;
      }
    }
    // The service, its organisation, place and webhooks, the agenda around
    // the slot and the agent, in one read (one round trip on PostgreSQL when
    // the agent is named): the agenda read before the service's rules are
    // known, as wide as any service needs.
    AgendaQuery around =
        agenda_for_any_service(req.service_id, starting_at(req.start), req.agent_id);
    ServiceAndAgenda read = tx.service_and_agenda(req.service_id, req.place_id, around);
    ServiceContext context = found_or_404(std::move(read.context), "service");
    const Service& service = context.service;
    if (service.archived)
      throw ClientError(ErrorCode::kSlotUnavailable, "this service is no longer offered");
    if (!service.modes.has(req.mode))
      invalid_field("mode", std::string(mode_name(req.mode)) + " is not offered by this service");
    if (!service.bookable_by_has(bookable_name(req.booked_by)))
      throw ClientError(ErrorCode::kForbidden, "this service cannot be booked this way");
    const Organisation& org = context.organisation;
    if (req.mode == Mode::kVideo && org.video.provider == VideoProvider::kNone)
      invalid_field("mode", "video visits are not set up for this organisation yet");
    if (req.booked_by == BookedBy::kDesk && req.mandate_json.empty())
      invalid_field("mandate", "is required when a desk books on behalf of a visitor");
    std::string zone_name = org.timezone;
    const std::optional<Place>& place = context.place;
    if (place) zone_name = place->timezone;
    Resident resident = checked_resident(req.resident, req.mode, zone_name);
    if (auto m = Mandate::from_json(req.mandate_json); m && m->valid_until) {
      std::string today = format_local(to_local(now, date::locate_zone(zone_name))).substr(0, 10);
      if (*m->valid_until < today) invalid_field("mandate.valid_until", "is in the past");
    }
    Slot slot = require_free_slot(tx, service, req.start, req.mode, req.agent_id, req.place_id, now,
                                  std::nullopt, AgendaReadAhead{around, std::move(read.agenda)});
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
    b.booked_by_account_id = req.booked_by_account_id;
    b.resident = resident;
    b.mandate_json = req.mandate_json;
    b.notes = req.notes;
    b.created_at = now;
    b.updated_at = now;
    // Staff are not limited. The contact's open bookings are counted with
    // the insert (one round trip on PostgreSQL), which the refusal rolls back.
    const int limit = req.booked_by == BookedBy::kAgent ? 0 : limits_.open_bookings_per_contact;
    try {
      if (limit <= 0) {
        b.id = tx.bookings().insert(b);
      } else {
        CountedInsert counted = tx.insert_counting_contact(b, now);
        if (counted.open_of_contact >= limit)
          throw ClientError(ErrorCode::kTooManyBookings,
                            "this person already holds " + std::to_string(limit) +
                                " appointments for this service: cancel one before booking again");
        b.id = counted.id;
      }
    } catch (const SlotTakenError&) {
      throw ClientError(ErrorCode::kSlotUnavailable, "this slot is not available any more");
    }
    created.manage_token = links_.manage_token(b.id);
    created.place = place && place->id == b.place_id ? place : tx.place(b.place_id);
    plan_notifications(tx, notifications_, b, service, BookingEvent::kCreated, now,
                       {&context.webhooks, read.agent ? &*read.agent : nullptr});
    result.response = render(tx, created);
    if (idempotency)
      tx.bookings().save_idempotent(key_hash, {idempotency->request_hash, b.id}, now);
    result.booking = b;
  });
  if (result.booking) metrics::record_booking("created", booked_by_name(result.booking->booked_by));
  return result;
}

Booking Bookings::cancel(Id booking_id, Actor actor, const std::string& reason) {
  Booking b;
  store_.write([&](StoreWriter& tx) {
    b = require_booking(tx, booking_id);
    Instant now = clock_.now();
    Service service = require_service(tx, b.service_id);
    b.status = next_status(b, service, BookingAction::kCancel, actor, now);
    b.cancel_reason = reason;
    b.updated_at = now;
    ++b.sequence;
    tx.bookings().update(b);
    plan_notifications(tx, notifications_, b, service, BookingEvent::kCancelled, now);
  });
  metrics::record_booking("cancelled", booked_by_name(b.booked_by));
  return b;
}

Booking Bookings::reschedule(Id booking_id, Instant new_start, std::optional<Id> agent_id,
                             Actor actor) {
  Booking b;
  store_.write([&](StoreWriter& tx) {
    b = require_booking(tx, booking_id);
    Service service = require_service(tx, b.service_id);
    Instant now = clock_.now();
    next_status(b, service, BookingAction::kReschedule, actor, now);
    move_to_slot(tx, b, service, new_start, agent_id, now, BookingEvent::kRescheduled);
  });
  metrics::record_booking("moved", booked_by_name(b.booked_by));
  return b;
}

void Bookings::move_to_slot(StoreWriter& tx, Booking& b, const Service& service, Instant start,
                            std::optional<Id> agent_id, Instant now, BookingEvent event) {
  // Same mode and place; the booking's own time does not count against itself.
  Slot slot = require_free_slot(tx, service, start, b.mode, agent_id, b.place_id, now, b.id);
  b.start = slot.start;
  b.end = slot.end;
  b.agent_id = slot.agent_id;
  b.updated_at = now;
  ++b.sequence;
  try {
    tx.bookings().update(b);
  } catch (const SlotTakenError&) {
    throw ClientError(ErrorCode::kSlotUnavailable, "this slot is not available any more");
  }
  plan_notifications(tx, notifications_, b, service, event, now);
}

Booking Bookings::reassign(Id booking_id, Id agent_id) {
  Booking b;
  store_.write([&](StoreWriter& tx) {
    b = require_booking(tx, booking_id);
    Service service = require_service(tx, b.service_id);
    Instant now = clock_.now();
    next_status(b, service, BookingAction::kReassign, Actor::kStaff, now);
    if (agent_id == b.agent_id) invalid_field("agent_id", "the booking is this agent's already");
    move_to_slot(tx, b, service, b.start, agent_id, now, BookingEvent::kReassigned);
  });
  metrics::record_booking("moved", booked_by_name(b.booked_by));
  return b;
}

Booking Bookings::record_summary(Id booking_id, const std::string& summary) {
  Booking b;
  store_.write([&](StoreWriter& tx) {
    b = require_booking(tx, booking_id);
    Instant now = clock_.now();
    Service service = require_service(tx, b.service_id);
    b.status = next_status(b, service, BookingAction::kRecordSummary, Actor::kStaff, now);
    bool first = b.summary.empty();
    b.summary = summary;
    b.updated_at = now;
    tx.bookings().update(b);
    if (first) plan_notifications(tx, notifications_, b, service, BookingEvent::kSummary, now);
  });
  return b;
}

Booking Bookings::mark(Id booking_id, BookingStatus outcome) {
  if (outcome != BookingStatus::kDone && outcome != BookingStatus::kNoShow)
    invalid_field("status", "must be done or noshow");
  Booking b;
  store_.write([&](StoreWriter& tx) {
    b = require_booking(tx, booking_id);
    Instant now = clock_.now();
    b.status = next_status(
        b, require_service(tx, b.service_id),
        outcome == BookingStatus::kDone ? BookingAction::kMarkDone : BookingAction::kMarkNoShow,
        Actor::kStaff, now);
    b.updated_at = now;
    tx.bookings().update(b);
  });
  return b;
}

Booking Bookings::withdraw_mandate(Id booking_id) {
  Booking b;
  store_.write([&](StoreWriter& tx) {
    b = require_booking(tx, booking_id);
    auto m = Mandate::from_json(b.mandate_json);
    if (!m || m->withdrawn_at)
      throw ClientError(ErrorCode::kInvalidTransition, "this booking has no mandate in force");
    m->withdrawn_at = clock_.now();
    b.mandate_json = m->to_json();
    b.updated_at = clock_.now();
    tx.bookings().update(b);
  });
  return b;
}

Booking Bookings::stop_reminders(Id booking_id) {
  Booking b;
  store_.write([&](StoreWriter& tx) {
    b = require_booking(tx, booking_id);
    next_status(b, require_service(tx, b.service_id), BookingAction::kStopReminders,
                Actor::kResident, clock_.now());
    b.reminders_opt_out = true;
    tx.bookings().update(b);
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
    tx.bookings().update(b);
    // Only the day is kept with the answer: nothing leads back to the resident.
    Instant now = clock_.now();
    tx.bookings().insert_survey_answer(
        s.organisation_id, s.id, answer,
        format_local(to_local(now, date::locate_zone("Europe/Paris"))).substr(0, 10));
  });
}

}  // namespace rdv
