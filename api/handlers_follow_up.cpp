// After the booking: the agent's summary, the survey, the resident's opt-out
// of reminders, organisations' webhooks, and the operator's view of the outbox.
#include <algorithm>

#include "app.h"
#include "auth.h"
#include "domain/error.h"
#include "domain/text.h"
#include "html_page.h"
#include "storage/require.h"

namespace rdv {
namespace {

Json webhook_json(const Webhook& w) {
  Json events = Json::array();
  for (WebhookEvent e : w.events) events.push_back(webhook_event_name(e));
  return {{"id", w.id}, {"organisation_id", w.organisation_id}, {"url", w.url}, {"events", events}};
}

}  // namespace

// url (a URL we may call), secret (16 characters at least, never shown
// again) and events; all required when `creating`, else what is sent.
void App::read_webhook_fields(const Json& body, Webhook& w, bool creating) const {
  Fields f(body);
  if (auto url = creating ? std::optional(f.text("url", 2000)) : f.opt_text("url", 2000))
    w.url = require_callable_url(*url, options_.http);
  if (auto secret = creating ? std::optional(f.text("secret", 200)) : f.opt_text("secret", 200)) {
    if (secret->size() < 16 || secret->find_first_not_of(" \t") == std::string::npos)
      invalid_field("secret", "must be at least 16 characters, not only spaces");
    w.secret = *secret;
  }
  if (body.contains("events")) {
    w.events.clear();
    for (const std::string& name : f.strings_or("events", {}, 10, 40)) {
      auto e = parse_webhook_event(name);
      if (!e) invalid_field("events", "unknown event " + name);
      if (std::find(w.events.begin(), w.events.end(), *e) == w.events.end()) w.events.push_back(*e);
    }
    if (w.events.empty()) invalid_field("events", "name at least one event");
  }
  f.done();
}

Json App::add_webhook(Id organisation_id, const Json& body) {
  Webhook w;
  w.organisation_id = organisation_id;
  for (WebhookEvent e : kAllWebhookEvents) w.events.push_back(e);  // by default
  read_webhook_fields(body, w, true);
  store_.write([&](StoreWriter& tx) {
    require_organisation(tx, organisation_id);
    w.id = tx.directory().insert_webhook(w, clock_.now());
  });
  return webhook_json(w);
}

void App::remove_webhook(Id organisation_id, Id webhook_id) {
  store_.write([&](StoreWriter& tx) {
    auto hooks = tx.directory().webhooks_of(organisation_id);
    if (std::none_of(hooks.begin(), hooks.end(),
                     [&](const Webhook& w) { return w.id == webhook_id; }))
      throw ClientError(ErrorCode::kNotFound, "webhook not found");
    tx.directory().delete_webhook(webhook_id);
  });
}

Json App::survey_results(Id organisation_id) {
  Json out = Json::array();
  store_.read([&](StoreReader& s) {
    for (const SurveyStats& st : s.bookings().survey_stats(organisation_id)) {
      auto service = s.service(st.service_id);
      out.push_back(
          {{"service_id", st.service_id},
           {"service", service ? service->name : ""},
           {"answers", st.answers},
           {"average_rating", st.average_rating},
           {"solved_rate", st.answers ? static_cast<double>(st.solved) / st.answers : 0.0}});
    }
  });
  return out;
}

void App::add_follow_up_routes() {
  router_.add("POST", "/api/v1/bookings/{id}/summary",
              [this](const HttpRequest& r, const PathParams& p) {
                Id id = p.id(0);
                store_.read([&](StoreReader& s) {
                  Booking b = require_booking(s, id);
                  if (!may_manage_booking(s, require_staff(r), b, clock_.now()))
                    throw ClientError(ErrorCode::kForbidden,
                                      "only the agent of the booking may write its summary");
                });
                Json body = parse_json_object(r);
                Fields f(body);
                std::string summary = f.multiline_text_or("summary", "", 5000);
                if (summary.empty()) invalid_field("summary", "is required");
                f.done();
                Booking b = bookings_.record_summary(id, summary);
                Json out;
                store_.read([&](StoreReader& s) { out = booking_json(s, b, "", true); });
                return json_response(200, out);
              });

  // Links in messages are followed by people and by mail scanners: GET only
  // shows a button; the change needs a POST (also RFC 8058 one-click).
  router_.add(
      "GET", "/api/v1/bookings/{id}/stop-reminders",
      [this](const HttpRequest& r, const PathParams& p) {
        Id id = p.id(0);
        const std::string* token = r.param("token");
        if (!token || !links_.is_manage_token(id, *token))
          return html_page(404, "Lien invalide", "<p>Ce lien n'est pas valide.</p>\n");
        return html_page(
            200, "Ne plus recevoir de rappels",
            "<p>Vous ne recevrez plus de rappel pour ce rendez-vous. Il reste confirmé.</p>\n"
            "<form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"" +
                escape_html(*token) + "\"><button type=\"submit\">Confirmer</button></form>\n");
      });
  router_.add("POST", "/api/v1/bookings/{id}/stop-reminders",
              [this](const HttpRequest& r, const PathParams& p) {
                Id id = p.id(0);
                std::string token;
                if (const std::string* t = r.param("token")) token = *t;
                auto form = parse_query(r.body);  // a form post carries the token in its body
                if (token.empty() && form.count("token")) token = form["token"];
                if (!links_.is_manage_token(id, token))
                  throw ClientError(ErrorCode::kForbidden, "invalid token");
                bookings_.stop_reminders(id);
                if (const std::string* type = r.header("content-type");
                    type && type->find("application/x-www-form-urlencoded") != std::string::npos &&
                    form.count("token"))
                  return html_page(200, "C'est noté",
                                   "<p>Vous ne recevrez plus de rappel pour ce rendez-vous.</p>\n");
                return json_response(200, {{"reminders_opt_out", true}});
              });

  router_.add("GET", "/api/v1/surveys/{token}", [this](const HttpRequest&, const PathParams& p) {
    auto id = links_.survey_booking(p.text(0));
    if (!id) throw ClientError(ErrorCode::kNotFound, "survey not found");
    Json out;
    store_.read([&](StoreReader& s) {
      auto b = s.booking(*id);
      if (!b) throw ClientError(ErrorCode::kNotFound, "survey not found");
      auto service = s.service(b->service_id);
      auto org = service ? s.organisation(service->organisation_id) : std::nullopt;
      auto place = s.place(b->place_id);
      Zone zone = date::locate_zone(place ? place->timezone : "Europe/Paris");
      out = {
          {"service", service ? service->name : ""},
          {"organisation", org ? org->name : ""},
          {"start", format_rfc3339(b->start, zone)},
          {"answered", b->survey_answered},
          {"questions",
           {{{"name", "rating"},
             {"text", "Êtes-vous satisfait(e) de ce rendez-vous ? (1 à 5)"},
             {"type", "integer"}},
            {{"name", "solved"},
             {"text", "Votre demande a-t-elle été réglée ?"},
             {"type", "boolean"}},
            {{"name", "comment"}, {"text", "Un commentaire ? (facultatif)"}, {"type", "string"}}}}};
    });
    return json_response(200, out);
  });
  router_.add("POST", "/api/v1/surveys/{token}", [this](const HttpRequest& r, const PathParams& p) {
    auto id = links_.survey_booking(p.text(0));
    if (!id) throw ClientError(ErrorCode::kNotFound, "survey not found");
    Json body = parse_json_object(r);
    Fields f(body);
    SurveyAnswer a;
    a.rating = f.integer("rating", 1, 5);
    auto solved = f.opt_bool("solved");
    if (!solved) throw ClientError(ErrorCode::kInvalidInput, "solved is required (true or false)");
    a.solved = *solved;
    a.comment = f.multiline_text_or("comment", "", 2000);
    f.done();
    bookings_.answer_survey(*id, a);
    return json_response(201, {{"status", "merci"}});
  });

  router_.add("GET", "/api/v1/organisations/{org}/survey-stats",
              [this](const HttpRequest& r, const PathParams& p) {
                require_observer_of(require_staff(r), p.id(0));
                return json_response(200, survey_results(p.id(0)));
              });

  router_.add("POST", "/api/v1/organisations/{org}/webhooks",
              [this](const HttpRequest& r, const PathParams& p) {
                require_org_admin_of(r, p.id(0));
                return json_response(201, add_webhook(p.id(0), parse_json_object(r)));
              });
  router_.add("PATCH", "/api/v1/organisations/{org}/webhooks/{id}",
              [this](const HttpRequest& r, const PathParams& p) {
                Id org = p.id(0), id = p.id(1);
                require_org_admin_of(r, org);
                Json body = parse_json_object(r);
                Webhook w;
                store_.write([&](StoreWriter& tx) {
                  auto hooks = tx.directory().webhooks_of(org);
                  auto it = std::find_if(hooks.begin(), hooks.end(),
                                         [&](const Webhook& h) { return h.id == id; });
                  if (it == hooks.end())
                    throw ClientError(ErrorCode::kNotFound, "webhook not found");
                  w = *it;
                  read_webhook_fields(body, w, false);
                  tx.directory().update_webhook(w);
                });
                return json_response(200, webhook_json(w));
              });
  router_.add("GET", "/api/v1/organisations/{org}/webhooks",
              [this](const HttpRequest& r, const PathParams& p) {
                Id org = p.id(0);
                Json out = Json::array();
                store_.read([&](StoreReader& s) {
                  require_org_admin(require_staff(r), org);
                  for (const Webhook& w : s.directory().webhooks_of(org))
                    out.push_back(webhook_json(w));
                });
                return json_response(200, out);
              });

  router_.add("GET", "/api/v1/jobs", [this](const HttpRequest& r, const PathParams&) {
    auto status = parse_job_status(r.param("status") ? *r.param("status") : "failed");
    if (!status) invalid_field("status", "must be pending, running, done, skipped or failed");
    Json out = Json::array();
    store_.read([&](StoreReader& s) {
      require_admin(require_staff(r));
      Zone utc = date::locate_zone("UTC");
      for (const Job& j : s.jobs().with_status(*status, 200))
        out.push_back({{"id", j.id},
                       {"kind", job_kind_name(j.kind)},
                       {"status", job_status_name(j.status)},
                       {"attempts", j.attempts},
                       {"max_attempts", j.max_attempts},
                       {"last_error", j.last_error},
                       {"run_at", format_rfc3339(j.run_at, utc)},
                       {"created_at", format_rfc3339(j.created_at, utc)}});
    });
    return json_response(200, out);
  });
}

}  // namespace rdv
