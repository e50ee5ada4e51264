// Which messages and webhooks a booking event causes. They are written to
// the outbox (jobs) in the transaction of the change itself, so a change and
// its messages are never one without the other; the scheduler sends them.
#pragma once

#include <chrono>

#include "domain/events.h"
#include "domain/model.h"
#include "storage/store.h"

namespace rdv {

struct NotificationPolicy {
  bool email = false;                           // an SMTP server is configured
  bool sms = false;                             // an SMS gateway is configured
  std::chrono::minutes after_visit_delay{120};  // survey and offer to book again
};

// kOpeningLost: the agent's calendar no longer holds the opening of this booking.
enum class BookingEvent {
  kCreated,
  kCancelled,
  kRescheduled,
  kReassigned,  // to another agent: same time, same place
  kSummary,
  kOpeningLost,
};

// What a caller has read already (a new booking, with its service), so that
// planning does not read it again; what is missing is read here.
struct ReadAlready {
  const std::vector<Webhook>* webhooks = nullptr;  // of the booking's organisation
  const Agent* agent = nullptr;                    // the booking's agent
};

// Job payloads name the message event, the audience and, for timed messages,
// the start they were planned for (see domain/events.h for the names).
// `service` is the booking's, which the caller has read already.
void plan_notifications(StoreWriter& tx, const NotificationPolicy& policy, const Booking& b,
                        const Service& service, BookingEvent event, Instant now,
                        const ReadAlready& read = {});

}  // namespace rdv
