// The times of credentials with a clock the test moves: link expiry, session
// idle and absolute expiry, token expiry, and the lockout after repeated
// failures. The API runs in process (no socket), on a real SQLite file.
#include <gtest/gtest.h>

#include "support/in_process_app.h"

namespace rdv::testing {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const char* kAdmin = "admin-token-0123456789abcdefghijklmnop";
const char* kPassword = "Pluie-sur-le-pont-de-pierre";

class AccountsClock : public ::testing::Test {
 protected:
  AccountsClock() : api_(*parse_rfc3339("2026-12-01T08:00:00Z")), clock_(api_.clock) {
    api_.app.bootstrap_admin(kAdmin);
    org_ = api_.app.create_organisation({{"name", "Mairie de Bègles"}})["id"];
  }

  HttpResponse call(const std::string& method, const std::string& path, const json& body = nullptr,
                    const std::string& cookie = "", const std::string& token = "") {
    return api_.call(method, path, {body, token, cookie, "192.0.2.10"});
  }
  static std::string set_cookie(const HttpResponse& r) {
    for (const auto& [name, value] : r.headers)
      if (name == "Set-Cookie") return value;
    return "";
  }
  // Invites an org admin; returns the token of the invitation link.
  std::string invite(const std::string& email) {
    HttpResponse r = call("POST", "/api/v1/accounts",
                          {{"name", "Inès Moreau"},
                           {"email", email},
                           {"memberships", {{{"role", "org_admin"}, {"organisation_id", org_}}}}},
                          "", kAdmin);
    EXPECT_EQ(r.status, 201) << r.body;
    account_ = json::parse(r.body)["id"];
    std::string url = json::parse(r.body)["invitation_url"];
    return url.substr(url.find("token=") + 6);
  }
  int set_password(const std::string& token) {
    return call("POST", "/api/v1/auth/password", {{"token", token}, {"password", kPassword}})
        .status;
  }
  HttpResponse sign_in(const std::string& password = kPassword) {
    return call("POST", "/api/v1/auth/sign-in",
                {{"email", "ines.moreau@begles.fr"}, {"password", password}});
  }
  std::string session() {
    HttpResponse r = sign_in();
    EXPECT_EQ(r.status, 200) << r.body;
    std::string c = set_cookie(r);
    return c.substr(0, c.find(';'));
  }
  int me(const std::string& cookie) { return call("GET", "/api/v1/me", nullptr, cookie).status; }

  InProcessApp api_;
  ManualClock& clock_;
  long org_ = 0, account_ = 0;
};

TEST_F(AccountsClock, AnInvitationLinkLasts72HoursAndANewOneReplacesTheOld) {
  std::string first = invite("ines.moreau@begles.fr");
  clock_.advance(hours{72} + seconds{1});
  EXPECT_EQ(set_password(first), 400);
  HttpResponse again = call("POST", "/api/v1/accounts/" + std::to_string(account_) + "/invitation",
                            json::object(), "", kAdmin);
  ASSERT_EQ(again.status, 200) << again.body;
  std::string url = json::parse(again.body)["invitation_url"];
  std::string second = url.substr(url.find("token=") + 6);
  clock_.advance(hours{71});
  EXPECT_EQ(set_password(second), 200);
  EXPECT_EQ(sign_in().status, 200);
}

TEST_F(AccountsClock, AResetLinkLastsOneHourAndAnEarlierOneStopsWorking) {
  ASSERT_EQ(set_password(invite("ines.moreau@begles.fr")), 200);
  // Without SMTP the reset link is only in the store: take it the way the
  // outbox would, from the link's id.
  auto reset_token = [&] {
    call("POST", "/api/v1/auth/password-reset", {{"email", "ines.moreau@begles.fr"}});
    std::optional<AccountLink> latest;
    api_.store().read(
        [&](StoreReader& r) { latest = r.accounts().latest_link(account_, LinkPurpose::kReset); });
    EXPECT_TRUE(latest);
    return latest ? api_.links.account_link_token(latest->id) : std::string();
  };
  std::string early = reset_token();
  EXPECT_EQ(reset_token(), early);  // asked again at once: the same link, none sent again
  clock_.advance(minutes{6});
  std::string late = reset_token();
  EXPECT_NE(late, early);
  EXPECT_EQ(set_password(early), 400);  // replaced by the later one
  clock_.advance(minutes{60});
  EXPECT_EQ(set_password(late), 400);  // expired
  std::string fresh = reset_token();
  clock_.advance(minutes{59});
  EXPECT_EQ(set_password(fresh), 200);
}

TEST_F(AccountsClock, SessionsEndAfter30IdleMinutesAndAfter12HoursInAnyCase) {
  ASSERT_EQ(set_password(invite("ines.moreau@begles.fr")), 200);
  std::string cookie = session();
  clock_.advance(minutes{29});
  EXPECT_EQ(me(cookie), 200);  // and the session is seen again
  clock_.advance(minutes{29});
  EXPECT_EQ(me(cookie), 200);
  clock_.advance(minutes{31});
  HttpResponse idle = call("GET", "/api/v1/me", nullptr, cookie);
  EXPECT_EQ(idle.status, 401);
  EXPECT_NE(set_cookie(idle).find("Max-Age=0"), std::string::npos);

  std::string busy = session();
  for (int i = 0; i < 12 * 3 - 1; ++i) {
    clock_.advance(minutes{20});
    ASSERT_EQ(me(busy), 200) << "after " << (i + 1) * 20 << " minutes";
  }
  clock_.advance(minutes{20});  // 12 hours after signing in
  EXPECT_EQ(me(busy), 401);
}

TEST_F(AccountsClock, ATokenStopsAtItsExpiry) {
  ASSERT_EQ(set_password(invite("ines.moreau@begles.fr")), 200);
  std::string cookie = session();
  HttpResponse created =
      call("POST", "/api/v1/me/tokens",
           {{"name", "export"}, {"expires_at", "2026-12-01T10:00:00+01:00"}}, cookie);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string token = json::parse(created.body)["token"];
  EXPECT_EQ(call("GET", "/api/v1/me", nullptr, "", token).status, 200);
  clock_.set(*parse_rfc3339("2026-12-01T09:00:00Z"));
  EXPECT_EQ(call("GET", "/api/v1/me", nullptr, "", token).status, 401);
}

TEST_F(AccountsClock, TenFailuresLockTheAccountFor15MinutesEvenForTheRightPassword) {
  ASSERT_EQ(set_password(invite("ines.moreau@begles.fr")), 200);
  for (int i = 0; i < 10; ++i) {
    clock_.advance(seconds{61});  // past every slow-down delay
    ASSERT_EQ(sign_in("wrong-password-" + std::to_string(i)).status, 401) << i;
  }
  clock_.advance(minutes{14});
  HttpResponse locked = sign_in();
  EXPECT_EQ(locked.status, 429);
  clock_.advance(minutes{1} + seconds{1});
  EXPECT_EQ(sign_in().status, 200);
  // Success forgets the failures.
  clock_.advance(seconds{1});
  EXPECT_EQ(sign_in("wrong-again-1").status, 401);
  clock_.advance(seconds{1});
  EXPECT_EQ(sign_in().status, 200);
}

}  // namespace
}  // namespace rdv::testing

namespace rdv::testing {
namespace {

TEST(MandateClock, ADeskLosesTheBookingAfterTheMandatesLastDayAtThePlace) {
  // Cayenne (UTC-3): the last day ends there, not in Paris.
  InProcessApp api(*parse_rfc3339("2026-12-01T08:00:00Z"));
  api.app.bootstrap_admin(kAdmin);
  long org = api.app.create_organisation(
      {{"name", "France Services de Kourou"}, {"timezone", "America/Cayenne"}})["id"];
  long place =
      api.app.create_place(org, {{"name", "Kourou"}, {"timezone", "America/Cayenne"}})["id"];
  long service = api.app.create_service(org, {{"name", "CAF"}, {"duration_minutes", 30}})["id"];
  long agent = api.app.create_agent(org, {{"name", "Line Pierre"}})["id"];
  std::string desk = api.app.create_user(org, {{"name", "Accueil"}, {"role", "desk"}})["api_token"];
  api.app.create_opening(agent, {{"place_id", place},
                                 {"service_ids", {service}},
                                 {"start", "2026-12-10T09:00"},
                                 {"end", "2026-12-10T12:00"}});
  HttpResponse booked = api.call(
      "POST", "/api/v1/bookings",
      {{{"service_id", service},
        {"start", "2026-12-10T09:00:00-03:00"},
        {"resident", {{"first_name", "Awa"}, {"last_name", "Kone"}, {"phone", "0694000000"}}},
        {"mandate", {{"consent", true}, {"kind", "oral"}, {"valid_until", "2026-12-05"}}}},
       desk});
  ASSERT_EQ(booked.status, 201) << booked.body;
  std::string path =
      "/api/v1/bookings/" + std::to_string(json::parse(booked.body)["id"].get<long>());
  auto mine = [&] {
    return json::parse(api.call("GET", "/api/v1/me/bookings", {nullptr, desk}).body)["items"]
        .size();
  };
  // 5 December, 23:30 in Cayenne (02:30 UTC on the 6th): still the last day there.
  api.clock.set(*parse_rfc3339("2026-12-06T02:30:00Z"));
  EXPECT_EQ(api.call("GET", path, {nullptr, desk}).status, 200);
  EXPECT_EQ(mine(), 1u);
  // 6 December at 00:30 in Cayenne: the mandate is over.
  api.clock.set(*parse_rfc3339("2026-12-06T03:30:00Z"));
  EXPECT_EQ(api.call("GET", path, {nullptr, desk}).status, 403);
  EXPECT_EQ(api.call("POST", path + "/cancel", {json::object(), desk}).status, 403);
  EXPECT_EQ(mine(), 0u);
}

}  // namespace
}  // namespace rdv::testing
