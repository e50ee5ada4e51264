// Every route of the router's own table, called by every kind of caller:
// anonymous, the department's administrator, a territory administrator, the
// administrators, agents and desks of their own organisation and of another
// one outside the territory, and an observer. Each route has one rule below
// saying who may use it on organisation A's resources; the others must be
// refused (401, 403 or 404), and nobody ever gets a 5xx. A route added later
// without a rule here fails the test. The API runs in process on real SQLite.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "crypto/tokens.h"
#include "support/in_process_app.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

enum class Caller {
  kAnonymous,
  kAdmin,
  kTerritoryAdmin,  // of the territory holding organisation A
  kOrgAdminA,
  kOrgAdminB,  // organisation B, outside the territory
  kAgentA,
  kAgentB,
  kDeskA,  // made the booking of A
  kDeskB,
  kObserverA,
};
const Caller kCallers[] = {Caller::kAnonymous, Caller::kAdmin,     Caller::kTerritoryAdmin,
                           Caller::kOrgAdminA, Caller::kOrgAdminB, Caller::kAgentA,
                           Caller::kAgentB,    Caller::kDeskA,     Caller::kDeskB,
                           Caller::kObserverA};
const char* caller_name(Caller c) {
  const char* names[] = {"anonymous", "admin",   "territory admin", "org admin A", "org admin B",
                         "agent A",   "agent B", "desk A",          "desk B",      "observer A"};
  return names[static_cast<int>(c)];
}

using Rule = std::set<Caller>;
const Rule kEveryone = {kCallers, kCallers + std::size(kCallers)};
const Rule kStaff = [] {
  Rule r = kEveryone;
  r.erase(Caller::kAnonymous);
  return r;
}();
const Rule kAdminOnly = {Caller::kAdmin};
const Rule kAdminsOfA = {Caller::kAdmin, Caller::kTerritoryAdmin, Caller::kOrgAdminA};
const Rule kAdminsOfTheTerritory = {Caller::kAdmin, Caller::kTerritoryAdmin};
const Rule kMembersOfA = {Caller::kAdmin,  Caller::kTerritoryAdmin, Caller::kOrgAdminA,
                          Caller::kAgentA, Caller::kDeskA,          Caller::kObserverA};
const Rule kStaffOfA = {Caller::kAdmin, Caller::kTerritoryAdmin, Caller::kOrgAdminA,
                        Caller::kAgentA};
const Rule kPeopleManagers = {Caller::kAdmin, Caller::kTerritoryAdmin, Caller::kOrgAdminA,
                              Caller::kOrgAdminB};
const Rule kObserversOfA = {Caller::kAdmin, Caller::kTerritoryAdmin, Caller::kOrgAdminA,
                            Caller::kObserverA};
const Rule kAgendaOfA = {Caller::kAdmin, Caller::kTerritoryAdmin, Caller::kOrgAdminA,
                         Caller::kAgentA};
const Rule kAgentAOnly = {Caller::kAgentA};
// Whoever administers or observes some organisation (the pages list theirs).
const Rule kAdminsOrObservers = {Caller::kAdmin, Caller::kTerritoryAdmin, Caller::kOrgAdminA,
                                 Caller::kOrgAdminB, Caller::kObserverA};
const Rule kBookingOfA = {Caller::kAdmin, Caller::kTerritoryAdmin, Caller::kOrgAdminA,
                          Caller::kAgentA, Caller::kDeskA};
// Booking in a service of A: residents, A's staff, desks of the same territory.
const Rule kBookInA = {Caller::kAnonymous, Caller::kAdmin,  Caller::kTerritoryAdmin,
                       Caller::kOrgAdminA, Caller::kAgentA, Caller::kDeskA};
// Routes that a link token (in the path or the query) opens, and nothing else:
// a staff credential gives no more than anonymity there.
const Rule kLinkOnly = {};

// Who may call each route, on organisation A's resources.
const std::map<std::string, Rule> kRules = {
    {"GET /healthz", kEveryone},
    {"GET /readyz", kEveryone},
    {"GET /openapi.yaml", kEveryone},
    {"POST /api/v1/organisations", kAdminOnly},
    {"GET /api/v1/organisations/{org}", kEveryone},
    {"POST /api/v1/organisations/{org}/places", kAdminsOfA},
    {"POST /api/v1/organisations/{org}/services", kAdminsOfA},
    {"POST /api/v1/organisations/{org}/agents", kAdminsOfA},
    {"POST /api/v1/organisations/{org}/users", kAdminsOfA},
    {"GET /api/v1/services/{id}", kEveryone},
    {"GET /api/v1/places/{id}", kEveryone},
    {"POST /api/v1/agents/{agent}/openings", kAgendaOfA},
    {"POST /api/v1/agents/{agent}/absences", kAgendaOfA},
    {"GET /api/v1/slots", kEveryone},
    {"GET /api/v1/search", kEveryone},
    {"POST /api/v1/bookings", kBookInA},
    {"GET /api/v1/bookings/{id}", kBookingOfA},
    {"POST /api/v1/bookings/{id}/cancel", kBookingOfA},
    {"POST /api/v1/bookings/{id}/reschedule", kBookingOfA},
    {"POST /api/v1/bookings/{id}/status", kBookingOfA},
    {"GET /api/v1/bookings/{id}/calendar.ics", kLinkOnly},  // the resident's; agents have feeds
    {"GET /ical/agents/{agent}/{secret}", kLinkOnly},
    {"POST /api/v1/agents/{agent}/feed-secret", kAgendaOfA},
    {"GET /api/v1/agents/{agent}/calendars", kAgendaOfA},
    {"POST /api/v1/agents/{agent}/calendars", kAgendaOfA},
    {"POST /api/v1/agents/{agent}/calendars/{id}/refresh", kAgendaOfA},
    {"DELETE /api/v1/agents/{agent}/calendars/{id}", kAgendaOfA},
    {"PATCH /api/v1/agents/{agent}/calendars/{id}", kAgendaOfA},
    {"GET /api/v1/organisations/{org}/calendars", kAdminsOfA},
    {"GET /api/v1/agents/{agent}/busy", kAgendaOfA},
    {"POST /api/v1/bookings/{id}/summary", kBookingOfA},
    {"GET /api/v1/bookings/{id}/stop-reminders", kLinkOnly},
    {"POST /api/v1/bookings/{id}/stop-reminders", kLinkOnly},
    {"GET /api/v1/organisations/{org}/survey-stats", kObserversOfA},
    {"GET /api/v1/surveys/{token}", kLinkOnly},
    {"POST /api/v1/surveys/{token}", kLinkOnly},
    {"POST /api/v1/organisations/{org}/webhooks", kAdminsOfA},
    {"GET /api/v1/organisations/{org}/webhooks", kAdminsOfA},
    {"GET /api/v1/jobs", kAdminOnly},
    {"GET /metrics", kAdminOnly},
    {"PUT /api/v1/organisations/{org}/video", kAdminsOfA},
    {"GET /visio/{token}", kLinkOnly},
    {"POST /api/v1/bookings/{id}/documents", kLinkOnly},
    {"GET /api/v1/bookings/{id}/documents", kBookingOfA},
    {"GET /api/v1/bookings/{id}/documents/{doc}", kAgentAOnly},
    {"POST /api/v1/auth/sign-in", kEveryone},
    {"POST /api/v1/auth/sign-out", kStaff},
    {"POST /api/v1/auth/password", kEveryone},
    {"POST /api/v1/auth/password-reset", kEveryone},
    {"GET /api/v1/auth/oidc", kEveryone},
    // The residents' pages: public; their forms need the browser's CSRF
    // token, and the manage pages the booking's link.
    {"GET /static/{name}", kEveryone},
    {"GET /", kEveryone},
    {"GET /recherche", kEveryone},
    {"GET /services/{id}", kEveryone},
    {"GET /services/{id}/reserver", kEveryone},
    {"POST /services/{id}/reserver", kLinkOnly},
    {"GET /rendez-vous/{id}", kLinkOnly},
    {"POST /rendez-vous/{id}/annuler", kLinkOnly},
    {"GET /rendez-vous/{id}/deplacer", kLinkOnly},
    {"POST /rendez-vous/{id}/deplacer", kLinkOnly},
    {"POST /rendez-vous/{id}/rappels", kLinkOnly},
    {"POST /rendez-vous/{id}/documents", kLinkOnly},
    {"GET /mes-rendez-vous", kEveryone},  // the form; the list needs a resident's session
    {"POST /mes-rendez-vous", kLinkOnly},
    {"GET /mes-rendez-vous/connexion", kLinkOnly},
    {"POST /mes-rendez-vous/connexion", kLinkOnly},
    {"POST /mes-rendez-vous/deconnexion", kLinkOnly},
    {"GET /avis/{token}", kLinkOnly},
    {"POST /avis/{token}", kLinkOnly},
    {"GET /connexion", kEveryone},
    {"POST /connexion", kLinkOnly},
    {"POST /deconnexion", kLinkOnly},
    {"GET /mot-de-passe-oublie", kEveryone},
    {"POST /mot-de-passe-oublie", kLinkOnly},
    {"GET /espace", kEveryone},  // staff see their page; others are sent to sign in
    {"GET /espace/creneaux", kEveryone},
    {"POST /espace/creneaux", kLinkOnly},
    {"POST /espace/creneaux/{id}/retirer", kLinkOnly},
    {"POST /espace/rendez-vous/{id}/annuler", kLinkOnly},
    {"GET /espace/rendez-vous/{id}", kBookingOfA},  // others: 403, anonymous: sent to sign in
    {"POST /espace/rendez-vous/{id}/statut", kLinkOnly},
    {"POST /espace/rendez-vous/{id}/compte-rendu", kLinkOnly},
    {"GET /espace/rendez-vous/{id}/confirmation", kBookingOfA},
    {"GET /espace/rendez-vous/{id}/deplacer", kBookingOfA},
    {"POST /espace/rendez-vous/{id}/deplacer", kLinkOnly},
    {"GET /espace/absences", kEveryone},  // an agent's own; others are sent on
    {"POST /espace/absences", kLinkOnly},
    {"POST /espace/absences/{id}/retirer", kLinkOnly},
    {"GET /espace/agendas", kEveryone},
    {"POST /espace/agendas", kLinkOnly},
    {"POST /espace/agendas/adresse", kLinkOnly},
    {"POST /espace/agendas/{id}/relire", kLinkOnly},
    {"POST /espace/agendas/{id}/retirer", kLinkOnly},
    {"GET /api/v1/auth/oidc/callback", kLinkOnly},
    {"GET /compte/mot-de-passe", kEveryone},
    {"POST /compte/mot-de-passe", kLinkOnly},  // the link and the page's CSRF token
    {"GET /api/v1/me", kStaff},
    {"GET /api/v1/me/tokens", kStaff},
    {"POST /api/v1/me/tokens", kStaff},
    {"DELETE /api/v1/me/tokens/{id}", kStaff},
    {"POST /api/v1/territories", kAdminOnly},
    {"GET /api/v1/territories", kStaff},
    {"PUT /api/v1/organisations/{org}/territory", kAdminOnly},
    {"POST /api/v1/accounts", kPeopleManagers},
    {"GET /api/v1/accounts", kAdminOnly},  // without naming a part one administers
    {"GET /api/v1/accounts/{id}", kAdminsOfA},
    {"PATCH /api/v1/accounts/{id}", kAdminsOfA},
    {"POST /api/v1/accounts/{id}/deactivate", kAdminsOfA},
    {"POST /api/v1/accounts/{id}/invitation", kAdminsOfA},
    {"GET /api/v1/audit", kAdminOnly},
    {"GET /api/v1/organisations", kEveryone},
    {"PATCH /api/v1/organisations/{org}", kAdminsOfA},
    // Closing A archives it (it is in use): later routes on A answer as for
    // a closed organisation, which changes no one's rights.
    {"DELETE /api/v1/organisations/{org}", kAdminsOfTheTerritory},
    {"GET /api/v1/territories/{id}", kStaff},
    {"DELETE /api/v1/territories/{id}", kAdminOnly},
    {"GET /api/v1/agents/{agent}", kMembersOfA},
    {"PATCH /api/v1/organisations/{org}/webhooks/{id}", kAdminsOfA},
    {"PATCH /api/v1/territories/{id}", kAdminsOfTheTerritory},
    {"GET /api/v1/organisations/{org}/places", kEveryone},
    {"PATCH /api/v1/places/{id}", kAdminsOfA},
    {"DELETE /api/v1/places/{id}", kAdminsOfA},
    {"GET /api/v1/organisations/{org}/services", kEveryone},
    {"PATCH /api/v1/services/{id}", kAdminsOfA},
    {"DELETE /api/v1/services/{id}", kAdminsOfA},
    {"GET /api/v1/organisations/{org}/agents", kMembersOfA},
    {"PATCH /api/v1/agents/{agent}", kAgendaOfA},
    {"GET /api/v1/agents/{agent}/openings", kAgendaOfA},
    {"DELETE /api/v1/agents/{agent}/openings/{id}", kAgendaOfA},
    {"PATCH /api/v1/agents/{agent}/openings/{id}", kAgendaOfA},
    {"PATCH /api/v1/agents/{agent}/absences/{id}", kAgendaOfA},
    {"GET /api/v1/agents/{agent}/absences", kAgendaOfA},
    {"DELETE /api/v1/agents/{agent}/absences/{id}", kAgendaOfA},
    {"DELETE /api/v1/organisations/{org}/webhooks/{id}", kAdminsOfA},
    {"GET /api/v1/agents/{agent}/bookings", kAgendaOfA},
    {"GET /api/v1/organisations/{org}/bookings", kAdminsOfA},
    {"POST /api/v1/bookings/{id}/reassign", kAdminsOfA},
    {"POST /api/v1/agents/{agent}/bookings/reassign", kAdminsOfA},
    {"GET /api/v1/me/bookings", kStaff},
    // On a second booking of desk A (withdrawing changes who may act): desk A
    // may too while the mandate stands (accounts_test.cpp).
    {"POST /api/v1/bookings/{id}/mandate/withdraw", kStaffOfA},
    {"POST /api/v1/residents/export", kPeopleManagers},
    {"POST /api/v1/residents/erase", kPeopleManagers},
    // The administrators' pages: the list and the statistics for whoever
    // administers or observes something, an organisation's pages for its
    // administrators; their forms need the browser's CSRF token.
    {"GET /api/v1/organisations/{org}/stats", kObserversOfA},
    {"GET /espace/admin", kAdminsOrObservers},
    {"GET /espace/statistiques", kAdminsOrObservers},
    {"GET /espace/admin/organisations/{org}", kAdminsOfA},
    {"GET /espace/admin/organisations/{org}/lieux/nouveau", kAdminsOfA},
    {"GET /espace/admin/organisations/{org}/lieux/{id}", kAdminsOfA},
    {"POST /espace/admin/organisations/{org}/lieux", kLinkOnly},
    {"POST /espace/admin/organisations/{org}/lieux/{id}", kLinkOnly},
    {"POST /espace/admin/organisations/{org}/lieux/{id}/supprimer", kLinkOnly},
    {"GET /espace/admin/organisations/{org}/demarches/nouvelle", kAdminsOfA},
    {"GET /espace/admin/organisations/{org}/demarches/{id}", kAdminsOfA},
    {"POST /espace/admin/organisations/{org}/demarches", kLinkOnly},
    {"POST /espace/admin/organisations/{org}/demarches/{id}", kLinkOnly},
    {"POST /espace/admin/organisations/{org}/demarches/{id}/supprimer", kLinkOnly},
    {"GET /espace/admin/organisations/{org}/personnes/inviter", kAdminsOfA},
    {"POST /espace/admin/organisations/{org}/personnes", kLinkOnly},
    {"POST /espace/admin/organisations/{org}/personnes/{id}/desactiver", kLinkOnly},
    {"POST /espace/admin/organisations/{org}/personnes/{id}/invitation", kLinkOnly},
    {"GET /espace/admin/organisations/{org}/visio", kAdminsOfA},
    {"POST /espace/admin/organisations/{org}/visio", kLinkOnly},
    {"GET /espace/admin/organisations/{org}/webhooks/nouveau", kAdminsOfA},
    {"POST /espace/admin/organisations/{org}/webhooks", kLinkOnly},
    {"POST /espace/admin/organisations/{org}/webhooks/{id}/supprimer", kLinkOnly},
};

class AccessMatrix : public ::testing::Test {
 protected:
  AccessMatrix() : api_(*parse_rfc3339("2026-12-01T08:00:00Z")), app_(api_.app) {
    app_.bootstrap_admin(tokens_[Caller::kAdmin] = "admin-token-0123456789abcdefghijkl");
    org_a_ = app_.create_organisation({{"name", "France Services de Cenon"}})["id"];
    org_b_ = app_.create_organisation({{"name", "Mairie de Bègles"}})["id"];
    territory_ =
        must(call(Caller::kAdmin, "POST", "/api/v1/territories", {{"name", "Rive droite"}}))["id"];
    must(call(Caller::kAdmin, "PUT",
              "/api/v1/organisations/" + std::to_string(org_a_) + "/territory",
              {{"territory_id", territory_}}),
         200);
    place_a_ = app_.create_place(org_a_, {{"name", "Cenon"}})["id"];
    service_a_ =
        app_.create_service(org_a_, {{"name", "Carte grise"}, {"duration_minutes", 30}})["id"];
    json agent_a = app_.create_agent(org_a_, {{"name", "Sophie Laurent"}});
    agent_a_ = agent_a["id"];
    // The account the account routes act on (deactivated on the way): a colleague of A.
    spare_account_ = app_.create_agent(org_a_, {{"name", "Remplaçant"}})["account_id"];
    tokens_[Caller::kAgentA] = agent_a["api_token"];
    tokens_[Caller::kAgentB] = app_.create_agent(org_b_, {{"name", "Marc Petit"}})["api_token"];
    auto user = [&](Caller c, long org, const char* role) {
      tokens_[c] = app_.create_user(org, {{"name", caller_name(c)}, {"role", role}})["api_token"];
    };
    user(Caller::kOrgAdminA, org_a_, "org_admin");
    user(Caller::kOrgAdminB, org_b_, "org_admin");
    user(Caller::kDeskA, org_a_, "desk");
    user(Caller::kDeskB, org_b_, "desk");
    user(Caller::kObserverA, org_a_, "observer");
    // The territory administrator, invited, with a token of its own.
    json invited = must(
        call(Caller::kAdmin, "POST", "/api/v1/accounts",
             {{"name", "Territoire"},
              {"email", "territoire@gironde.fr"},
              {"memberships", {{{"role", "territory_admin"}, {"territory_id", territory_}}}}}));
    tokens_[Caller::kTerritoryAdmin] = new_token(api_.random);
    api_.store().write([&](StoreWriter& tx) {
      ApiToken t;
      t.account_id = invited["id"];
      t.name = "test";
      t.created_at = api_.clock.now();
      tx.accounts().insert_token(t, token_hash(tokens_[Caller::kTerritoryAdmin]));
    });
    app_.create_opening(agent_a_, {{"place_id", place_a_},
                                   {"service_ids", {service_a_}},
                                   {"start", "2026-12-08T09:00"},
                                   {"end", "2026-12-08T12:00"}});
    booking_a_ = must(call(
        Caller::kDeskA, "POST", "/api/v1/bookings",
        {{"service_id", service_a_},
         {"start", "2026-12-08T09:00:00+01:00"},
         {"resident", {{"first_name", "Léa"}, {"last_name", "Dupont"}, {"phone", "+33612345678"}}},
         {"mandate", {{"consent", true}, {"kind", "oral"}}}}))["id"];
    second_booking_a_ = must(call(
        Caller::kDeskA, "POST", "/api/v1/bookings",
        {{"service_id", service_a_},
         {"start", "2026-12-08T11:00:00+01:00"},
         {"resident", {{"first_name", "Awa"}, {"last_name", "Kone"}, {"phone", "+33612345670"}}},
         {"mandate", {{"consent", true}, {"kind", "written"}}}}))["id"];
    calendar_a_ =
        api_.sync.subscribe(agent_a_, "https://agenda.example.fr/a.ics", CalendarPurpose::kBusy).id;
  }

  HttpResponse call(Caller who, const std::string& method, const std::string& path,
                    const json& body = json::object()) {
    Call c;
    if (method != "GET" && method != "DELETE") c.body = body;
    if (who != Caller::kAnonymous) c.token = tokens_[who];
    c.client_ip = "192.0.2." + std::to_string(static_cast<int>(who) + 1);
    return api_.call(method, path, c);
  }
  static json must(const HttpResponse& r, int status = 201) {
    if (r.status != status)
      throw std::runtime_error("set-up: " + std::to_string(r.status) + " " + r.body);
    return r.body.empty() ? json() : json::parse(r.body);
  }

  // The route's pattern with A's resources in it.
  std::string path_of(const std::string& pattern) const {
    std::string path = pattern;
    auto put = [&](const std::string& name, const std::string& value) {
      for (size_t at; (at = path.find(name)) != std::string::npos;)
        path.replace(at, name.size(), value);
    };
    put("{org}", std::to_string(org_a_));
    put("{agent}", std::to_string(agent_a_));
    put("{token}", "not-a-token");
    put("{name}", "site.css");
    put("{secret}", "not-a-secret");
    put("{doc}", "1");
    put("/me/tokens/{id}", "/me/tokens/999999");  // nobody's: revoking one's own would end the run
    // {id} is the record of A that the route names by the segment before it.
    const std::pair<const char*, long> ids[] = {
        {"/territories/", territory_}, {"/calendars/", calendar_a_},
        {"/bookings/", booking_a_},    {"/services/", service_a_},
        {"/places/", place_a_},        {"/accounts/", spare_account_},
        {"/rendez-vous/", booking_a_}, {"/lieux/", place_a_},
        {"/demarches/", service_a_},   {"/personnes/", spare_account_}};
    std::string id = "1";
    if (pattern.find("/mandate/") != std::string::npos) {
      put("{id}", std::to_string(second_booking_a_));
      return path;
    }
    for (const auto& [segment, value] : ids)
      if (pattern.find(std::string(segment) + "{id}") != std::string::npos)
        id = std::to_string(value);
    put("{id}", id);
    return path;
  }
  json body_of(const std::string& route) const {
    if (route == "POST /api/v1/bookings")
      return {{"service_id", service_a_},
              {"start", "2026-12-08T10:00:00+01:00"},
              {"resident",
               {{"first_name", "Jean"}, {"last_name", "Martin"}, {"phone", "+33612345679"}}}};
    if (route == "PUT /api/v1/organisations/{org}/territory")  // keep A where it is
      return {{"territory_id", territory_}};
    return json::object();
  }

  InProcessApp api_;
  App& app_;
  std::map<Caller, std::string> tokens_;
  long org_a_ = 0, org_b_ = 0, territory_ = 0, place_a_ = 0, service_a_ = 0, agent_a_ = 0,
       spare_account_ = 0, booking_a_ = 0, second_booking_a_ = 0, calendar_a_ = 0;
};

TEST_F(AccessMatrix, EveryRouteHasARuleAndEveryCallerIsHeldToIt) {
  std::vector<std::string> routes = app_.routes();
  ASSERT_GT(routes.size(), 50u);
  for (const std::string& route : routes) {
    SCOPED_TRACE(route);
    auto rule = kRules.find(route);
    ASSERT_NE(rule, kRules.end()) << "a route without a rule in this test: say who may use it";
    std::string method = route.substr(0, route.find(' '));
    std::string path = path_of(route.substr(route.find(' ') + 1));
    for (Caller who : kCallers) {
      HttpResponse r = call(who, method, path, body_of(route));
      // A page sends anonymous visitors to sign in: that is a refusal too.
      bool to_sign_in =
          r.status == 303 && std::any_of(r.headers.begin(), r.headers.end(), [](const auto& h) {
            return h.first == "Location" && h.second.rfind("/connexion", 0) == 0;
          });
      bool refused = r.status == 401 || r.status == 403 || r.status == 404 || to_sign_in;
      EXPECT_LT(r.status, 500) << caller_name(who) << ": " << r.body;
      if (rule->second.count(who)) {
        EXPECT_FALSE(r.status == 401 || r.status == 403)
            << caller_name(who) << " may use it, got " << r.status << " " << r.body;
      } else {
        EXPECT_TRUE(refused || rule->second.empty())
            << caller_name(who) << " may not use it, got " << r.status << " " << r.body;
      }
      if (rule->second.empty()) {  // a link route with a bogus link
        EXPECT_GE(r.status, 400) << caller_name(who) << ": " << r.body;
      }
    }
  }
  // Every rule names a route that exists (no stale entries).
  for (const auto& [route, rule] : kRules)
    EXPECT_NE(std::find(routes.begin(), routes.end(), route), routes.end()) << route;
}

}  // namespace
}  // namespace rdv::testing
