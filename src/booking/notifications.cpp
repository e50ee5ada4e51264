#include "booking/notifications.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace rdv {
namespace {

constexpr int kMessageAttempts = 10;  // about 9 hours of backoff
constexpr int kWebhookAttempts = 15;  // about a day

class Planner {
 public:
  Planner(StoreWriter& tx, const Booking& b, std::optional<Id> org, Instant now)
      : tx_(tx), b_(b), org_(org), now_(now) {}

  void message(JobKind kind, const std::string& event, const std::string& audience, Instant at,
               const std::string& key_suffix) {
    nlohmann::json payload = {{"booking_id", b_.id},
                              {"event", event},
                              {"audience", audience},
                              {"sequence", b_.sequence},
                              {"start", to_epoch(b_.start)}};
    Job j;
    j.kind = kind;
    j.idempotency_key = "booking:" + std::to_string(b_.id) + ":" + event + ":" + audience + ":" +
                        std::string(job_kind_name(kind)) + ":" + key_suffix;
    j.payload = payload.dump();
    j.organisation_id = org_;
    j.run_at = at;
    j.max_attempts = kMessageAttempts;
    j.created_at = now_;
    tx_.enqueue_job(j);
  }

  void webhooks(const std::string& event) {
    if (!org_) return;
    for (const Webhook& w : tx_.webhooks_of(*org_)) {
      if (std::find(w.events.begin(), w.events.end(), event) == w.events.end()) continue;
      Job j;
      j.kind = JobKind::kWebhook;
      j.idempotency_key = "webhook:" + std::to_string(w.id) + ":booking:" + std::to_string(b_.id) +
                          ":" + event + ":seq" + std::to_string(b_.sequence);
      j.payload = nlohmann::json{{"webhook_id", w.id},
                                 {"event", event},
                                 {"booking_id", b_.id},
                                 {"occurred_at", to_epoch(now_)}}
                      .dump();
      j.organisation_id = org_;
      j.run_at = now_;
      j.max_attempts = kWebhookAttempts;
      j.created_at = now_;
      tx_.enqueue_job(j);
    }
  }

 private:
  StoreWriter& tx_;
  const Booking& b_;
  std::optional<Id> org_;
  Instant now_;
};

}  // namespace

void plan_notifications(StoreWriter& tx, const NotificationPolicy& policy, const Booking& b,
                        BookingEvent event, Instant now) {
  auto service = tx.service(b.service_id);
  auto agent = tx.agent(b.agent_id);
  Planner plan(tx, b, service ? std::optional<Id>(service->organisation_id) : std::nullopt, now);
  bool resident_email = policy.email && !b.resident.email.empty();
  bool resident_sms = policy.sms && !b.resident.phone.empty();
  bool agent_email = policy.email && agent && !agent->email.empty();
  std::string seq = "seq" + std::to_string(b.sequence);
  std::string at_start = "at" + std::to_string(to_epoch(b.start));

  // Notices of the change itself, to the resident and to the agent.
  auto notices = [&](const std::string& name) {
    if (resident_email) plan.message(JobKind::kEmail, name, "resident", now, seq);
    if (resident_sms) plan.message(JobKind::kSms, name, "resident", now, seq);
    if (agent_email) plan.message(JobKind::kEmail, name, "agent", now, seq);
  };
  // Reminders and the after-visit message, planned for this start; a later
  // change of start makes them obsolete (checked when they run).
  auto timed = [&] {
    for (int minutes : service ? service->reminders : std::vector<int>{}) {
      Instant at = b.start - std::chrono::minutes{minutes};
      if (at <= now) continue;
      std::string key = "m" + std::to_string(minutes) + ":" + at_start;
      if (resident_email) plan.message(JobKind::kEmail, "reminder", "resident", at, key);
      if (resident_sms) plan.message(JobKind::kSms, "reminder", "resident", at, key);
    }
    if (resident_email)
      plan.message(JobKind::kEmail, "after_visit", "resident", b.end + policy.after_visit_delay,
                   at_start);
  };

  switch (event) {
    case BookingEvent::kCreated:
      notices("confirmation");
      timed();
      plan.webhooks("booking.created");
      break;
    case BookingEvent::kCancelled:
      notices("cancellation");
      plan.webhooks("booking.cancelled");
      break;
    case BookingEvent::kRescheduled:
      notices("reschedule");
      timed();
      plan.webhooks("booking.rescheduled");
      break;
    case BookingEvent::kOpeningLost:
      if (agent_email)
        plan.message(JobKind::kEmail, "opening_lost", "agent", now, seq + ":" + at_start);
      break;
    case BookingEvent::kSummary:
      if (resident_email) plan.message(JobKind::kEmail, "summary", "resident", now, seq);
      plan.webhooks("booking.done");
      break;
  }
}

}  // namespace rdv
