#include "booking/notifications.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace rdv {
namespace {

constexpr int kMessageAttempts = 10;  // about 9 hours of backoff
constexpr int kWebhookAttempts = 15;  // about a day

// Gathers a change's jobs; write() adds them all at once (one round trip on
// PostgreSQL, where each used to take its own).
class Planner {
 public:
  Planner(StoreWriter& tx, const Booking& b, std::optional<Id> org, Instant now,
          const std::vector<Webhook>* webhooks)
      : tx_(tx), b_(b), org_(org), now_(now), webhooks_(webhooks) {}

  void message(JobKind kind, MessageEvent event, Audience audience, Instant at,
               const std::string& key_suffix) {
    std::string event_name(message_event_name(event)), who(audience_name(audience));
    nlohmann::json payload = {{"booking_id", b_.id},
                              {"event", event_name},
                              {"audience", who},
                              {"sequence", b_.sequence},
                              {"start", to_epoch(b_.start)}};
    Job j;
    j.kind = kind;
    j.idempotency_key = "booking:" + std::to_string(b_.id) + ":" + event_name + ":" + who + ":" +
                        std::string(job_kind_name(kind)) + ":" + key_suffix;
    j.payload = payload.dump();
    j.organisation_id = org_;
    j.run_at = at;
    j.max_attempts = kMessageAttempts;
    j.created_at = now_;
    jobs_.push_back(std::move(j));
  }

  void webhooks(WebhookEvent event) {
    if (!org_) return;
    std::string name(webhook_event_name(event));
    std::vector<Webhook> read;
    if (!webhooks_) read = tx_.directory().webhooks_of(*org_);
    for (const Webhook& w : webhooks_ ? *webhooks_ : read) {
      if (std::find(w.events.begin(), w.events.end(), event) == w.events.end()) continue;
      Job j;
      j.kind = JobKind::kWebhook;
      j.idempotency_key = "webhook:" + std::to_string(w.id) + ":booking:" + std::to_string(b_.id) +
                          ":" + name + ":seq" + std::to_string(b_.sequence);
      j.payload = nlohmann::json{{"webhook_id", w.id},
                                 {"event", name},
                                 {"booking_id", b_.id},
                                 {"occurred_at", to_epoch(now_)}}
                      .dump();
      j.organisation_id = org_;
      j.run_at = now_;
      j.max_attempts = kWebhookAttempts;
      j.created_at = now_;
      jobs_.push_back(std::move(j));
    }
  }

  void write() { tx_.jobs().enqueue(jobs_); }

 private:
  StoreWriter& tx_;
  const Booking& b_;
  std::optional<Id> org_;
  Instant now_;
  const std::vector<Webhook>* webhooks_;  // the organisation's, when the caller read them
  std::vector<Job> jobs_;
};

}  // namespace

void plan_notifications(StoreWriter& tx, const NotificationPolicy& policy, const Booking& b,
                        const Service& service, BookingEvent event, Instant now,
                        const ReadAlready& read) {
  Planner plan(tx, b, service.organisation_id, now, read.webhooks);
  bool resident_email = policy.email && !b.resident.email.empty();
  bool resident_sms = policy.sms && !b.resident.phone.empty();
  bool agent_email = false;  // planning reads the agent only when email may go out
  if (policy.email) {
    if (read.agent && read.agent->id == b.agent_id)
      agent_email = !read.agent->email.empty();
    else if (auto agent = tx.agent(b.agent_id))
      agent_email = !agent->email.empty();
  }
  std::string seq = "seq" + std::to_string(b.sequence);
  std::string at_start = "at" + std::to_string(to_epoch(b.start));

  // Notices of the change itself, to the resident and to the agent.
  auto notices = [&](MessageEvent name) {
    if (resident_email) plan.message(JobKind::kEmail, name, Audience::kResident, now, seq);
    if (resident_sms) plan.message(JobKind::kSms, name, Audience::kResident, now, seq);
    if (agent_email) plan.message(JobKind::kEmail, name, Audience::kAgent, now, seq);
  };
  // Reminders and the after-visit message, planned for this start; a later
  // change of start makes them obsolete (checked when they run).
  auto timed = [&] {
    for (int minutes : service.reminders) {
      Instant at = b.start - std::chrono::minutes{minutes};
      if (at <= now) continue;
      std::string key = "m" + std::to_string(minutes) + ":" + at_start;
      if (resident_email)
        plan.message(JobKind::kEmail, MessageEvent::kReminder, Audience::kResident, at, key);
      if (resident_sms)
        plan.message(JobKind::kSms, MessageEvent::kReminder, Audience::kResident, at, key);
    }
    if (resident_email)
      plan.message(JobKind::kEmail, MessageEvent::kAfterVisit, Audience::kResident,
                   b.end + policy.after_visit_delay, at_start);
  };

  switch (event) {
    case BookingEvent::kCreated:
      notices(MessageEvent::kConfirmation);
      timed();
      plan.webhooks(WebhookEvent::kCreated);
      break;
    case BookingEvent::kCancelled:
      notices(MessageEvent::kCancellation);
      plan.webhooks(WebhookEvent::kCancelled);
      break;
    case BookingEvent::kRescheduled:
      notices(MessageEvent::kReschedule);
      timed();
      plan.webhooks(WebhookEvent::kRescheduled);
      break;
    case BookingEvent::kReassigned:
      // The new agent learns of it as of a new booking; the resident's
      // appointment is unchanged.
      if (agent_email)
        plan.message(JobKind::kEmail, MessageEvent::kConfirmation, Audience::kAgent, now, seq);
      plan.webhooks(WebhookEvent::kReassigned);
      break;
    case BookingEvent::kOpeningLost:
      if (agent_email)
        plan.message(JobKind::kEmail, MessageEvent::kOpeningLost, Audience::kAgent, now,
                     seq + ":" + at_start);
      break;
    case BookingEvent::kSummary:
      if (resident_email)
        plan.message(JobKind::kEmail, MessageEvent::kSummary, Audience::kResident, now, seq);
      plan.webhooks(WebhookEvent::kDone);
      break;
  }
  plan.write();
}

}  // namespace rdv
