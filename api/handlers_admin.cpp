// Organisations, places, services, agents and users: set up by administrators.
#include <algorithm>
#include <map>

#include "app.h"
#include "auth.h"
#include "directory_fields.h"
#include "domain/contact.h"
#include "domain/error.h"
#include "domain/text.h"
#include "query_params.h"
#include "storage/require.h"

namespace rdv {

Json App::create_organisation(const Json& body) {
  Fields f(body);
  Organisation o;
  read_organisation_fields(f, o, true);
  f.done();
  store_.write([&](StoreWriter& tx) { o.id = tx.directory().insert_organisation(o); });
  return to_json(o);
}

Json App::create_place(Id organisation_id, const Json& body) {
  Place p;
  store_.write([&](StoreWriter& tx) {
    Organisation org = require_organisation(tx, organisation_id);
    Fields f(body);
    p.organisation_id = organisation_id;
    p.timezone = org.timezone;
    read_place_fields(f, p, true);
    f.done();
    p.id = tx.directory().insert_place(p);
  });
  return to_json(p);
}

Json App::create_service(Id organisation_id, const Json& body) {
  Service s;
  s.organisation_id = organisation_id;
  s.modes.add(Mode::kInPerson);
  Fields f(body);
  read_service_fields(f, s, true);
  f.done();
  store_.write([&](StoreWriter& tx) {
    require_open_organisation(tx, organisation_id);
    s.id = tx.directory().insert_service(s);
  });
  return to_json(s);
}

Json App::create_agent(Id organisation_id, const Json& body) {
  Fields f(body);
  Account a;
  a.name = f.text("name");
  std::string email = f.text_or("email", "", 254);
  std::string phone = f.text_or("phone", "", 30);
  f.done();
  if (!email.empty()) a.email = lower_ascii(checked_mailbox(email, "email"));
  store_.read([&](StoreReader& s) {
    Organisation org = require_organisation(s, organisation_id);
    if (!phone.empty()) a.phone = checked_phone(phone, phone_region_of_zone(org.timezone), "phone");
  });
  a.memberships = {{Role::kAgent, organisation_id, std::nullopt}};
  Json account = create_account(a, true);
  Agent agent;
  store_.read([&](StoreReader& s) { agent = require_agent(s, account["agent_id"].get<Id>()); });
  return {{"id", agent.id},
          {"name", agent.name},
          {"email", agent.email},
          {"phone", agent.phone},
          {"organisation_ids", agent.organisation_ids},
          {"ics_feed_url", feed_url(agent)},
          {"account_id", account["id"]},
          {"api_token", account["api_token"]}};
}

Json App::create_user(Id organisation_id, const Json& body) {
  Fields f(body);
  std::string role = one_of(f, "role", {"org_admin", "desk", "observer"}, "desk");
  Account a;
  a.name = f.text("name");
  std::string email = f.text_or("email", "", 254);
  f.done();
  if (!email.empty()) a.email = lower_ascii(checked_mailbox(email, "email"));
  a.memberships = {{*parse_role(role), organisation_id, std::nullopt}};
  store_.read([&](StoreReader& s) { require_organisation(s, organisation_id); });
  Json account = create_account(a, true);
  return {{"id", account["id"]},
          {"role", role},
          {"organisation_id", organisation_id},
          {"name", a.name},
          {"api_token", account["api_token"]}};
}

Json App::update_place(const Staff& by, Id place_id, const Json& body) {
  Place place;
  store_.write([&](StoreWriter& tx) {
    place = require_place(tx, place_id);
    require_org_admin(by, place.organisation_id);
    Fields f(body);
    read_place_fields(f, place, false);
    f.done();
    tx.directory().update_place(place);
  });
  return to_json(place);
}

void App::remove_place(const Staff& by, Id place_id) {
  store_.write([&](StoreWriter& tx) {
    Place place = require_place(tx, place_id);
    require_org_admin(by, place.organisation_id);
    if (tx.directory().uses_of_place(place_id) > 0)
      throw ClientError(ErrorCode::kInvalidTransition,
                        "openings or bookings are at this place: move or remove them first");
    tx.directory().delete_place(place_id);
  });
}

Json App::update_service(const Staff& by, Id service_id, const Json& body) {
  Service service;
  store_.write([&](StoreWriter& tx) {
    service = require_service(tx, service_id);
    require_org_admin(by, service.organisation_id);
    Fields f(body);
    read_service_fields(f, service, false);
    auto archived = f.opt_bool("archived");
    f.done();
    tx.directory().update_service(service);
    if (archived && *archived != service.archived) {
      if (!*archived) require_open_organisation(tx, service.organisation_id);
      tx.directory().set_service_archived(service_id, *archived);
      service.archived = *archived;
    }
  });
  return to_json(service);
}

std::optional<Service> App::remove_service(const Staff& by, Id service_id) {
  std::optional<Service> archived;
  store_.write([&](StoreWriter& tx) {
    Service service = require_service(tx, service_id);
    require_org_admin(by, service.organisation_id);
    if (tx.bookings().count_of_service(service_id) > 0) {
      tx.directory().set_service_archived(service_id, true);  // its bookings keep their service
      service.archived = true;
      archived = service;
    } else {
      tx.directory().delete_service(service_id);
    }
  });
  return archived;
}

Json App::organisation_stats(Id organisation_id, TimeRange made) {
  if (made.end <= made.start)
    throw ClientError(ErrorCode::kInvalidTimeRange, "to must be after from", "to");
  if (made.end - made.start > std::chrono::days{366 * 5})
    throw ClientError(ErrorCode::kInvalidTimeRange, "the period is at most five years", "from");
  // Every service appears, with zeros when nothing was booked.
  auto zeros = [] {
    Json by_status = Json::object(), by_channel = Json::object();
    for (auto s : {BookingStatus::kConfirmed, BookingStatus::kCancelled, BookingStatus::kDone,
                   BookingStatus::kNoShow})
      by_status[std::string(status_name(s))] = 0;
    for (auto b : {BookedBy::kResident, BookedBy::kDesk, BookedBy::kAgent})
      by_channel[std::string(booked_by_name(b))] = 0;
    return Json{{"total", 0}, {"by_status", by_status}, {"by_channel", by_channel}};
  };
  Json surveys = survey_results(organisation_id);
  Json services = Json::array(), totals = zeros();
  Organisation org;
  store_.read([&](StoreReader& s) {
    org = require_organisation(s, organisation_id);
    std::map<Id, Json> counts;
    for (const Service& sv : s.directory().services_of({organisation_id}))
      if (!sv.archived) counts[sv.id] = zeros();
    for (const BookingCount& c : s.bookings().counts(organisation_id, made)) {
      if (!counts.count(c.service_id)) counts[c.service_id] = zeros();
      for (Json* j : {&counts[c.service_id], &totals}) {
        (*j)["total"] = (*j)["total"].get<int>() + c.count;
        auto& st = (*j)["by_status"][std::string(status_name(c.status))];
        st = st.get<int>() + c.count;
        auto& ch = (*j)["by_channel"][std::string(booked_by_name(c.booked_by))];
        ch = ch.get<int>() + c.count;
      }
    }
    for (auto& [id, bookings] : counts) {
      auto sv = s.service(id);
      Json survey = {{"answers", 0}, {"average_rating", 0.0}, {"solved_rate", 0.0}};
      for (const Json& line : surveys)
        if (line["service_id"] == id)
          survey = {{"answers", line["answers"]},
                    {"average_rating", line["average_rating"]},
                    {"solved_rate", line["solved_rate"]}};
      services.push_back({{"service_id", id},
                          {"service", sv ? sv->name : ""},
                          {"bookings", bookings},
                          {"survey", survey}});
    }
  });
  Zone zone = zone_named(org.timezone);
  return {{"organisation_id", organisation_id},
          {"from", format_rfc3339(made.start, zone)},
          {"to", format_rfc3339(made.end, zone)},
          {"totals", totals},
          {"services", services}};
}

void App::add_admin_routes() {
  router_.add("GET", "/openapi.yaml", [this](const HttpRequest&, const PathParams&) {
    return HttpResponse{200, "application/yaml; charset=utf-8", options_.openapi_yaml, {}};
  });
  router_.add("POST", "/api/v1/organisations", [this](const HttpRequest& r, const PathParams&) {
    require_admin(require_staff(r));
    return json_response(201, create_organisation(parse_json_object(r)));
  });
  router_.add("GET", "/api/v1/organisations/{org}",
              [this](const HttpRequest&, const PathParams& p) {
                Organisation o;
                store_.read([&](StoreReader& s) { o = require_organisation(s, p.id(0)); });
                return json_response(200, to_json(o));
              });
  // Creation under an organisation: its administrators (or territory administrators).
  auto under_org = [this](Json (App::*action)(Id, const Json&)) {
    return [this, action](const HttpRequest& r, const PathParams& p) {
      Id org = p.id(0);
      require_org_admin_of(r, org);
      return json_response(201, (this->*action)(org, parse_json_object(r)));
    };
  };
  // Anonymous statistics: bookings made in [from, to) (the last 30 days by default).
  router_.add("GET", "/api/v1/organisations/{org}/stats",
              [this](const HttpRequest& r, const PathParams& p) {
                Id org = p.id(0);
                // Who asks first: anonymous callers learn nothing of which exist.
                const Staff& me = require_staff(r);
                store_.read([&](StoreReader& s) {
                  require_organisation(s, org);
                  require_observer_of(me, org);
                });
                // By default up to now included: what was booked this very second too.
                Instant to = instant_param(r, "to", clock_.now() + std::chrono::seconds{1});
                Instant from = instant_param(r, "from", to - std::chrono::days{30});
                return json_response(200, organisation_stats(org, {from, to}));
              });
  router_.add("POST", "/api/v1/organisations/{org}/places", under_org(&App::create_place));
  router_.add("POST", "/api/v1/organisations/{org}/services", under_org(&App::create_service));
  router_.add("POST", "/api/v1/organisations/{org}/agents", under_org(&App::create_agent));
  router_.add("POST", "/api/v1/organisations/{org}/users", under_org(&App::create_user));
  router_.add("GET", "/api/v1/services/{id}", [this](const HttpRequest&, const PathParams& p) {
    std::optional<Service> s;
    store_.read([&](StoreReader& r) { s = r.service(p.id(0)); });
    if (!s) throw ClientError(ErrorCode::kNotFound, "service not found");
    return json_response(200, to_json(*s));
  });
  router_.add("GET", "/api/v1/places/{id}", [this](const HttpRequest&, const PathParams& p) {
    std::optional<Place> place;
    store_.read([&](StoreReader& r) { place = r.place(p.id(0)); });
    if (!place) throw ClientError(ErrorCode::kNotFound, "place not found");
    return json_response(200, to_json(*place));
  });
}

}  // namespace rdv
