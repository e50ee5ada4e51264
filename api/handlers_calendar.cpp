// The iCal side: agents' feeds and external calendars, the busy view, and the
// resident's .ics.
#include "app.h"
#include "auth.h"
#include "domain/error.h"
#include "net/url.h"
#include "storage/require.h"
#include "sync/feeds.h"

namespace rdv {
namespace {

Json calendar_json(const ExternalCalendar& c, Zone zone) {
  auto when = [&](const std::optional<Instant>& t) {
    return t ? Json(format_rfc3339(*t, zone)) : Json(nullptr);
  };
  return {{"id", c.id},
          {"agent_id", c.agent_id},
          {"url", c.url},
          {"purpose", purpose_name(c.purpose)},
          {"last_success_at", when(c.last_success_at)},
          {"last_attempt_at", when(c.last_attempt_at)},
          {"last_error", c.last_error.empty() ? Json(nullptr) : Json(c.last_error)},
          {"warnings", c.warnings},
          {"next_fetch_at", format_rfc3339(c.next_fetch_at, zone)}};
}

HttpResponse ics_response(std::string text) {
  return {200, "text/calendar; charset=utf-8", std::move(text), {}};
}

}  // namespace

std::string App::feed_url(const Agent& agent) const {
  return options_.public_url + "/ical/agents/" + std::to_string(agent.id) + "/" + agent.ics_secret +
         ".ics";
}

std::string App::renew_feed(const Agent& agent) {
  Agent renewed = agent;
  renewed.ics_secret = new_token(random_);
  store_.write([&](StoreWriter& tx) {
    tx.directory().update_agent_ics_secret(renewed.id, renewed.ics_secret);
  });
  return feed_url(renewed);
}

ExternalCalendar App::own_calendar(StoreReader& r, Id agent_id, Id calendar_id) {
  auto c = r.calendars().find(calendar_id);
  if (!c || c->agent_id != agent_id) throw ClientError(ErrorCode::kNotFound, "calendar not found");
  return *c;
}

void App::remove_calendar(Id agent_id, Id calendar_id) {
  store_.write([&](StoreWriter& tx) {
    own_calendar(tx, agent_id, calendar_id);
    tx.calendars().remove(calendar_id);
  });
}

Agent App::managed_agent(const HttpRequest& request, Id agent_id) {
  Agent agent;
  store_.read([&](StoreReader& r) {
    const Staff& u = require_staff(request);
    auto a = r.agent(agent_id);
    if (!a) throw ClientError(ErrorCode::kNotFound, "agent not found");
    require_agent_manager(u, *a);
    agent = *a;
  });
  return agent;
}

Agent App::agenda_of(const HttpRequest& request, Id agent_id) {
  Agent agent;
  store_.read([&](StoreReader& r) {
    const Staff& u = require_staff(request);
    agent = require_agent(r, agent_id);
    if (!u.may_read_agenda(agent))
      throw ClientError(ErrorCode::kForbidden,
                        "only this agent, their administrators and, "
                        "where allowed, their colleagues see this agenda");
  });
  return agent;
}

HttpResponse App::booking_calendar(const HttpRequest& request, Id id) {
  const std::string* token = request.param("token");
  if (!token) throw ClientError(ErrorCode::kUnauthenticated, "the manage token is required");
  std::string text;
  store_.read([&](StoreReader& r) {
    Booking b = require_booking(r, id);
    authorize_booking(r, request, b);
    // The manage page, as in the messages (a person opens it from their calendar).
    text = booking_ics(r, b, options_.public_url,
                       booking_page_url(options_.public_url, id, url_encode(*token)),
                       visio_url(b, false));
  });
  HttpResponse response = ics_response(std::move(text));
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"rendez-vous.ics\"");
  return response;
}

void App::add_calendar_routes() {
  router_.add("GET", "/ical/agents/{agent}/{secret}",
              [this](const HttpRequest&, const PathParams& p) {
                const std::string& file = p.text(1);
                const std::string suffix = ".ics";
                if (file.size() <= suffix.size() ||
                    file.compare(file.size() - suffix.size(), suffix.size(), suffix))
                  throw ClientError(ErrorCode::kNotFound, "no such feed");
                std::string secret = file.substr(0, file.size() - suffix.size());
                std::string text;
                store_.read([&](StoreReader& r) {
                  auto agent = r.agent(p.id(0));
                  // Same answer for an unknown agent, a wrong secret and
                  // someone who left (their feed ends with their account).
                  if (!agent || !constant_time_equal(agent->ics_secret, secret) ||
                      r.accounts().agent_departed(agent->id))
                    throw ClientError(ErrorCode::kNotFound, "no such feed");
                  text = agent_feed(r, *agent, clock_.now(), options_.public_url, links_);
                });
                return ics_response(std::move(text));
              });

  router_.add(
      "POST", "/api/v1/agents/{agent}/feed-secret",
      [this](const HttpRequest& r, const PathParams& p) {
        return json_response(200, {{"ics_feed_url", renew_feed(managed_agent(r, p.id(0)))}});
      });

  router_.add("GET", "/api/v1/agents/{agent}/calendars",
              [this](const HttpRequest& r, const PathParams& p) {
                Agent agent = managed_agent(r, p.id(0));
                Json out = Json::array();
                store_.read([&](StoreReader& s) {
                  Zone zone = agent_zone(s, agent);
                  for (const auto& c : s.calendars().of_agent(agent.id))
                    out.push_back(calendar_json(c, zone));
                });
                return json_response(200, out);
              });

  router_.add("POST", "/api/v1/agents/{agent}/calendars",
              [this](const HttpRequest& r, const PathParams& p) {
                Agent agent = managed_agent(r, p.id(0));
                Json body = parse_json_object(r);
                Fields f(body);
                std::string url = f.text("url", 2000);
                auto purpose = parse_purpose(f.text_or("purpose", "busy", 20));
                if (!purpose) invalid_field("purpose", "must be busy or availability");
                f.done();
                ExternalCalendar c = sync_.subscribe(agent.id, url, *purpose);
                Json out;
                store_.read([&](StoreReader& s) { out = calendar_json(c, agent_zone(s, agent)); });
                return json_response(201, out);
              });

  // The calendar, checked to belong to the agent of the path.
  auto agent_calendar = [this](const HttpRequest& r, const PathParams& p) {
    Agent agent = managed_agent(r, p.id(0));
    Id id = p.id(1);
    store_.read([&](StoreReader& s) { own_calendar(s, agent.id, id); });
    return std::make_pair(agent, id);
  };

  router_.add("POST", "/api/v1/agents/{agent}/calendars/{id}/refresh",
              [this, agent_calendar](const HttpRequest& r, const PathParams& p) {
                auto [agent, id] = agent_calendar(r, p);
                ExternalCalendar c = sync_.refresh(id);
                Json out;
                store_.read([&](StoreReader& s) { out = calendar_json(c, agent_zone(s, agent)); });
                return json_response(200, out);
              });

  router_.add("PATCH", "/api/v1/agents/{agent}/calendars/{id}",
              [this, agent_calendar](const HttpRequest& r, const PathParams& p) {
                auto [agent, id] = agent_calendar(r, p);
                Json body = parse_json_object(r);
                Fields f(body);
                std::optional<std::string> url;
                if (body.contains("url")) url = f.text("url", 2000);
                std::optional<CalendarPurpose> purpose;
                if (body.contains("purpose")) {
                  purpose = parse_purpose(f.text("purpose", 20));
                  if (!purpose) invalid_field("purpose", "must be busy or availability");
                }
                f.done();
                ExternalCalendar c = sync_.change(id, url, purpose);
                Json out;
                store_.read([&](StoreReader& s) { out = calendar_json(c, agent_zone(s, agent)); });
                return json_response(200, out);
              });

  // Every calendar of an organisation's agents, for its administrators to
  // see which ones fail (?failing=true).
  router_.add("GET", "/api/v1/organisations/{org}/calendars",
              [this](const HttpRequest& r, const PathParams& p) {
                Id org = p.id(0);
                require_org_admin_of(r, org);
                std::string failing_param = r.param("failing") ? *r.param("failing") : "false";
                if (failing_param != "true" && failing_param != "false")
                  invalid_field("failing", "must be true or false");
                bool failing = failing_param == "true";
                Json out = Json::array();
                store_.read([&](StoreReader& s) {
                  for (const Agent& agent : s.directory().agents_of(org)) {
                    Zone zone = agent_zone(s, agent);
                    for (const auto& c : s.calendars().of_agent(agent.id))
                      if (!failing || !c.last_error.empty()) {
                        // The agent's address may hold their calendar's
                        // secret: administrators see where, not the key.
                        Json j = calendar_json(c, zone);
                        j["url"] = origin_of_url(c.url);
                        out.push_back(j);
                      }
                  }
                });
                return json_response(200, out);
              });

  router_.add("DELETE", "/api/v1/agents/{agent}/calendars/{id}",
              [this, agent_calendar](const HttpRequest& r, const PathParams& p) {
                auto [agent, id] = agent_calendar(r, p);
                remove_calendar(agent.id, id);
                return HttpResponse{204, "application/json", "", {}};
              });

  router_.add("GET", "/api/v1/agents/{agent}/busy",
              [this](const HttpRequest& r, const PathParams& p) {
                Agent agent = agenda_of(r, p.id(0));
                auto bound = [&](const char* name) {
                  const std::string* v = r.param(name);
                  auto t = v ? parse_rfc3339(*v) : std::nullopt;
                  if (!t)
                    throw ClientError(
                        ErrorCode::kInvalidInput,
                        std::string(name) + " is required, as an RFC 3339 date-time with offset");
                  return *t;
                };
                TimeRange window{bound("from"), bound("to")};
                if (window.end <= window.start)
                  throw ClientError(ErrorCode::kInvalidTimeRange, "to must be after from");
                if (window.end - window.start > std::chrono::days{366})
                  throw ClientError(ErrorCode::kInvalidTimeRange, "the window is at most 366 days");
                Zone zone = nullptr;
                store_.read([&](StoreReader& s) { zone = agent_zone(s, agent); });
                Json out = Json::array();
                for (const BusyInterval& b : sync_.busy(agent.id, window))
                  out.push_back({{"start", format_rfc3339(b.range.start, zone)},
                                 {"end", format_rfc3339(b.range.end, zone)},
                                 {"source", b.source},
                                 {"uid", b.uid}});
                return json_response(200, out);
              });

  router_.add(
      "GET", "/api/v1/bookings/{id}/calendar.ics",
      [this](const HttpRequest& r, const PathParams& p) { return booking_calendar(r, p.id(0)); });
}

}  // namespace rdv
