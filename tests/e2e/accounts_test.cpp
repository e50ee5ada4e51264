// Staff accounts over HTTP: invitation, password, sessions, tokens,
// deactivation, territories and roles, and the audit log.
#include <gtest/gtest.h>

#include <set>

#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

const char* kPassword = "Vélo-rouge-sur-la-Garonne";

class Accounts : public ::testing::Test {
 protected:
  Accounts() : http_(server_.port()), world_(make_world(http_)) {}

  Reply send(const std::string& method, const std::string& target, const json& body,
             const std::string& cookie = "", const std::string& token = "") const {
    std::map<std::string, std::string> h{{"Content-Type", "application/json"}};
    if (!cookie.empty()) h["Cookie"] = cookie;
    if (!token.empty()) h["Authorization"] = "Bearer " + token;
    return http_.request(method, target, body.is_null() ? "" : body.dump(), h);
  }
  // A desk books 10:00 of the world's day for the resident, with this mandate.
  Reply book_at_ten(const std::string& desk_cookie, const json& mandate) const {
    return send("POST", "/api/v1/bookings",
                {{"service_id", world_.service},
                 {"start", world_.at("10:00")},
                 {"resident", resident()},
                 {"mandate", mandate}},
                desk_cookie);
  }
  Reply get_with_cookie(const std::string& target, const std::string& cookie) const {
    return http_.request("GET", target, "", {{"Cookie", cookie}});
  }

  // Invites a person with these memberships and returns the invitation token.
  std::pair<long, std::string> invite(const std::string& email, const json& memberships,
                                      const std::string& by = ServerProcess::kAdminToken) {
    Reply r =
        http_.post("/api/v1/accounts",
                   {{"name", "Nadia Benali"}, {"email", email}, {"memberships", memberships}}, by);
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {0, ""};
    EXPECT_EQ(r.json()["status"], "invited");
    std::string url = r.json()["invitation_url"];
    return {r.json()["id"].get<long>(), url.substr(url.find("token=") + 6)};
  }

  // Signs in and returns "rdv_session=<token>".
  std::string sign_in(const std::string& email, const std::string& password = kPassword) {
    Reply r = send("POST", "/api/v1/auth/sign-in", {{"email", email}, {"password", password}});
    EXPECT_EQ(r.status, 200) << r.body;
    std::string cookie = r.headers["set-cookie"];
    return cookie.substr(0, cookie.find(';'));
  }

  // An invited person with a password, signed in; returns the session cookie.
  std::string member(const std::string& email, const json& memberships) {
    auto [id, token] = invite(email, memberships);
    EXPECT_EQ(
        send("POST", "/api/v1/auth/password", {{"token", token}, {"password", kPassword}}).status,
        200);
    return sign_in(email);
  }

  json org_membership(const char* role, long org) const {
    return json::array({{{"role", role}, {"organisation_id", org}}});
  }

  ServerProcess server_;
  HttpClient http_;
  World world_;
};

TEST_F(Accounts, AnInvitationLinkSetsThePasswordOnceAndOpensASession) {
  auto [id, token] = invite("Nadia.Benali@Cenon.fr", org_membership("org_admin", world_.org));
  ASSERT_FALSE(token.empty());
  // The link opens a page with a form.
  Reply page = http_.get("/compte/mot-de-passe?token=" + token);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("type=\"password\""), std::string::npos);
  // Invited accounts cannot sign in yet.
  EXPECT_EQ(send("POST", "/api/v1/auth/sign-in",
                 {{"email", "nadia.benali@cenon.fr"}, {"password", kPassword}})
                .status,
            401);
  // Short, common or personal passwords are refused and the link still works.
  for (const char* weak : {"court", "motdepasse2024!", "azertyuiop123", "nadia.benali"}) {
    Reply r = send("POST", "/api/v1/auth/password", {{"token", token}, {"password", weak}});
    EXPECT_EQ(r.status, 400) << weak;
    EXPECT_EQ(r.error_field(), "password") << weak;
  }
  Reply set = send("POST", "/api/v1/auth/password", {{"token", token}, {"password", kPassword}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json()["account_id"], id);
  // Used once: the second use is refused, naming the token.
  Reply again = send("POST", "/api/v1/auth/password", {{"token", token}, {"password", kPassword}});
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.error_field(), "token");

  // Sign-in: one message whatever was wrong; the cookie is HttpOnly and Lax.
  Reply wrong = send("POST", "/api/v1/auth/sign-in",
                     {{"email", "nadia.benali@cenon.fr"}, {"password", "not-the-password"}});
  Reply unknown = send("POST", "/api/v1/auth/sign-in",
                       {{"email", "personne@cenon.fr"}, {"password", kPassword}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(json::parse(wrong.body)["error"]["message"],
            json::parse(unknown.body)["error"]["message"]);
  Reply in = send("POST", "/api/v1/auth/sign-in",
                  {{"email", "NADIA.benali@cenon.fr"}, {"password", kPassword}});
  ASSERT_EQ(in.status, 200) << in.body;
  std::string set_cookie = in.headers["set-cookie"];
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos);  // the public URL is http here
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));

  Reply me = get_with_cookie("/api/v1/me", cookie);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["email"], "nadia.benali@cenon.fr");
  EXPECT_EQ(me.json()["memberships"][0]["role"], "org_admin");
  EXPECT_FALSE(me.json()["last_sign_in_at"].is_null());
  // The session carries the rights: the org admin creates a place in their organisation.
  EXPECT_EQ(send("POST", "/api/v1/organisations/" + std::to_string(world_.org) + "/places",
                 {{"name", "Annexe"}}, cookie)
                .status,
            201);

  // A change sent with the cookie from another site is refused; the same
  // from our own pages (or a program with a token) goes through.
  std::string places = "/api/v1/organisations/" + std::to_string(world_.org) + "/places";
  Reply cross = http_.request("POST", places, json{{"name", "Piège"}}.dump(),
                              {{"Content-Type", "application/json"},
                               {"Cookie", cookie},
                               {"Origin", "https://evil.example"}});
  EXPECT_EQ(cross.status, 403) << cross.body;
  Reply cross_site = http_.request("POST", "/api/v1/auth/sign-out", "",
                                   {{"Cookie", cookie}, {"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(cross_site.status, 403);
  Reply own = http_.request("POST", places, json{{"name", "Annexe 2"}}.dump(),
                            {{"Content-Type", "application/json"},
                             {"Cookie", cookie},
                             {"Sec-Fetch-Site", "same-origin"}});
  EXPECT_EQ(own.status, 201) << own.body;

  Reply out = send("POST", "/api/v1/auth/sign-out", nullptr, cookie);
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.headers["set-cookie"].find("Max-Age=0"), std::string::npos);
  // The old cookie is now anonymous, and told to go.
  Reply after = get_with_cookie("/api/v1/me", cookie);
  EXPECT_EQ(after.status, 401);
  EXPECT_NE(after.headers["set-cookie"].find("Max-Age=0"), std::string::npos);
  // Signing in again with the old cookie still in the browser gives a new one.
  Reply signed_again = send("POST", "/api/v1/auth/sign-in",
                            {{"email", "nadia.benali@cenon.fr"}, {"password", kPassword}}, cookie);
  ASSERT_EQ(signed_again.status, 200);
  std::string renewed = signed_again.headers["set-cookie"];
  EXPECT_EQ(renewed.find("Max-Age=0"), std::string::npos) << renewed;
  EXPECT_EQ(get_with_cookie("/api/v1/me", renewed.substr(0, renewed.find(';'))).status, 200);
}

TEST_F(Accounts, ApiTokensAreNamedShownOnceAndRevokedOneByOne) {
  std::string cookie = member("agent@cenon.fr", org_membership("agent", world_.org));
  Reply a = send("POST", "/api/v1/me/tokens", {{"name", "agenda sync"}}, cookie);
  Reply b = send("POST", "/api/v1/me/tokens", {{"name", "scripts"}}, cookie);
  ASSERT_EQ(a.status, 201) << a.body;
  std::string token_a = a.json()["token"], token_b = b.json()["token"];
  EXPECT_GE(token_a.size(), 43u);
  EXPECT_EQ(http_.get("/api/v1/me", token_a).status, 200);
  Reply listed = get_with_cookie("/api/v1/me/tokens", cookie);
  ASSERT_EQ(listed.json().size(), 2u);
  EXPECT_EQ(listed.body.find(token_a), std::string::npos);  // never shown again
  EXPECT_EQ(send("POST", "/api/v1/me/tokens",
                 {{"name", "old"}, {"expires_at", "2020-01-01T00:00:00Z"}}, cookie)
                .error_field(),
            "expires_at");

  EXPECT_EQ(send("DELETE", "/api/v1/me/tokens/" + std::to_string(a.json()["id"].get<long>()),
                 nullptr, cookie)
                .status,
            204);
  EXPECT_EQ(http_.get("/api/v1/me", token_a).status, 401);
  EXPECT_EQ(http_.get("/api/v1/me", token_b).status, 200);
  // Someone else's token cannot be revoked (or probed) by id.
  EXPECT_EQ(send("DELETE", "/api/v1/me/tokens/" + std::to_string(b.json()["id"].get<long>()),
                 nullptr, "", world_.agent_token)
                .status,
            404);
}

TEST_F(Accounts, DeactivationEndsSessionsAndTokensAtOnceAndKeepsTheBookings) {
  std::string cookie = member("sortant@cenon.fr", org_membership("agent", world_.org));
  Reply token = send("POST", "/api/v1/me/tokens", {{"name", "x"}}, cookie);
  std::string api_token = token.json()["token"];
  long id = get_with_cookie("/api/v1/me", cookie).json()["id"];
  // An agent may not deactivate anyone; the org admin may.
  EXPECT_EQ(http_
                .post("/api/v1/accounts/" + std::to_string(id) + "/deactivate", json::object(),
                      world_.agent_token)
                .status,
            404);
  Reply off = http_.post("/api/v1/accounts/" + std::to_string(id) + "/deactivate", json::object(),
                         world_.admin_token);
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.json()["status"], "deactivated");
  EXPECT_EQ(get_with_cookie("/api/v1/me", cookie).status, 401);
  EXPECT_EQ(http_.get("/api/v1/me", api_token).status, 401);
  EXPECT_EQ(
      send("POST", "/api/v1/auth/sign-in", {{"email", "sortant@cenon.fr"}, {"password", kPassword}})
          .status,
      401);
}

TEST_F(Accounts, RepeatedFailuresAreSlowedDownPerEmail) {
  member("cible@cenon.fr", org_membership("desk", world_.org));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(
        send("POST", "/api/v1/auth/sign-in",
             {{"email", "cible@cenon.fr"}, {"password", "wrong-password-" + std::to_string(i)}})
            .status,
        401);
  // The fourth attempt right after is refused before the password is even checked.
  Reply slowed =
      send("POST", "/api/v1/auth/sign-in", {{"email", "cible@cenon.fr"}, {"password", kPassword}});
  EXPECT_EQ(slowed.status, 429);
  EXPECT_FALSE(slowed.headers["retry-after"].empty());
}

TEST_F(Accounts, RolesAreCheckedAgainstTerritoriesAndOrganisations) {
  Reply territory =
      http_.post("/api/v1/territories", {{"name", "Rive droite"}}, world_.admin_token);
  ASSERT_EQ(territory.status, 201) << territory.body;
  long t = territory.json()["id"];
  ASSERT_EQ(
      http_
          .request("PUT", "/api/v1/organisations/" + std::to_string(world_.org) + "/territory",
                   json{{"territory_id", t}}.dump(),
                   {{"Content-Type", "application/json"},
                    {"Authorization", std::string("Bearer ") + ServerProcess::kAdminToken}})
          .status,
      200);
  long elsewhere =
      http_.post("/api/v1/organisations", {{"name", "Mairie de Bègles"}}, world_.admin_token)
          .json()["id"];

  std::string territory_admin = member(
      "territoire@gironde.fr", json::array({{{"role", "territory_admin"}, {"territory_id", t}}}));
  // Every organisation of the territory, and nothing outside.
  EXPECT_EQ(send("POST", "/api/v1/organisations/" + std::to_string(world_.org) + "/places",
                 {{"name", "Permanence"}}, territory_admin)
                .status,
            201);
  EXPECT_EQ(send("POST", "/api/v1/organisations/" + std::to_string(elsewhere) + "/places",
                 {{"name", "Permanence"}}, territory_admin)
                .status,
            403);
  // It grants roles within the territory only, never admin.
  EXPECT_EQ(send("POST", "/api/v1/accounts",
                 {{"name", "X"},
                  {"email", "x@cenon.fr"},
                  {"memberships", org_membership("agent", elsewhere)}},
                 territory_admin)
                .status,
            403);
  EXPECT_EQ(send("POST", "/api/v1/accounts",
                 {{"name", "X"},
                  {"email", "x@cenon.fr"},
                  {"memberships", json::array({{{"role", "admin"}}})}},
                 territory_admin)
                .status,
            403);
  Reply listed =
      get_with_cookie("/api/v1/accounts?territory_id=" + std::to_string(t), territory_admin);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json()["items"].size(), 2u);  // the agent of the world and itself
  EXPECT_EQ(get_with_cookie("/api/v1/accounts", territory_admin).status, 403);

  // An observer never reads a booking (a resident's data).
  std::string observer = member("stats@cenon.fr", org_membership("observer", world_.org));
  Reply booked = http_.post(
      "/api/v1/bookings",
      {{"service_id", world_.service}, {"start", world_.at("09:00")}, {"resident", resident()}});
  ASSERT_EQ(booked.status, 201) << booked.body;
  std::string booking = "/api/v1/bookings/" + std::to_string(booked.json()["id"].get<long>());
  EXPECT_EQ(get_with_cookie(booking, observer).status, 403);
  EXPECT_EQ(http_.get(booking, world_.agent_token).status, 200);
}

TEST_F(Accounts, DesksBookInTheirTerritoryAndManageTheBookingsTheyMade) {
  std::string desk = member("guichet@cenon.fr", org_membership("desk", world_.org));
  json mandate = {{"consent", true}, {"kind", "oral"}};
  Reply booked = book_at_ten(desk, mandate);
  ASSERT_EQ(booked.status, 201) << booked.body;
  EXPECT_EQ(booked.json()["booked_by"], "desk");
  std::string path = "/api/v1/bookings/" + std::to_string(booked.json()["id"].get<long>());
  EXPECT_EQ(get_with_cookie(path, desk).status, 200);
  // Another desk did not make it.
  std::string other = member("guichet2@cenon.fr", org_membership("desk", world_.org));
  EXPECT_EQ(get_with_cookie(path, other).status, 403);
}

TEST_F(Accounts, AMandateRecordsWhatWhoAndHowAndTheVisitorWithdrawsIt) {
  std::string desk = member("guichet@cenon.fr", org_membership("desk", world_.org));
  long desk_account = get_with_cookie("/api/v1/me", desk).json()["id"];
  json mandate = {{"consent", true},
                  {"kind", "written"},
                  {"procedures", {"carte grise", "changement d'adresse"}},
                  {"identity_check", "identity_card"},
                  {"valid_until", world_.day}};
  json wrong = mandate;
  wrong["identity_check"] = "AB123456";  // a document number is not a kind of document
  Reply refused = book_at_ten(desk, wrong);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.error_field(), "mandate.identity_check");
  json past = mandate;
  past["valid_until"] = "2020-01-01";
  EXPECT_EQ(book_at_ten(desk, past).error_field(), "mandate.valid_until");
  // Booked with an idempotency key, as a desk's tool would.
  std::string request = json{
      {"service_id", world_.service},
      {"start", world_.at("10:00")},
      {"resident", resident()},
      {"mandate", mandate}}.dump();
  auto book_once = [&] {
    return http_.request("POST", "/api/v1/bookings", request,
                         {{"Content-Type", "application/json"},
                          {"Cookie", desk},
                          {"Idempotency-Key", "desk-visit-1"}});
  };
  Reply booked = book_once();
  ASSERT_EQ(booked.status, 201) << booked.body;
  json recorded = booked.json()["mandate"];
  EXPECT_EQ(recorded["procedures"], mandate["procedures"]);
  EXPECT_EQ(recorded["identity_check"], "identity_card");
  EXPECT_EQ(recorded["valid_until"], world_.day);
  EXPECT_EQ(recorded["recorded_by_account_id"], desk_account);
  EXPECT_FALSE(recorded["recorded_at"].is_null());
  EXPECT_TRUE(recorded["withdrawn_at"].is_null());

  // The visitor withdraws it with the link of their booking; the desk can no
  // longer act on the booking, which stays.
  long id = booked.json()["id"];
  std::string token = booked.json()["manage_token"];
  std::string path = "/api/v1/bookings/" + std::to_string(id);
  Reply withdrawn = http_.post(path + "/mandate/withdraw?token=" + token, json::object());
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  EXPECT_FALSE(withdrawn.json()["mandate"]["withdrawn_at"].is_null());
  EXPECT_EQ(withdrawn.json()["status"], "confirmed");
  EXPECT_EQ(get_with_cookie(path, desk).status, 403);
  EXPECT_EQ(send("POST", path + "/cancel", json::object(), desk).status, 403);
  EXPECT_EQ(get_with_cookie("/api/v1/me/bookings", desk).json()["items"].size(), 0u);
  // Sending the booking again gives the desk nothing back (no manage link).
  Reply replayed = book_once();
  EXPECT_EQ(replayed.status, 403) << replayed.body;
  EXPECT_EQ(replayed.body.find(token), std::string::npos);
  EXPECT_EQ(http_.post(path + "/mandate/withdraw?token=" + token, json::object()).status, 409);
  EXPECT_EQ(http_.post(path + "/mandate/withdraw?token=forged", json::object()).status, 403);
}

TEST_F(Accounts, TheAuditLogRecordsSignInsWritesAndReadsOfResidentsData) {
  std::string cookie = member("lecteur@cenon.fr", org_membership("org_admin", world_.org));
  send("POST", "/api/v1/auth/sign-in", {{"email", "lecteur@cenon.fr"}, {"password", "nope-nope"}});
  Reply booked = http_.post(
      "/api/v1/bookings",
      {{"service_id", world_.service}, {"start", world_.at("11:00")}, {"resident", resident()}});
  long id = booked.json()["id"];
  ASSERT_EQ(get_with_cookie("/api/v1/bookings/" + std::to_string(id), cookie).status, 200);
  long account = get_with_cookie("/api/v1/me", cookie).json()["id"];

  Reply log = http_.get("/api/v1/audit?account_id=" + std::to_string(account), world_.admin_token);
  ASSERT_EQ(log.status, 200) << log.body;
  std::multiset<std::string> seen;
  json entries = log.json()["items"];
  for (const json& e : entries) seen.insert(e["action"].get<std::string>());
  EXPECT_EQ(seen.count("invitation_accepted"), 1u);
  EXPECT_EQ(seen.count("sign_in"), 1u);
  EXPECT_EQ(seen.count("sign_in_failed"), 1u);
  EXPECT_EQ(seen.count("read_personal_data"), 1u);
  Reply reads = http_.get("/api/v1/audit?action=read_personal_data&target=id:" + std::to_string(id),
                          world_.admin_token);
  ASSERT_EQ(reads.json()["items"].size(), 1u) << reads.body;
  EXPECT_EQ(reads.json()["items"][0]["route"], "GET /api/v1/bookings/{id}");
  EXPECT_EQ(reads.json()["items"][0]["account_id"], account);
  // Lists of bookings are reads of residents' data too.
  ASSERT_EQ(
      get_with_cookie("/api/v1/organisations/" + std::to_string(world_.org) + "/bookings", cookie)
          .status,
      200);
  Reply lists =
      http_.get("/api/v1/audit?action=read_personal_data&account_id=" + std::to_string(account),
                world_.admin_token);
  EXPECT_NE(lists.body.find("GET /api/v1/organisations/{org}/bookings"), std::string::npos)
      << lists.body;
  // Writes by staff are there too (the agent's openings of the world).
  Reply writes = http_.get("/api/v1/audit?action=write", world_.admin_token);
  EXPECT_GE(writes.json()["items"].size(), 2u);
  // Only the department's administrators read it.
  EXPECT_EQ(get_with_cookie("/api/v1/audit", cookie).status, 403);
}

}  // namespace
}  // namespace rdv::testing
