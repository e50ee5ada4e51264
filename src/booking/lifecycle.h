// A booking's life cycle, written once: which action may follow which status,
// when, and by whom. Every status but `cancelled` holds the booking's time
// (the database enforces that too), so an action out of order can never free
// a slot that someone still holds.
//
//   confirmed --cancel--------> cancelled   resident: until cancel_until_minutes before the
//                                           start; staff: until the start
//   confirmed --reschedule----> confirmed   same times as cancel
//   confirmed --reassign------> confirmed   staff (to a colleague), until the start
//   confirmed --summary-------> done        staff, once the visit has started
//   done      --summary-------> done        staff (the summary is corrected)
//   confirmed --mark done-----> done        staff, once the visit has started
//   noshow    --mark done-----> done        staff (a correction)
//   confirmed --mark no-show--> noshow      staff, once the visit has started
//   confirmed --stop reminders, add a document--> confirmed   resident, until the end
#pragma once

#include "domain/model.h"

namespace rdv {

enum class BookingAction {
  kCancel,
  kReschedule,
  kReassign,
  kRecordSummary,
  kMarkDone,
  kMarkNoShow,
  kStopReminders,
  kAddDocument,
};

// Who acts: the resident with the manage link, or staff allowed on the booking.
enum class Actor { kResident, kStaff };

// The status the booking has after `action`, or ClientError: 409
// kAlreadyCancelled for a cancelled booking, kCancellationClosed when a
// resident is too late, kInvalidTransition otherwise; 403 kForbidden when
// this kind of actor may never do it.
BookingStatus next_status(const Booking& b, const Service& s, BookingAction action, Actor actor,
                          Instant now);

// Whether next_status would allow it now (pages offer only what can be done).
bool allows(const Booking& b, const Service& s, BookingAction action, Actor actor, Instant now);

}  // namespace rdv
