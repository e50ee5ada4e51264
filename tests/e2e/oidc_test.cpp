// Single sign-on through an OpenID Connect provider that the test starts:
// the whole browser round trip over real sockets, and every way the ID token
// or the return to the service can be wrong.
#include <gtest/gtest.h>

#include "oidc_provider.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;
using Flaw = OidcProvider::Flaw;

// The Set-Cookie line of cookie `name` in a reply, or "".
std::string set_cookie_line(const Reply& r, const std::string& name) {
  auto it = r.headers.find("set-cookie");
  if (it == r.headers.end()) return "";
  std::string lines = it->second + "\n";
  for (size_t start = 0, end; (end = lines.find('\n', start)) != std::string::npos; start = end + 1)
    if (lines.compare(start, name.size() + 1, name + "=") == 0)
      return lines.substr(start, end - start);
  return "";
}

// The value of cookie `name` set by a reply, or "".
std::string set_cookie(const Reply& r, const std::string& name) {
  std::string line = set_cookie_line(r, name);
  return line.empty() ? "" : line.substr(name.size() + 1, line.find(';') - name.size() - 1);
}

// "/path?query" of an absolute URL on 127.0.0.1:port.
std::string target_on(const std::string& url, int port) {
  std::string origin = "http://127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(url.rfind(origin, 0), 0u) << url;
  return url.substr(origin.size());
}

class SingleSignOnTest : public ::testing::TestWithParam<JwsSigner::Alg> {
 protected:
  SingleSignOnTest()
      : provider_(GetParam()),
        server_(ServerOptions{.extra_args = {"--oidc-issuer", provider_.issuer(),
                                             "--oidc-client-id", OidcProvider::kClientId,
                                             "--oidc-client-secret", OidcProvider::kClientSecret,
                                             "--fetch-allow", "127.0.0.1"}}),
        http_(server_.port()),
        world_(make_world(http_)) {}

  // An invited org_admin of the world's organisation; returns the account id.
  long invite(const std::string& email) {
    Reply r =
        http_.post("/api/v1/accounts",
                   {{"name", "Nadia Benali"},
                    {"email", email},
                    {"memberships", {{{"role", "org_admin"}, {"organisation_id", world_.org}}}}},
                   world_.admin_token);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json()["id"].get<long>() : 0;
  }

  // The browser's round trip: to the provider and back. Returns the
  // service's answer to the return (callback).
  Reply round_trip(const std::string& next = "") {
    Reply start = http_.get("/api/v1/auth/oidc" + (next.empty() ? "" : "?next=" + next));
    EXPECT_EQ(start.status, 302) << start.body;
    state_cookie_ = set_cookie(start, "rdv_oidc");
    EXPECT_FALSE(state_cookie_.empty());
    Reply authorize =
        HttpClient(provider_.port()).get(target_on(start.headers["location"], provider_.port()));
    EXPECT_EQ(authorize.status, 302) << authorize.body;
    callback_ = target_on(authorize.headers["location"], server_.port());
    return http_.request("GET", callback_, "", {{"Cookie", "rdv_oidc=" + state_cookie_}});
  }

  Reply me(const std::string& session) const {
    return http_.request("GET", "/api/v1/me", "", {{"Cookie", "rdv_session=" + session}});
  }

  json audit(long account) const {
    return http_.get("/api/v1/audit?account_id=" + std::to_string(account), world_.admin_token)
        .json();
  }

  OidcProvider provider_;
  ServerProcess server_;
  HttpClient http_;
  World world_;
  std::string state_cookie_, callback_;
};

TEST_P(SingleSignOnTest, AnInvitedPersonSignsInAndIsBoundToTheProvidersIdentity) {
  long id = invite("nadia.benali@cenon.fr");
  provider_.sign_in_as({"agent-42", "Nadia.Benali@Cenon.fr"});
  Reply back = round_trip("/agenda%3Fsemaine%3D2");

  // The authorization request: code flow, PKCE S256, a state and a nonce.
  auto q = provider_.last_authorization();
  EXPECT_EQ(q["response_type"], "code");
  EXPECT_EQ(q["code_challenge_method"], "S256");
  EXPECT_EQ(q["code_challenge"].size(), 43u);
  EXPECT_GE(q["state"].size(), 43u);
  EXPECT_GE(q["nonce"].size(), 43u);
  EXPECT_EQ(q["redirect_uri"],
            "http://127.0.0.1:" + std::to_string(server_.port()) + "/api/v1/auth/oidc/callback");
  EXPECT_EQ(q["scope"], "openid email");
  EXPECT_TRUE(provider_.token_errors().empty());  // secret, code, redirect URI, verifier right

  ASSERT_EQ(back.status, 303) << back.body;
  EXPECT_EQ(back.headers["location"], "/agenda?semaine=2");
  std::string session = set_cookie(back, "rdv_session");
  ASSERT_FALSE(session.empty());
  std::string line = set_cookie_line(back, "rdv_session");
  for (const char* attribute : {"; Path=/;", "; HttpOnly", "; SameSite=Lax"})
    EXPECT_NE(line.find(attribute), std::string::npos) << line;
  Reply who = me(session);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.json()["id"], id);
  EXPECT_EQ(who.json()["status"], "active");  // the invitation is accepted by signing in

  // The return cannot be played again, in this browser or another.
  Reply again = http_.request("GET", callback_, "", {{"Cookie", "rdv_oidc=" + state_cookie_}});
  EXPECT_EQ(again.status, 400);
  EXPECT_TRUE(set_cookie(again, "rdv_session").empty());

  // Later sign-ins find the account by the provider's subject, whatever the
  // email says now.
  provider_.sign_in_as({"agent-42", "n.benali@autre-adresse.fr"});
  Reply later = round_trip();
  ASSERT_EQ(later.status, 303) << later.body;
  EXPECT_EQ(later.headers["location"], "/");
  EXPECT_EQ(me(set_cookie(later, "rdv_session")).json()["id"], id);

  bool audited = false;
  json log = audit(id);
  for (const json& e : log["items"]) audited = audited || e["action"] == "sign_in_sso";
  EXPECT_TRUE(audited) << log.dump();
}

TEST_P(SingleSignOnTest, NoAccountIsMadeForAnUnknownOrUnverifiedOrTakenIdentity) {
  // Nobody was invited with this address.
  provider_.sign_in_as({"stranger", "stranger@cenon.fr"});
  Reply unknown = round_trip();
  EXPECT_EQ(unknown.status, 403);
  EXPECT_TRUE(set_cookie(unknown, "rdv_session").empty());
  json accounts = http_.get("/api/v1/accounts", world_.admin_token).json();
  ASSERT_FALSE(accounts["items"].empty());
  for (const json& a : accounts["items"]) EXPECT_NE(a["email"], "stranger@cenon.fr");

  // The provider does not vouch for the address.
  long id = invite("paul.martin@cenon.fr");
  provider_.sign_in_as({"paul", "paul.martin@cenon.fr", false});
  EXPECT_EQ(round_trip().status, 403);

  // Bound to one identity, the account does not take another with the same email.
  provider_.sign_in_as({"paul", "paul.martin@cenon.fr"});
  ASSERT_EQ(round_trip().status, 303);
  provider_.sign_in_as({"someone-else", "paul.martin@cenon.fr"});
  EXPECT_EQ(round_trip().status, 403);

  // A deactivated account cannot sign in through the provider either.
  ASSERT_EQ(http_
                .post("/api/v1/accounts/" + std::to_string(id) + "/deactivate", json::object(),
                      world_.admin_token)
                .status,
            200);
  provider_.sign_in_as({"paul", "paul.martin@cenon.fr"});
  EXPECT_EQ(round_trip().status, 403);
  bool failure = false;
  json log = audit(id);
  for (const json& e : log["items"]) failure = failure || e["action"] == "sign_in_failed";
  EXPECT_TRUE(failure) << log.dump();
}

TEST_P(SingleSignOnTest, AnIdTokenWithAnythingWrongIsRefused) {
  invite("nadia.benali@cenon.fr");
  provider_.sign_in_as({"agent-42", "nadia.benali@cenon.fr"});
  provider_.set_email_in_id_token(false);  // for the userinfo flaw
  for (Flaw flaw :
       {Flaw::kWrongKey, Flaw::kWrongIssuer, Flaw::kWrongAudience, Flaw::kWrongNonce,
        Flaw::kExpired, Flaw::kAlgNone, Flaw::kOtherAuthorizedParty, Flaw::kSeveralAudiencesNoAzp,
        Flaw::kIssuedInTheFuture, Flaw::kUserinfoOtherSubject}) {
    provider_.set_flaw(flaw);
    Reply back = round_trip();
    EXPECT_EQ(back.status, 401) << static_cast<int>(flaw) << " " << back.body;
    EXPECT_TRUE(set_cookie(back, "rdv_session").empty()) << static_cast<int>(flaw);
  }
  provider_.set_flaw(Flaw::kNone);
  EXPECT_EQ(round_trip().status, 303);  // the same person, with a good token
}

TEST_P(SingleSignOnTest, TheReturnIsAcceptedOnlyInTheBrowserThatLeft) {
  invite("nadia.benali@cenon.fr");
  provider_.sign_in_as({"agent-42", "nadia.benali@cenon.fr"});
  // An attacker starts a sign-in and sends the return link to a victim: the
  // victim's browser has no state cookie (or another one).
  Reply start = http_.get("/api/v1/auth/oidc");
  Reply authorize =
      HttpClient(provider_.port()).get(target_on(start.headers["location"], provider_.port()));
  std::string callback = target_on(authorize.headers["location"], server_.port());
  EXPECT_EQ(http_.get(callback).status, 400);
  EXPECT_EQ(http_.request("GET", callback, "", {{"Cookie", "rdv_oidc=another-state"}}).status, 400);
  EXPECT_EQ(provider_.token_requests(), 0);  // refused before the code is used

  // A provider's error, or a missing code, signs nobody in.
  Reply start2 = http_.get("/api/v1/auth/oidc");
  std::string state = set_cookie(start2, "rdv_oidc");
  Reply denied =
      http_.request("GET", "/api/v1/auth/oidc/callback?error=access_denied&state=" + state, "",
                    {{"Cookie", "rdv_oidc=" + state}});
  EXPECT_EQ(denied.status, 401);
}

TEST_P(SingleSignOnTest, OnlyPathsOfThisSiteAreReturnedTo) {
  for (const char* next : {"//evil.example/", "https://evil.example/", "/%5Cevil.example", "evil",
                           "/a%0d%0aSet-Cookie:x=y"}) {
    Reply r = http_.get(std::string("/api/v1/auth/oidc?next=") + next);
    EXPECT_EQ(r.status, 400) << next;
    EXPECT_EQ(r.error_field(), "next") << next;
  }
}

TEST_P(SingleSignOnTest, AnEmailTheProviderDoesNotSayIsVerifiedBindsNothing) {
  invite("nadia.benali@cenon.fr");
  provider_.sign_in_as({"agent-42", "nadia.benali@cenon.fr", std::nullopt});
  EXPECT_EQ(round_trip().status, 403);
}

TEST_P(SingleSignOnTest, SigningInAcceptsTheInvitationAndRetiresItsLink) {
  Reply r = http_.post("/api/v1/accounts",
                       {{"name", "Nadia Benali"},
                        {"email", "nadia.benali@cenon.fr"},
                        {"memberships", {{{"role", "agent"}, {"organisation_id", world_.org}}}}},
                       world_.admin_token);
  ASSERT_EQ(r.status, 201) << r.body;
  std::string url = r.json()["invitation_url"];
  std::string link = url.substr(url.find("token=") + 6);
  provider_.sign_in_as({"agent-42", "nadia.benali@cenon.fr"});
  ASSERT_EQ(round_trip().status, 303);
  EXPECT_EQ(
      http_.post("/api/v1/auth/password", {{"token", link}, {"password", "Pluie-sur-Cenon-2026"}})
          .status,
      400);
}

TEST_P(SingleSignOnTest, RotatedProviderKeysAreReadAgain) {
  invite("nadia.benali@cenon.fr");
  provider_.sign_in_as({"agent-42", "nadia.benali@cenon.fr"});
  ASSERT_EQ(round_trip().status, 303);
  provider_.rotate_keys();  // a new kid: the service reads the JWK set again
  EXPECT_EQ(round_trip().status, 303);
  provider_.set_flaw(Flaw::kWrongKey);  // and still checks the signature
  EXPECT_EQ(round_trip().status, 401);
}

TEST_P(SingleSignOnTest, TheSecretGoesInTheBodyWhenTheProviderTakesOnlyThat) {
  provider_.set_auth_methods({"client_secret_post"});
  invite("nadia.benali@cenon.fr");
  provider_.sign_in_as({"agent-42", "nadia.benali@cenon.fr"});
  EXPECT_EQ(round_trip().status, 303);
  EXPECT_TRUE(provider_.token_errors().empty());
}

INSTANTIATE_TEST_SUITE_P(Rs256AndEs256, SingleSignOnTest,
                         ::testing::Values(JwsSigner::Alg::kRs256, JwsSigner::Alg::kEs256));

TEST(SingleSignOnTrust, AProviderTrustedForItsEmailsBindsWithoutTheClaim) {
  OidcProvider provider;
  ServerProcess server(ServerOptions{
      .extra_args = {"--oidc-issuer", provider.issuer(), "--oidc-client-id",
                     OidcProvider::kClientId, "--oidc-client-secret", OidcProvider::kClientSecret,
                     "--fetch-allow", "127.0.0.1", "--oidc-trust-email"}});
  HttpClient http(server.port());
  World world = make_world(http);
  ASSERT_EQ(http.post("/api/v1/accounts",
                      {{"name", "Nadia Benali"},
                       {"email", "nadia.benali@cenon.fr"},
                       {"memberships", {{{"role", "agent"}, {"organisation_id", world.org}}}}},
                      world.admin_token)
                .status,
            201);
  provider.sign_in_as({"agent-42", "nadia.benali@cenon.fr", std::nullopt});
  Reply start = http.get("/api/v1/auth/oidc");
  std::string state = set_cookie(start, "rdv_oidc");
  Reply authorize =
      HttpClient(provider.port()).get(target_on(start.headers["location"], provider.port()));
  Reply back = http.request("GET", target_on(authorize.headers["location"], server.port()), "",
                            {{"Cookie", "rdv_oidc=" + state}});
  EXPECT_EQ(back.status, 303) << back.body;
}

TEST(SingleSignOnOff, WithoutAProviderTheRoutesAreNotFound) {
  ServerProcess server;
  HttpClient http(server.port());
  EXPECT_EQ(http.get("/api/v1/auth/oidc").status, 404);
  EXPECT_EQ(http.get("/api/v1/auth/oidc/callback?code=x&state=y").status, 404);
}

TEST(SingleSignOnOff, AnIncompleteOrPlainHttpConfigurationIsRefusedAtStart) {
  auto [code, err] = run_binary({"serve", "--oidc-issuer", "https://idp.example"});
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("--oidc-client-secret"), std::string::npos) << err;
  auto [code2, err2] = run_binary({"serve", "--oidc-issuer", "http://idp.example",
                                   "--oidc-client-id", "a", "--oidc-client-secret", "b"});
  EXPECT_EQ(code2, 2);
  EXPECT_NE(err2.find("https"), std::string::npos) << err2;
}

}  // namespace
}  // namespace rdv::testing
