// Which messages and webhooks a booking event causes. They are written to
// the outbox (jobs) in the transaction of the change itself, so a change and
// its messages are never one without the other; the scheduler sends them.
#pragma once

#include <chrono>

#include "domain/model.h"
#include "storage/store.h"

namespace rdv {

struct NotificationPolicy {
  bool email = false;                           // an SMTP server is configured
  bool sms = false;                             // an SMS gateway is configured
  std::chrono::minutes after_visit_delay{120};  // survey and offer to book again
};

// kOpeningLost: the agent's calendar no longer holds the opening of this booking.
enum class BookingEvent { kCreated, kCancelled, kRescheduled, kSummary, kOpeningLost };

// Job payloads name the event ("confirmation", "reminder"...), the audience
// (resident or agent) and, for timed messages, the start they were planned for.
void plan_notifications(StoreWriter& tx, const NotificationPolicy& policy, const Booking& b,
                        BookingEvent event, Instant now);

// Webhook event names, as organisations subscribe to them.
inline constexpr const char* kWebhookEvents[] = {"booking.created", "booking.cancelled",
                                                 "booking.rescheduled", "booking.done"};

}  // namespace rdv
