// Invitation and password reset links travel by email through a real SMTP
// server, and the links in them work once.
#include <gtest/gtest.h>

#include "page_browser.h"
#include "smtp_sink.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

class AccountMail : public ::testing::Test {
 protected:
  AccountMail() : server_(mailing_to(smtp_)), http_(server_.port()), world_(make_world(http_)) {}

  // The token of the password link in the i-th message.
  std::string link_token(size_t i) {
    EXPECT_TRUE(smtp_.wait_for(i + 1));
    std::string text = smtp_.messages()[i]["text"];
    auto at = text.find("/compte/mot-de-passe?token=");
    if (at == std::string::npos) return "";
    at += std::string("/compte/mot-de-passe?token=").size();
    return text.substr(at, text.find_first_of(" \n", at) - at);
  }
  Reply post_json(const std::string& path, const json& body) {
    return http_.request("POST", path, body.dump(), {{"Content-Type", "application/json"}});
  }

  SmtpSink smtp_;
  ServerProcess server_;
  HttpClient http_;
  World world_;
};

TEST_F(AccountMail, TheInvitationAndTheResetArriveByEmailAndTheirLinksWorkOnce) {
  Reply invited = http_.post(
      "/api/v1/accounts",
      {{"name", "Karim Haddad"},
       {"email", "karim.haddad@cenon.fr"},
       {"memberships", json::array({{{"role", "agent"}, {"organisation_id", world_.org}}})}},
      world_.admin_token);
  ASSERT_EQ(invited.status, 201) << invited.body;
  // With SMTP configured, the link goes to the person only.
  EXPECT_FALSE(invited.json().contains("invitation_url"));
  // An agent membership made the person's agenda.
  EXPECT_FALSE(invited.json()["agent_id"].is_null());

  std::string token = link_token(0);
  ASSERT_FALSE(token.empty()) << smtp_.messages()[0].dump();
  json mail = smtp_.messages()[0];
  EXPECT_EQ(mail["to"], "karim.haddad@cenon.fr");
  EXPECT_EQ(mail["subject"], "Votre accès au service de rendez-vous");
  EXPECT_EQ(mail["rcpt"], json::array({"karim.haddad@cenon.fr"}));
  EXPECT_EQ(
      post_json("/api/v1/auth/password", {{"token", token}, {"password", "Garonne-en-crue-1875"}})
          .status,
      200);
  EXPECT_EQ(post_json("/api/v1/auth/sign-in",
                      {{"email", "karim.haddad@cenon.fr"}, {"password", "Garonne-en-crue-1875"}})
                .status,
            200);

  // Reset: the same answer for an unknown address, and no message for it.
  EXPECT_EQ(post_json("/api/v1/auth/password-reset", {{"email", "personne@cenon.fr"}}).status, 202);
  EXPECT_EQ(post_json("/api/v1/auth/password-reset", {{"email", "Karim.Haddad@cenon.fr"}}).status,
            202);
  std::string reset = link_token(1);
  ASSERT_FALSE(reset.empty());
  EXPECT_EQ(smtp_.messages()[1]["subject"], "Choisir un nouveau mot de passe");
  EXPECT_EQ(smtp_.count(), 2u);
  // Through the page's form, as a browser without JavaScript posts it: the
  // form carries this browser's CSRF token; without it nothing changes.
  Browser browser(server_.port());
  Reply form = browser.get("/compte/mot-de-passe?token=" + reset);
  ASSERT_EQ(form.status, 200);
  std::map<std::string, std::string> fields = {{"csrf", input_value(form.body, "csrf")},
                                               {"token", reset},
                                               {"password", "Dordogne-en-crue-1952"}};
  Browser stranger(server_.port());
  EXPECT_EQ(stranger.post("/compte/mot-de-passe", fields).status, 403);
  Reply weak =
      browser.post("/compte/mot-de-passe",
                   {{"csrf", fields["csrf"]}, {"token", reset}, {"password", "azertyuiop123"}});
  EXPECT_EQ(weak.status, 400);
  EXPECT_NE(weak.body.find("Ce mot de passe est parmi les plus courants."), std::string::npos)
      << weak.body;
  EXPECT_NE(weak.body.find("aria-invalid=\"true\""), std::string::npos);
  Reply page = browser.post("/compte/mot-de-passe", fields);
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Mot de passe enregistré"), std::string::npos);
  Reply reused = browser.post("/compte/mot-de-passe", fields);
  EXPECT_EQ(reused.status, 400);
  EXPECT_EQ(post_json("/api/v1/auth/sign-in",
                      {{"email", "karim.haddad@cenon.fr"}, {"password", "Garonne-en-crue-1875"}})
                .status,
            401);
  EXPECT_EQ(post_json("/api/v1/auth/sign-in",
                      {{"email", "karim.haddad@cenon.fr"}, {"password", "Dordogne-en-crue-1952"}})
                .status,
            200);
}

}  // namespace
}  // namespace rdv::testing
