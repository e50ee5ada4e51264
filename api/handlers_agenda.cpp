// What agents publish: openings (when they receive) and absences.
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

}  // namespace

Json App::create_opening(Id agent_id, const Json& body) {
  Opening o;
  store_.write([&](StoreWriter& tx) {
    Agent agent = require_agent(tx, agent_id);
    Fields f(body);
    o.agent_id = agent_id;
    o.place_id = f.id("place_id");
    auto place = tx.place(o.place_id);
    if (!place || !in_orgs(agent, place->organisation_id))
      throw ClientError(ErrorCode::kInvalidInput,
                        "place_id is not a place of the agent's organisations");
    o.service_ids = f.ids("service_ids");
    ModeSet service_modes;
    for (Id id : o.service_ids) {
      auto s = tx.service(id);
      if (!s || !in_orgs(agent, s->organisation_id))
        throw ClientError(
            ErrorCode::kInvalidInput,
            "service " + std::to_string(id) + " is not a service of the agent's organisations");
      for (Mode m : s->modes.list()) service_modes.add(m);
    }
    std::sort(o.service_ids.begin(), o.service_ids.end());
    o.service_ids.erase(std::unique(o.service_ids.begin(), o.service_ids.end()),
                        o.service_ids.end());
    o.modes = f.modes_or("modes", service_modes);  // none given: those of the services
    if (o.modes.empty()) o.modes = service_modes;
    o.period = period_fields(f, place->timezone, std::chrono::hours{24});
    f.done();
    o.id = tx.insert_opening(o);
  });
  return to_json(o);
}

Json App::create_absence(Id agent_id, const Json& body) {
  Absence a;
  store_.write([&](StoreWriter& tx) {
    Agent agent = require_agent(tx, agent_id);
    auto org = tx.organisation(agent.organisation_ids.at(0));
    Fields f(body);
    a.agent_id = agent_id;
    a.reason = f.text_or("reason", "", 500);
    a.period = period_fields(f, org ? org->timezone : "Europe/Paris", std::chrono::hours{24 * 366});
    f.done();
    a.id = tx.insert_absence(a);
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
}

}  // namespace rdv
