// Organisations, places, services, agents and users: set up by administrators.
#include <algorithm>

#include "app.h"
#include "auth.h"
#include "directory_fields.h"
#include "domain/contact.h"
#include "domain/error.h"
#include "domain/text.h"
#include "storage/require.h"

namespace rdv {

Json App::create_organisation(const Json& body) {
  Fields f(body);
  Organisation o;
  read_organisation_fields(f, o, true);
  f.done();
  store_.write([&](StoreWriter& tx) { o.id = tx.insert_organisation(o); });
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
    p.id = tx.insert_place(p);
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
    s.id = tx.insert_service(s);
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

void App::add_admin_routes() {
  router_.add("GET", "/healthz", [this](const HttpRequest&, const PathParams&) {
    if (!store_.healthy()) throw ClientError(ErrorCode::kUnavailable, "database unavailable");
    return json_response(200, {{"status", "ok"}});
  });
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
