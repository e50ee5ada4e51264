#include "booking/lifecycle.h"

#include <algorithm>
#include <initializer_list>

#include "domain/error.h"

namespace rdv {
namespace {

// When, relative to the visit, an action is possible.
enum class When {
  kBeforeResidentDeadline,  // residents: until cancel_until_minutes before the start;
                            // staff: until the start
  kAfterStart,              // once the visit has started
  kBeforeEnd,               // until the visit ends
};

struct Transition {
  BookingAction action;
  std::initializer_list<BookingStatus> from;
  std::initializer_list<Actor> actors;
  When when;
  std::optional<BookingStatus> to;  // nullopt: the status does not change
};

using S = BookingStatus;
const Transition kTransitions[] = {
    {BookingAction::kCancel,
     {S::kConfirmed},
     {Actor::kResident, Actor::kStaff},
     When::kBeforeResidentDeadline,
     S::kCancelled},
    {BookingAction::kReschedule,
     {S::kConfirmed},
     {Actor::kResident, Actor::kStaff},
     When::kBeforeResidentDeadline,
     std::nullopt},
    {BookingAction::kReassign,
     {S::kConfirmed},
     {Actor::kStaff},
     When::kBeforeResidentDeadline,
     std::nullopt},
    {BookingAction::kRecordSummary,
     {S::kConfirmed, S::kDone},
     {Actor::kStaff},
     When::kAfterStart,
     S::kDone},
    {BookingAction::kMarkDone,
     {S::kConfirmed, S::kNoShow},
     {Actor::kStaff},
     When::kAfterStart,
     S::kDone},
    {BookingAction::kMarkNoShow, {S::kConfirmed}, {Actor::kStaff}, When::kAfterStart, S::kNoShow},
    {BookingAction::kStopReminders,
     {S::kConfirmed},
     {Actor::kResident, Actor::kStaff},
     When::kBeforeEnd,
     std::nullopt},
    {BookingAction::kAddDocument,
     {S::kConfirmed},
     {Actor::kResident},
     When::kBeforeEnd,
     std::nullopt},
};

template <typename T>
bool among(std::initializer_list<T> list, T value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

BookingStatus next_status(const Booking& b, const Service& s, BookingAction action, Actor actor,
                          Instant now) {
  const Transition& t = *std::find_if(std::begin(kTransitions), std::end(kTransitions),
                                      [&](const Transition& t) { return t.action == action; });
  if (!among(t.actors, actor))
    throw ClientError(ErrorCode::kForbidden, actor == Actor::kResident
                                                 ? "only the staff of the service may do this"
                                                 : "only the resident may do this");
  if (!among(t.from, b.status)) {
    if (b.status == BookingStatus::kCancelled)
      throw ClientError(ErrorCode::kAlreadyCancelled, "this booking was cancelled");
    throw ClientError(ErrorCode::kInvalidTransition, "this booking is " +
                                                         std::string(status_name(b.status)) +
                                                         ": this is not possible any more");
  }
  switch (t.when) {
    case When::kBeforeResidentDeadline:
      if (actor == Actor::kResident && now > b.start - Minutes{s.cancel_until_minutes})
        throw ClientError(ErrorCode::kCancellationClosed,
                          "this appointment can no longer be changed online; please call the "
                          "service");
      if (now >= b.start)
        throw ClientError(ErrorCode::kInvalidTransition,
                          "this appointment has started: mark it done or no-show instead");
      break;
    case When::kAfterStart:
      if (now < b.start)
        throw ClientError(ErrorCode::kInvalidTransition, "not before the appointment has started");
      break;
    case When::kBeforeEnd:
      if (now >= b.end)
        throw ClientError(ErrorCode::kInvalidTransition, "this appointment is over");
      break;
  }
  return t.to.value_or(b.status);
}

bool allows(const Booking& b, const Service& s, BookingAction action, Actor actor, Instant now) {
  try {
    next_status(b, s, action, actor, now);
    return true;
  } catch (const ClientError&) {
    return false;
  }
}

}  // namespace rdv
