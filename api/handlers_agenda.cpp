// What agents publish: openings (when they receive) and absences, listed,
// created, changed and removed.
#include <algorithm>

#include "app.h"
#include "auth.h"
#include "calendar/recurrence.h"
#include "domain/error.h"
#include "storage/require.h"

namespace rdv {
namespace {

LocalDateTime local_field(Fields& f, const char* name) {
  std::string text = f.text(name, 40);
  auto t = parse_local_date_time(text);
  if (!t)
    throw ClientError(ErrorCode::kInvalidInput,
                      std::string(name) + " must be a local date-time such as 2026-12-01T09:00");
  return *t;
}

// start, end, timezone, rrule and exdates of an opening or an absence.
RepeatingPeriod period_fields(Fields& f, const std::string& default_zone,
                              std::chrono::hours max_length) {
  RepeatingPeriod p;
  p.start = local_field(f, "start");
  p.end = local_field(f, "end");
  p.zone = zone_named(f.text_or("timezone", default_zone, 64));
  if (p.end <= p.start) throw ClientError(ErrorCode::kInvalidTimeRange, "end must be after start");
  if (p.end - p.start > max_length)
    throw ClientError(ErrorCode::kInvalidTimeRange, "the period is too long");
  to_instant(p.start, p.zone);  // a start or end in a DST gap is refused
  to_instant(p.end, p.zone);
  p.rrule = f.text_or("rrule", "", 1000);
  if (!p.rrule.empty()) validate_rrule(p.rrule, p.start);  // some rules fail only from their start
  // EXDATEs: local date-times, or dates meaning the occurrence of that day.
  auto start_time = p.start - date::floor<date::days>(p.start);
  for (const auto& text : f.strings_or("exdates", {}, 500, 40)) {
    if (auto t = parse_local_date_time(text))
      p.exdates.push_back(*t);
    else if (auto d = parse_local_date(text))
      p.exdates.push_back(LocalDateTime{*d} + start_time);
    else
      throw ClientError(ErrorCode::kInvalidInput, "exdates must hold local dates or date-times");
  }
  return p;
}

bool in_orgs(const Agent& a, Id org) {
  return std::find(a.organisation_ids.begin(), a.organisation_ids.end(), org) !=
         a.organisation_ids.end();
}

// The opening an agent describes, checked: places and services of the
// agent's organisations, modes among the services', a period of at most a day.
Opening opening_from(StoreReader& r, const Agent& agent, const Json& body) {
  Opening o;
  Fields f(body);
  o.agent_id = agent.id;
  o.place_id = f.id("place_id");
  auto place = r.place(o.place_id);
  if (!place || !in_orgs(agent, place->organisation_id))
    invalid_field("place_id", "is not a place of the agent's organisations");
  o.service_ids = f.ids("service_ids");
  ModeSet service_modes;
  for (Id id : o.service_ids) {
    auto s = r.service(id);
    if (!s || !in_orgs(agent, s->organisation_id))
      invalid_field("service_ids",
                    "names " + std::to_string(id) + ", not a service of the agent's organisations");
    for (Mode m : s->modes.list()) service_modes.add(m);
  }
  std::sort(o.service_ids.begin(), o.service_ids.end());
  o.service_ids.erase(std::unique(o.service_ids.begin(), o.service_ids.end()), o.service_ids.end());
  o.modes = f.modes_or("modes", service_modes);  // none given: those of the services
  if (o.modes.empty()) o.modes = service_modes;
  o.period = period_fields(f, place->timezone, std::chrono::hours{24});
  f.done();
  return o;
}

// An absence of at most a year, in the agent's organisation's zone by default.
Absence absence_from(StoreReader& r, const Agent& agent, const Json& body) {
  Absence a;
  auto org = r.organisation(agent.organisation_ids.at(0));
  Fields f(body);
  a.agent_id = agent.id;
  a.reason = f.text_or("reason", "", 500);
  a.period = period_fields(f, org ? org->timezone : "Europe/Paris", std::chrono::hours{24 * 366});
  f.done();
  return a;
}

// A change: what is not sent stays, and the whole is checked like a creation.
Json merged(Json current, const Json& change) {
  current.erase("id");
  current.erase("agent_id");
  for (const auto& [key, value] : change.items()) current[key] = value;
  return current;
}

template <typename T>
T require_own(const std::vector<T>& mine, Id id, const char* what) {
  for (const T& x : mine)
    if (x.id == id) return x;
  throw ClientError(ErrorCode::kNotFound, std::string(what) + " not found");
}

}  // namespace

Json App::create_opening(Id agent_id, const Json& body) {
  Opening o;
  store_.write([&](StoreWriter& tx) {
    o = opening_from(tx, require_agent(tx, agent_id), body);
    o.id = tx.agenda().insert_opening(o);
  });
  return to_json(o);
}

std::vector<Id> App::remove_opening(Id agent_id, Id opening_id) {
  std::vector<Id> outside;
  store_.write([&](StoreWriter& tx) {
    require_own(tx.agenda().agent_openings(agent_id, kAllTime), opening_id, "opening");
    tx.agenda().delete_opening(opening_id);
    // Confirmed bookings stay; the agent is told of each one left without an
    // opening, so that nothing is dropped silently.
    outside = sync_.tell_of_bookings_without_opening(tx, agent_id);
  });
  return outside;
}

void App::remove_absence(Id agent_id, Id absence_id) {
  store_.write([&](StoreWriter& tx) {
    require_own(tx.agenda().absences_of({agent_id}, kAllTime), absence_id, "absence");
    tx.agenda().delete_absence(absence_id);
  });
}

Json App::create_absence(Id agent_id, const Json& body) {
  Absence a;
  store_.write([&](StoreWriter& tx) {
    a = absence_from(tx, require_agent(tx, agent_id), body);
    a.id = tx.agenda().insert_absence(a);
  });
  return to_json(a);
}

void App::add_agenda_routes() {
  auto for_agent = [this](Json (App::*action)(Id, const Json&)) {
    return [this, action](const HttpRequest& r, const PathParams& p) {
      Id agent_id = p.id(0);
      store_.read([&](StoreReader& s) {
        require_agent_manager(require_staff(r), require_agent(s, agent_id));
      });
      return json_response(201, (this->*action)(agent_id, parse_json_object(r)));
    };
  };
  router_.add("POST", "/api/v1/agents/{agent}/openings", for_agent(&App::create_opening));
  router_.add("POST", "/api/v1/agents/{agent}/absences", for_agent(&App::create_absence));

  // Openings and absences of an agent.
  router_.add("GET", "/api/v1/agents/{agent}/openings",
              [this](const HttpRequest& r, const PathParams& p) {
                Agent agent = agenda_of(r, p.id(0));
                Json out = Json::array();
                store_.read([&](StoreReader& s) {
                  for (const Opening& o : s.agenda().agent_openings(agent.id, kAllTime))
                    out.push_back(to_json(o));
                });
                return json_response(200, out);
              });
  router_.add("DELETE", "/api/v1/agents/{agent}/openings/{id}",
              [this](const HttpRequest& r, const PathParams& p) {
                remove_opening(managed_agent(r, p.id(0)).id, p.id(1));
                return HttpResponse{204, "application/json", "", {}};
              });
  router_.add("GET", "/api/v1/agents/{agent}/absences",
              [this](const HttpRequest& r, const PathParams& p) {
                Agent agent = agenda_of(r, p.id(0));
                Json out = Json::array();
                store_.read([&](StoreReader& s) {
                  for (const Absence& a : s.agenda().absences_of({agent.id}, kAllTime))
                    out.push_back(to_json(a));
                });
                return json_response(200, out);
              });
  router_.add("DELETE", "/api/v1/agents/{agent}/absences/{id}",
              [this](const HttpRequest& r, const PathParams& p) {
                remove_absence(managed_agent(r, p.id(0)).id, p.id(1));
                return HttpResponse{204, "application/json", "", {}};
              });

  // Changing an opening never drops a booking silently: the bookings it no
  // longer covers stay, the agent is told of each (as when removing it), and
  // the answer lists them.
  router_.add("PATCH", "/api/v1/agents/{agent}/openings/{id}",
              [this](const HttpRequest& r, const PathParams& p) {
                Agent agent = managed_agent(r, p.id(0));
                Json change = parse_json_object(r);
                Opening o;
                std::vector<Id> outside;
                store_.write([&](StoreWriter& tx) {
                  Opening current = require_own(tx.agenda().agent_openings(agent.id, kAllTime),
                                                p.id(1), "opening");
                  o = opening_from(tx, agent, merged(to_json(current), change));
                  o.id = current.id;
                  tx.agenda().update_opening(o);
                  outside = sync_.tell_of_bookings_without_opening(tx, agent.id);
                });
                Json out = to_json(o);
                out["bookings_outside"] = outside;
                return json_response(200, out);
              });
  router_.add("PATCH", "/api/v1/agents/{agent}/absences/{id}",
              [this](const HttpRequest& r, const PathParams& p) {
                Agent agent = managed_agent(r, p.id(0));
                Json change = parse_json_object(r);
                Absence a;
                store_.write([&](StoreWriter& tx) {
                  Absence current = require_own(tx.agenda().absences_of({agent.id}, kAllTime),
                                                p.id(1), "absence");
                  a = absence_from(tx, agent, merged(to_json(current), change));
                  a.id = current.id;
                  tx.agenda().update_absence(a);
                });
                return json_response(200, to_json(a));
              });
}

}  // namespace rdv
