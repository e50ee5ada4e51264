#include "notifier.h"

#include <nlohmann/json.hpp>

#include "accounts/credentials.h"
#include "booking/resident_access.h"
#include "messages.h"
#include "net/url.h"
#include "sync/feeds.h"
#include "webhook.h"

namespace rdv {
namespace {

using Json = nlohmann::json;

// Why a message planned earlier is not to be sent any more, or "".
std::string obsolete(MessageEvent event, const Json& p, const Booking& b, Instant now) {
  bool same_start = p.value("start", std::int64_t{0}) == to_epoch(b.start);
  if (event == MessageEvent::kReminder) {
    if (b.status != BookingStatus::kConfirmed) return "booking not confirmed any more";
    if (!same_start) return "booking moved";
    if (now >= b.start) return "visit already started";
    if (b.reminders_opt_out) return "reminders stopped by the resident";
  }
  if (event == MessageEvent::kAfterVisit) {
    if (b.status == BookingStatus::kCancelled || b.status == BookingStatus::kNoShow)
      return "no visit took place";
    if (!same_start) return "booking moved";
    if (!b.summary.empty()) return "the summary message covers it";
  }
  if (event == MessageEvent::kOpeningLost && (b.status != BookingStatus::kConfirmed || !same_start))
    return "booking changed since";
  if ((event == MessageEvent::kConfirmation || event == MessageEvent::kReschedule) &&
      p.value("sequence", 0) < b.sequence)
    return "a later notice replaces it";
  return "";
}

}  // namespace

Notifier::Notifier(Store& store, const Clock& clock, const LinkSigner& links, EmailChannel* email,
                   SmsChannel* sms, NotifierOptions options)
    : store_(store),
      clock_(clock),
      links_(links),
      email_(email),
      sms_(sms),
      options_(std::move(options)) {}

JobResult Notifier::run(const Job& job) {
  if (job.kind == JobKind::kWebhook) return run_webhook(job);
  Json p = Json::parse(job.payload);
  if (p.contains("account_link_id")) return run_account_link(job);
  if (p.contains("resident_link_id")) return run_resident_link(job);
  auto parsed_event = parse_message_event(p.at("event").get<std::string>());
  auto audience = parse_audience(p.at("audience").get<std::string>());
  if (!parsed_event || !audience) throw std::runtime_error("unknown message in job payload");
  MessageEvent event = *parsed_event;
  bool to_agent = *audience == Audience::kAgent;
  Instant now = clock_.now();

  std::optional<Booking> booking;
  std::optional<Service> service;
  std::optional<Organisation> org;
  std::optional<Place> place;
  std::optional<Agent> agent;
  std::string agent_ics;
  store_.read([&](StoreReader& r) {
    booking = r.booking(p.at("booking_id").get<Id>());
    if (!booking) return;
    service = r.service(booking->service_id);
    org = service ? r.organisation(service->organisation_id) : std::nullopt;
    place = r.place(booking->place_id);
    agent = r.agent(booking->agent_id);
  });
  if (!booking || !service || !org || !agent) return {true, "booking gone"};
  if (std::string why = obsolete(event, p, *booking, now); !why.empty()) return {true, why};
  // The resident's data was erased (on request, or by retention) since.
  if (!to_agent && (job.kind == JobKind::kSms ? booking->resident.phone.empty()
                                              : booking->resident.email.empty()))
    return {true, "the resident's contact is erased"};

  const Booking& b = *booking;
  std::string base = options_.public_url + "/api/v1/bookings/" + std::to_string(b.id);
  std::string token = links_.manage_token(b.id);
  std::string manage_url = booking_page_url(options_.public_url, b.id, token);
  // A person stops reminders on the manage page (a button there); the API's
  // URL is for mail clients' one-click unsubscribe (RFC 8058).
  MessageContext context{b,
                         *service,
                         *org,
                         place,
                         *agent,
                         date::locate_zone(place ? place->timezone : org->timezone),
                         manage_url,
                         manage_url + "#rappels",
                         options_.public_url + "/avis/" + links_.survey_token(b.id),
                         options_.public_url + "/services/" + std::to_string(service->id),
                         options_.public_url + "/visio/" + links_.visio_token(b.id, to_agent),
                         options_.public_url + "/mes-rendez-vous"};

  if (job.kind == JobKind::kSms) {
    if (!sms_) throw std::runtime_error("no SMS gateway configured");
    sms_->send({b.resident.phone, resident_sms(event, context), job.idempotency_key});
    return {};
  }
  if (!email_) throw std::runtime_error("no SMTP server configured");
  // The same Message-ID on every attempt; a dot-atom, as RFC 5322 wants.
  std::string local = job.idempotency_key;
  for (char& ch : local)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') ch = '.';
  RenderedEmail text = to_agent ? agent_email(event, context) : resident_email(event, context);
  EmailMessage m = email(local, to_agent ? agent->email : b.resident.email, text);
  if (!to_agent && (event == MessageEvent::kConfirmation || event == MessageEvent::kReminder ||
                    event == MessageEvent::kReschedule))
    m.unsubscribe_url = base + "/stop-reminders?token=" + token;
  // The calendar part: the agent's calendar is updated by REQUEST and CANCEL
  // with one UID and a growing SEQUENCE; the resident's gets PUBLISH.
  if (event == MessageEvent::kConfirmation || event == MessageEvent::kReschedule ||
      event == MessageEvent::kCancellation) {
    std::string method = event == MessageEvent::kCancellation ? "CANCEL"
                         : to_agent                           ? "REQUEST"
                                                              : "PUBLISH";
    IcsEvent ev;
    store_.read([&](StoreReader& r) {
      ev = agent_booking_event(r, b, options_.public_url, context.video_url);
    });
    if (!to_agent) {
      ev.summary = "Rendez-vous : " + service->name + " (" + org->name + ")";
      ev.description = text.text;
      ev.url = context.manage_url;
    } else {
      ev.organizer_email = address_of(options_.from);
      ev.organizer_name = "Rendez-vous";
      ev.attendee_email = agent->email;
      ev.attendee_name = agent->name;
    }
    m.calendar = write_ics({ev}, method, "");
    m.calendar_method = method;
  }
  email_->send(m);
  return {};
}

JobResult Notifier::run_account_link(const Job& job) {
  Id link_id = Json::parse(job.payload).at("account_link_id").get<Id>();
  std::optional<AccountLink> link;
  std::optional<Account> account;
  store_.read([&](StoreReader& r) {
    link = r.accounts().link(link_id);
    if (link) account = r.accounts().account(link->account_id);
  });
  if (!link || !account || account->email.empty()) return {true, "account gone"};
  if (link->used_at) return {true, "link used or replaced"};
  if (clock_.now() >= link->expires_at) return {true, "link expired"};
  if (account->status == AccountStatus::kDeactivated) return {true, "account deactivated"};
  if (!email_) throw std::runtime_error("no SMTP server configured");
  std::string url =
      options_.public_url + kPasswordPagePath + "?token=" + links_.account_link_token(link->id);
  RenderedEmail text = account_link_email(link->purpose == LinkPurpose::kInvitation, account->name,
                                          url, link->expires_at, date::locate_zone("Europe/Paris"));
  email_->send(email("account-link." + std::to_string(link->id), account->email, text));
  return {};
}

JobResult Notifier::run_resident_link(const Job& job) {
  Json p = Json::parse(job.payload);
  std::optional<ResidentLink> link;
  store_.read(
      [&](StoreReader& r) { link = r.residents().link(p.at("resident_link_id").get<Id>()); });
  if (!link) return {true, "link purged"};
  if (link->used_at) return {true, "link used"};
  if (clock_.now() >= link->expires_at) return {true, "link expired"};
  std::string url =
      options_.public_url + kResidentLinkPath + "?token=" + links_.resident_link_token(link->id);
  int minutes = static_cast<int>(
      std::chrono::duration_cast<std::chrono::minutes>(link->expires_at - link->created_at)
          .count());
  if (job.kind == JobKind::kSms) {
    if (!sms_) throw std::runtime_error("no SMS gateway configured");
    sms_->send({link->phone, resident_link_sms(url, minutes), job.idempotency_key});
    return {};
  }
  if (!email_) throw std::runtime_error("no SMTP server configured");
  email_->send(email("resident-link." + std::to_string(link->id), link->email,
                     resident_link_email(url, minutes)));
  return {};
}

EmailMessage Notifier::email(const std::string& id_local, const std::string& to,
                             const RenderedEmail& text) const {
  EmailMessage m;
  m.from = options_.from;
  m.message_id = "<" + id_local + "@" + host_of_url(options_.public_url) + ">";
  m.to = to;
  m.subject = text.subject;
  m.text = text.text;
  m.html = text.html;
  return m;
}

JobResult Notifier::run_webhook(const Job& job) {
  Json p = Json::parse(job.payload);
  std::optional<Webhook> hook;
  std::optional<Booking> booking;
  std::string zone_name = "Europe/Paris";
  store_.read([&](StoreReader& r) {
    booking = r.booking(p.at("booking_id").get<Id>());
    if (!job.organisation_id) return;
    for (Webhook& w : r.directory().webhooks_of(*job.organisation_id))
      if (w.id == p.at("webhook_id").get<Id>()) hook = w;
    if (booking)
      if (auto place = r.place(booking->place_id)) zone_name = place->timezone;
  });
  if (!hook) return {true, "webhook removed"};
  Zone zone = date::locate_zone(zone_name);
  // Organisations get the booking without the resident's personal data.
  Json body = {
      {"id", job.idempotency_key},
      {"event", p.at("event")},
      {"occurred_at", format_rfc3339(from_epoch(p.at("occurred_at").get<std::int64_t>()), zone)}};
  if (booking)
    body["booking"] = {{"id", booking->id},
                       {"status", status_name(booking->status)},
                       {"service_id", booking->service_id},
                       {"agent_id", booking->agent_id},
                       {"place_id", booking->place_id},
                       {"mode", mode_name(booking->mode)},
                       {"start", format_rfc3339(booking->start, zone)},
                       {"end", format_rfc3339(booking->end, zone)},
                       {"booked_by", booked_by_name(booking->booked_by)}};
  send_webhook(options_.http,
               {hook->url, hook->secret, p.at("event"), job.idempotency_key, body.dump()},
               clock_.now());
  return {};
}

}  // namespace rdv
