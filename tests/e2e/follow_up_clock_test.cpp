// After the visit, with a clock the test moves: the API runs in process (no
// socket) on a real SQLite file. A summary, done or no-show is possible only
// once the visit has started, and never frees the time it held.
#include <gtest/gtest.h>

#include "support/in_process_app.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

Instant utc(const char* s) { return *parse_rfc3339(s); }

class FollowUpClock : public ::testing::Test {
 protected:
  FollowUpClock() : api_(utc("2026-12-01T08:00:00Z")), app_(api_.app), clock_(api_.clock) {
    app_.bootstrap_admin(admin_);
    org_ = app_.create_organisation({{"name", "Mairie de Bègles"}})["id"];
    Id place = app_.create_place(org_, {{"name", "Mairie"}})["id"];
    service_ =
        app_.create_service(org_, {{"name", "Carte d'identité"}, {"duration_minutes", 30}})["id"];
    json agent = app_.create_agent(org_, {{"name", "Julie Moreau"}});
    agent_token_ = agent["api_token"];
    app_.create_opening(agent["id"], {{"place_id", place},
                                      {"service_ids", {service_}},
                                      {"start", "2026-12-08T09:00"},
                                      {"end", "2026-12-08T10:00"}});
  }

  HttpResponse call(const std::string& method, const std::string& path, const json& body = nullptr,
                    const std::string& token = "") {
    return api_.call(method, path, {body, token});
  }
  HttpResponse book(const char* start, const char* email) {
    return call("POST", "/api/v1/bookings",
                {{"service_id", service_},
                 {"start", start},
                 {"resident", {{"first_name", "Léa"}, {"last_name", "Dupont"}, {"email", email}}}});
  }
  static std::string code(const HttpResponse& r) { return json::parse(r.body)["error"]["code"]; }

  InProcessApp api_;
  App& app_;
  ManualClock& clock_;
  std::string admin_ = "admin-token-0123456789abcdef";
  std::string agent_token_;
  Id org_ = 0, service_ = 0;
};

TEST_F(FollowUpClock, SummaryOnlyOnceTheVisitStartedAndTheSlotStaysHeld) {
  HttpResponse booked = book("2026-12-08T09:00:00+01:00", "lea@example.fr");
  ASSERT_EQ(booked.status, 201) << booked.body;
  Id id = json::parse(booked.body)["id"];
  std::string summary = "/api/v1/bookings/" + std::to_string(id) + "/summary";
  HttpResponse early = call("POST", summary, {{"summary", "Dossier complet."}}, agent_token_);
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(code(early), "invalid_transition");

  clock_.set(utc("2026-12-08T08:05:00Z"));  // 09:05 in Paris, the visit has started
  HttpResponse done =
      call("POST", summary, {{"summary", "Dossier complet.\nRécépissé remis."}}, agent_token_);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(json::parse(done.body)["status"], "done");
  // The done booking still holds its time: nobody else gets it, even the day before.
  clock_.set(utc("2026-12-07T08:00:00Z"));
  EXPECT_EQ(code(book("2026-12-08T09:00:00+01:00", "paul@example.fr")), "slot_unavailable");
  HttpResponse slots = call("GET", "/api/v1/slots?service=" + std::to_string(service_) +
                                       "&from=2026-12-08T00:00:00Z&to=2026-12-09T00:00:00Z");
  for (const auto& s : json::parse(slots.body)) EXPECT_NE(s["start"], "2026-12-08T09:00:00+01:00");
  // A done booking cannot be cancelled (that would free the time) nor moved.
  clock_.set(utc("2026-12-08T09:00:00Z"));
  HttpResponse cancel =
      call("POST", "/api/v1/bookings/" + std::to_string(id) + "/cancel", nullptr, agent_token_);
  EXPECT_EQ(cancel.status, 409);
  EXPECT_EQ(code(cancel), "invalid_transition");
}

TEST_F(FollowUpClock, DoneAndNoShowByStaffAfterTheStart) {
  HttpResponse booked = book("2026-12-08T09:30:00+01:00", "lea@example.fr");
  ASSERT_EQ(booked.status, 201) << booked.body;
  json b = json::parse(booked.body);
  std::string status = "/api/v1/bookings/" + std::to_string(b["id"].get<Id>()) + "/status";
  EXPECT_EQ(code(call("POST", status, {{"status", "noshow"}}, agent_token_)), "invalid_transition");
  clock_.set(utc("2026-12-08T08:45:00Z"));
  EXPECT_EQ(call("POST", status, {{"status", "noshow"}}).status, 401);
  EXPECT_EQ(
      call("POST", status + "?token=" + b["manage_token"].get<std::string>(), {{"status", "done"}})
          .status,
      403);
  EXPECT_EQ(code(call("POST", status, {{"status", "cancelled"}}, agent_token_)), "invalid_input");
  HttpResponse noshow = call("POST", status, {{"status", "noshow"}}, agent_token_);
  ASSERT_EQ(noshow.status, 200) << noshow.body;
  EXPECT_EQ(json::parse(noshow.body)["status"], "noshow");
  HttpResponse corrected = call("POST", status, {{"status", "done"}}, agent_token_);
  EXPECT_EQ(json::parse(corrected.body)["status"], "done");
}

TEST_F(FollowUpClock, SurveyAnsweredOnceWithCheckedFields) {
  HttpResponse booked = book("2026-12-08T09:00:00+01:00", "lea@example.fr");
  Id id = json::parse(booked.body)["id"];
  clock_.set(utc("2026-12-08T09:00:00Z"));
  std::string survey = "/api/v1/surveys/" + api_.links.survey_token(id);
  EXPECT_EQ(json::parse(call("GET", survey).body)["answered"], false);
  EXPECT_EQ(call("POST", survey, {{"rating", 6}, {"solved", true}}).status, 400);
  EXPECT_EQ(call("POST", survey, {{"rating", 4}}).status, 400);
  HttpResponse bad_comment =
      call("POST", survey, {{"rating", 4}, {"solved", true}, {"comment", "a\x1b[2Jb"}});
  EXPECT_EQ(bad_comment.status, 400);
  EXPECT_EQ(json::parse(bad_comment.body)["error"]["field"], "comment");
  EXPECT_EQ(
      call("POST", survey, {{"rating", 4}, {"solved", true}, {"comment", "Merci !\nTrès bien."}})
          .status,
      201);
  EXPECT_EQ(code(call("POST", survey, {{"rating", 1}, {"solved", false}})), "already_answered");
  HttpResponse stats = call(
      "GET", "/api/v1/organisations/" + std::to_string(org_) + "/survey-stats", nullptr, admin_);
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_EQ(json::parse(stats.body)[0]["answers"], 1);
  EXPECT_EQ(stats.body.find("Dupont"), std::string::npos);
}

TEST_F(FollowUpClock, TheSurveyPageTakesOneAnswerAndOffersToBookAgain) {
  HttpResponse booked = book("2026-12-08T09:00:00+01:00", "lea@example.fr");
  Id id = json::parse(booked.body)["id"];
  clock_.set(utc("2026-12-08T09:00:00Z"));
  std::string page = "/avis/" + api_.links.survey_token(id);
  HttpResponse form = api_.call("GET", page);
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_NE(form.body.find("Votre avis"), std::string::npos);
  std::string cookie;
  for (const auto& [name, value] : form.headers)
    if (name == "Set-Cookie") cookie = value.substr(0, value.find(';'));
  ASSERT_EQ(cookie.rfind("rdv_csrf=", 0), 0u);
  std::string csrf = api_.links.csrf_field(cookie.substr(9));
  auto post = [&](const std::string& fields) {
    Call c;
    c.form = "csrf=" + csrf + "&" + fields;
    c.cookie = cookie;
    return api_.call("POST", page, c);
  };
  // Without the browser's token: refused, nothing recorded.
  Call forged;
  forged.form = "csrf=" + std::string(64, '0') + "&rating=5&solved=oui";
  forged.cookie = cookie;
  EXPECT_EQ(api_.call("POST", page, forged).status, 403);
  HttpResponse mistakes = post("rating=9&comment=ok");
  EXPECT_EQ(mistakes.status, 400);
  EXPECT_NE(mistakes.body.find("Choisissez une note de 1 à 5."), std::string::npos);
  EXPECT_NE(mistakes.body.find("Dites si votre demande a été réglée."), std::string::npos);
  EXPECT_NE(mistakes.body.find(">ok</textarea>"), std::string::npos);  // kept
  HttpResponse answered = post("rating=4&solved=oui&comment=Tr%C3%A8s+bien+accueillie");
  ASSERT_EQ(answered.status, 303) << answered.body;
  HttpResponse thanks = api_.call("GET", page);
  EXPECT_NE(thanks.body.find("Merci, votre avis est enregistré"), std::string::npos);
  EXPECT_NE(thanks.body.find("href=\"/services/"), std::string::npos);  // book again
  EXPECT_EQ(post("rating=1&solved=non").status, 303);  // once: the second changes nothing
  HttpResponse stats = call(
      "GET", "/api/v1/organisations/" + std::to_string(org_) + "/survey-stats", nullptr, admin_);
  EXPECT_EQ(json::parse(stats.body)[0]["answers"], 1);
  EXPECT_EQ(json::parse(stats.body)[0]["average_rating"], 4.0);
  EXPECT_EQ(api_.call("GET", "/avis/1-forged").status, 404);
}

TEST_F(FollowUpClock, TheAgentsBookingPageRecordsTheOutcomeAndTheSummaryAfterTheVisit) {
  HttpResponse booked = book("2026-12-08T09:00:00+01:00", "lea@example.fr");
  Id id = json::parse(booked.body)["id"];
  std::string page = "/espace/rendez-vous/" + std::to_string(id);
  Call as_agent;
  as_agent.token = agent_token_;
  HttpResponse before = api_.call("GET", page, as_agent);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_NE(before.body.find("lea@example.fr"), std::string::npos);  // the contact, for the agent
  EXPECT_EQ(before.body.find("Après le rendez-vous"), std::string::npos);  // not yet
  EXPECT_EQ(api_.call("GET", page).status, 303);  // anonymous: sent to sign in

  clock_.set(utc("2026-12-08T08:10:00Z"));  // the visit has started
  HttpResponse during = api_.call("GET", page, as_agent);
  ASSERT_NE(during.body.find("Après le rendez-vous"), std::string::npos);
  std::string cookie;
  for (const auto& [name, value] : during.headers)
    if (name == "Set-Cookie") cookie = value.substr(0, value.find(';'));
  auto post = [&](const std::string& path, const std::string& fields) {
    Call c;
    c.token = agent_token_;
    c.cookie = cookie;
    c.form = "csrf=" + api_.links.csrf_field(cookie.substr(9)) + "&" + fields;
    return api_.call("POST", path, c);
  };
  ASSERT_EQ(post(page + "/statut", "status=noshow").status, 303);
  EXPECT_EQ(json::parse(call("GET", "/api/v1/bookings/" + std::to_string(id), nullptr, agent_token_)
                            .body)["status"],
            "noshow");
  // A correction: she came after all; then the summary.
  ASSERT_EQ(post(page + "/statut", "status=done").status, 303);
  ASSERT_EQ(
      post(page + "/compte-rendu", "summary=Venue+en+retard+%3A+dossier+d%C3%A9pos%C3%A9.").status,
      303);
  json b = json::parse(
      call("GET", "/api/v1/bookings/" + std::to_string(id), nullptr, agent_token_).body);
  EXPECT_EQ(b["status"], "done");
  EXPECT_EQ(b["summary"], "Venue en retard : dossier déposé.");
  HttpResponse after = api_.call("GET", page + "?fait=1", as_agent);
  EXPECT_NE(after.body.find("Le compte rendu est enregistré"), std::string::npos);
  // Without the browser's token nothing changes.
  Call forged = as_agent;
  forged.form = "csrf=" + std::string(64, '0') + "&status=noshow";
  forged.cookie = cookie;
  EXPECT_EQ(api_.call("POST", page + "/statut", forged).status, 403);
}

}  // namespace
}  // namespace rdv::testing
