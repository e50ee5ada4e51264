#include "domain/events.h"

#include "domain/enum_names.h"

namespace rdv {
namespace {

constexpr EnumName<MessageEvent> kMessageEventNames[] = {
    {MessageEvent::kConfirmation, "confirmation"}, {MessageEvent::kReminder, "reminder"},
    {MessageEvent::kCancellation, "cancellation"}, {MessageEvent::kReschedule, "reschedule"},
    {MessageEvent::kAfterVisit, "after_visit"},    {MessageEvent::kSummary, "summary"},
    {MessageEvent::kOpeningLost, "opening_lost"}};
constexpr EnumName<Audience> kAudienceNames[] = {{Audience::kResident, "resident"},
                                                 {Audience::kAgent, "agent"}};
constexpr EnumName<WebhookEvent> kWebhookEventNames[] = {
    {WebhookEvent::kCreated, "booking.created"},
    {WebhookEvent::kCancelled, "booking.cancelled"},
    {WebhookEvent::kRescheduled, "booking.rescheduled"},
    {WebhookEvent::kReassigned, "booking.reassigned"},
    {WebhookEvent::kDone, "booking.done"}};

}  // namespace

std::string_view message_event_name(MessageEvent e) { return name_in(kMessageEventNames, e); }
std::optional<MessageEvent> parse_message_event(std::string_view name) {
  return parse_in(kMessageEventNames, name);
}
std::string_view audience_name(Audience a) { return name_in(kAudienceNames, a); }
std::optional<Audience> parse_audience(std::string_view name) {
  return parse_in(kAudienceNames, name);
}
std::string_view webhook_event_name(WebhookEvent e) { return name_in(kWebhookEventNames, e); }
std::optional<WebhookEvent> parse_webhook_event(std::string_view name) {
  return parse_in(kWebhookEventNames, name);
}

}  // namespace rdv
