// Staff in the page tests: an account invited through the API, its
// password chosen from the invitation mail, signed in through /connexion.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "page_browser.h"
#include "smtp_sink.h"
#include "support/wait.h"

namespace rdv::testing {

// The text of the first message sent to `email` ("" when none came).
inline std::string mail_text_to(const SmtpSink& smtp, const std::string& email) {
  std::string text;
  wait_until([&] {
    for (const auto& m : smtp.messages())
      if (m["to"].get<std::string>().find(email) != std::string::npos) {
        text = m["text"];
        return true;
      }
    return false;
  });
  return text;
}

// Invites `account` (a body of POST /api/v1/accounts) and signs it in in
// `browser` with the password chosen from its invitation.
inline void sign_in_invited(Browser& browser, const HttpClient& http, const SmtpSink& smtp,
                            const nlohmann::json& account, const std::string& admin_token) {
  Reply invited = http.post("/api/v1/accounts", account, admin_token);
  ASSERT_EQ(invited.status, 201) << invited.body;
  std::string text = mail_text_to(smtp, account["email"]);
  ASSERT_NE(text.find("token="), std::string::npos) << text;
  std::string token = text.substr(text.find("token=") + 6, 43);
  const std::string password = "Garonne-en-crue-1875";
  Reply set = http.post("/api/v1/auth/password", {{"token", token}, {"password", password}});
  ASSERT_EQ(set.status, 200) << set.body;
  Reply form = browser.get("/connexion");
  Reply done = browser.post("/connexion", {{"csrf", input_value(form.body, "csrf")},
                                           {"email", account["email"]},
                                           {"password", password}});
  ASSERT_EQ(done.status, 303) << done.body;
}

}  // namespace rdv::testing
