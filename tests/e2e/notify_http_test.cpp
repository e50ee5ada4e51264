// Messages through the running binary: a booking made over HTTP reaches a
// real SMTP server; the summary, survey, opt-out, webhooks and the
// operator's views over HTTP.
#include <gtest/gtest.h>

#include "smtp_sink.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

class MessagesOverHttp : public ::testing::Test {
 protected:
  MessagesOverHttp()
      : server_(mailing_to(smtp_)), http_(server_.port()), world_(make_world(http_)) {}

  std::string path_of(const std::string& url) const { return url.substr(url.find("/api/")); }

  SmtpSink smtp_;
  ServerProcess server_;
  HttpClient http_;
  World world_;
};

TEST_F(MessagesOverHttp, BookingSummarySurveyAndOptOut) {
  Reply booked = http_.post(
      "/api/v1/bookings",
      {{"service_id", world_.service}, {"start", world_.at("09:00")}, {"resident", resident()}});
  ASSERT_EQ(booked.status, 201);
  long id = booked.json()["id"];
  std::string token = booked.json()["manage_token"];
  ASSERT_TRUE(smtp_.wait_for(1));  // the agent of the world has no email: the resident's only
  json mail = smtp_.messages()[0];
  EXPECT_EQ(mail["to"], "lea.dupont@example.fr");
  EXPECT_NE(mail["subject"].get<std::string>().find("est confirmé"), std::string::npos);
  EXPECT_EQ(mail["calendar"]["method"], "PUBLISH");
  EXPECT_NE(mail["text"].get<std::string>().find("?token=" + token), std::string::npos);

  // Stop reminders: the link shows a button; the POST does it.
  std::string stop = "/api/v1/bookings/" + std::to_string(id) + "/stop-reminders?token=" + token;
  Reply page = http_.get(stop);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<form method=\"post\">"), std::string::npos);
  EXPECT_EQ(http_.get("/api/v1/bookings/" + std::to_string(id) + "?token=" + token)
                .json()["reminders_opt_out"],
            false);
  EXPECT_EQ(http_
                .request("POST", stop, "List-Unsubscribe=One-Click",
                         {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            200);
  EXPECT_EQ(http_.get("/api/v1/bookings/" + std::to_string(id) + "?token=" + token)
                .json()["reminders_opt_out"],
            true);
  EXPECT_EQ(http_
                .post("/api/v1/bookings/" + std::to_string(id) + "/stop-reminders?token=bad",
                      json::object())
                .status,
            403);

  // A summary before the visit is refused and the slot stays held (the whole
  // summary and survey flow, with a clock moved past the visit, is in
  // follow_up_clock_test.cpp).
  std::string summary_path = "/api/v1/bookings/" + std::to_string(id) + "/summary";
  EXPECT_EQ(http_.post(summary_path, {{"summary", "x"}}).status, 401);
  Reply early = http_.post(summary_path, {{"summary", "Dossier transmis."}}, world_.agent_token);
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_EQ(early.error_code(), "invalid_transition");
  EXPECT_EQ(
      http_.get("/api/v1/bookings/" + std::to_string(id) + "?token=" + token).json()["status"],
      "confirmed");
}

TEST_F(MessagesOverHttp, WebhooksAndTheOperatorsViews) {
  std::string hooks = "/api/v1/organisations/" + std::to_string(world_.org) + "/webhooks";
  EXPECT_EQ(
      http_.post(hooks, {{"url", "ftp://x"}, {"secret", "0123456789abcdef"}}, world_.admin_token)
          .status,
      400);
  Reply short_secret = http_.post(
      hooks, {{"url", "https://crm.example.fr/hook"}, {"secret", "short"}}, world_.admin_token);
  EXPECT_EQ(short_secret.status, 400);
  EXPECT_EQ(short_secret.error_field(), "secret");
  Reply unknown_event = http_.post(hooks,
                                   {{"url", "https://crm.example.fr/hook"},
                                    {"secret", "0123456789abcdef"},
                                    {"events", {"booking.exploded"}}},
                                   world_.admin_token);
  EXPECT_EQ(unknown_event.status, 400);
  EXPECT_EQ(unknown_event.error_field(), "events");
  Reply created =
      http_.post(hooks, {{"url", "https://crm.example.fr/hook"}, {"secret", "0123456789abcdef"}},
                 world_.admin_token);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_FALSE(created.json().contains("secret"));
  EXPECT_EQ(created.json()["events"],  // all, by default
            json::array({"booking.created", "booking.cancelled", "booking.rescheduled",
                         "booking.reassigned", "booking.done"}));
  Reply listed = http_.get(hooks, world_.admin_token);
  EXPECT_EQ(listed.json().size(), 1u);
  EXPECT_EQ(listed.body.find("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(http_.get(hooks, world_.agent_token).status, 403);

  ASSERT_EQ(http_
                .post("/api/v1/bookings", {{"service_id", world_.service},
                                           {"start", world_.at("10:00")},
                                           {"resident", resident()}})
                .status,
            201);
  ASSERT_TRUE(smtp_.wait_for(1));
  // The job is marked done just after the sink has the message.
  Reply metrics;
  EXPECT_TRUE(wait_until([&] {
    metrics = http_.get("/metrics", world_.admin_token);
    return metrics.body.find("rdv_jobs{state=\"done\",channel=\"email\"} 1") != std::string::npos;
  })) << metrics.body;
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(http_.get("/metrics").status, 403);  // not from a monitoring address
  EXPECT_EQ(http_.get("/metrics", world_.agent_token).status, 403);
  Reply failed = http_.get("/api/v1/jobs?status=failed", world_.admin_token);
  EXPECT_EQ(failed.status, 200);
  EXPECT_EQ(http_.get("/api/v1/jobs?status=bogus", world_.admin_token).status, 400);
}

TEST(Worker, SendsWhatTheServerQueued) {
  SmtpSink smtp;
  ServerOptions options;
  options.extra_args = {"--no-scheduler"};
  options.env["RDV_SMTP_URL"] = smtp.url();
  ServerProcess server(options);
  HttpClient http(server.port());
  World w = make_world(http);
  ASSERT_EQ(
      http.post("/api/v1/bookings",
                {{"service_id", w.service}, {"start", w.at("09:00")}, {"resident", resident()}})
          .status,
      201);
  EXPECT_FALSE(smtp.wait_for(1, std::chrono::seconds{1}));  // nobody runs the jobs yet
  WorkerProcess worker(server.db(),
                       {{"RDV_SMTP_URL", smtp.url()}, {"RDV_SCHEDULER_TICK_MS", "100"}});
  ASSERT_TRUE(smtp.wait_for(1));
  EXPECT_NE(smtp.messages()[0]["subject"].get<std::string>().find("est confirmé"),
            std::string::npos);
}

}  // namespace
}  // namespace rdv::testing
