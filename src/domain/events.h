// The names of what happens to a booking, as messages and webhooks carry them
// (job payloads, webhook subscriptions): one enum and one name table each.
#pragma once

#include <optional>
#include <string_view>

namespace rdv {

// A message to a resident or an agent about one booking.
enum class MessageEvent {
  kConfirmation,
  kReminder,
  kCancellation,
  kReschedule,
  kAfterVisit,   // survey and offer to book again
  kSummary,      // the agent's written summary
  kOpeningLost,  // to the agent: its calendar no longer holds the booking's opening
};
std::string_view message_event_name(MessageEvent e);  // confirmation, reminder, after_visit...
std::optional<MessageEvent> parse_message_event(std::string_view name);

enum class Audience { kResident, kAgent };
std::string_view audience_name(Audience a);  // resident, agent
std::optional<Audience> parse_audience(std::string_view name);

// What an organisation's webhook may subscribe to.
enum class WebhookEvent { kCreated, kCancelled, kRescheduled, kReassigned, kDone };
std::string_view webhook_event_name(WebhookEvent e);  // booking.created...
std::optional<WebhookEvent> parse_webhook_event(std::string_view name);
inline constexpr WebhookEvent kAllWebhookEvents[] = {
    WebhookEvent::kCreated, WebhookEvent::kCancelled, WebhookEvent::kRescheduled,
    WebhookEvent::kReassigned, WebhookEvent::kDone};

}  // namespace rdv
