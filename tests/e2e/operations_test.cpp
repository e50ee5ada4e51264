// What the people who run the service read: /metrics parsed by Prometheus'
// own text-format parser and checked to count what the test did, who may
// read it, /readyz following the database, and the log lines.
#include <gtest/gtest.h>

#include <fstream>

#include "log_check.h"
#include "support/pg_cluster.h"
#include "support/run.h"
#include "support/temp_dir.h"
#include "support/wait.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

// The samples of a scrape, through prometheus_client's parser.
json parse_metrics(const std::string& text, const TempDir& dir) {
  std::string file = dir.file("metrics.txt");
  std::ofstream(file) << text;
  auto [rc, out] =
      run_command("/usr/bin/python3 " RDV_SOURCE_DIR "/tests/e2e/parse_metrics.py < " + file);
  EXPECT_EQ(rc, 0) << out;
  auto samples = json::parse(out, nullptr, false);
  EXPECT_TRUE(samples.is_array()) << out;
  return samples;
}

// The value of the sample with this name and these labels (among others); -1 if none.
double value_of(const json& samples, const std::string& name, const json& labels = json::object()) {
  for (const json& s : samples) {
    if (s["name"] != name) continue;
    bool match = true;
    for (const auto& [k, v] : labels.items()) match &= s["labels"].value(k, "") == v;
    if (match) return s["value"].get<double>();
  }
  return -1;
}

TEST(Operations, MetricsCountTheRequestsTheTestMade) {
  TempDir dir;
  ServerOptions options;
  options.env["RDV_METRICS_ALLOW"] = "127.0.0.1";  // the test is the monitoring system
  ServerProcess server(options);
  HttpClient http(server.port());
  World w = make_world(http);
  for (int i = 0; i < 7; ++i) ASSERT_EQ(http.get("/healthz").status, 200);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(http.get("/api/v1/slots?service=" + std::to_string(w.service)).status, 200);
  Reply booked =
      http.post("/api/v1/bookings",
                {{"service_id", w.service}, {"start", w.at("10:00")}, {"resident", resident()}});
  ASSERT_EQ(booked.status, 201);
  ASSERT_EQ(http.post("/api/v1/bookings", {{"service_id", w.service},
                                           {"start", w.at("10:00")},
                                           {"resident", resident("Jean")}})
                .status,
            409);
  std::string cancel = "/api/v1/bookings/" + std::to_string(booked.json()["id"].get<long>()) +
                       "/cancel?token=" + booked.json()["manage_token"].get<std::string>();
  ASSERT_EQ(http.post(cancel, json::object()).status, 200);

  Reply scrape = http.get("/metrics");
  ASSERT_EQ(scrape.status, 200) << scrape.body;
  EXPECT_EQ(scrape.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  json samples = parse_metrics(scrape.body, dir);
  EXPECT_EQ(value_of(samples, "rdv_http_requests_total",
                     {{"route", "/healthz"}, {"method", "GET"}, {"status", "200"}}),
            7);
  EXPECT_EQ(
      value_of(samples, "rdv_http_requests_total", {{"route", "/api/v1/slots"}, {"status", "200"}}),
      3);
  EXPECT_EQ(
      value_of(samples, "rdv_http_request_duration_seconds_count", {{"route", "/api/v1/slots"}}),
      3);
  // The booking that was created, and the slot search each creation makes.
  EXPECT_GE(value_of(samples, "rdv_slot_search_duration_seconds_count"), 4);
  EXPECT_EQ(
      value_of(samples, "rdv_bookings_total", {{"event", "created"}, {"channel", "resident"}}), 1);
  EXPECT_EQ(
      value_of(samples, "rdv_bookings_total", {{"event", "cancelled"}, {"channel", "resident"}}),
      1);
  EXPECT_EQ(value_of(samples, "rdv_errors_total", {{"code", "slot_unavailable"}}), 1);
  EXPECT_EQ(value_of(samples, "rdv_calendar_sync_failures_total"), 0);
  EXPECT_EQ(value_of(samples, "rdv_ready"), 1);
  EXPECT_GE(value_of(samples, "rdv_db_pool_size"), 1);
  EXPECT_GE(value_of(samples, "rdv_db_pool_connections", {{"state", "idle"}}), 0);
  // At least the booking and its cancellation; none left waiting.
  EXPECT_GE(value_of(samples, "rdv_db_writes_total"), 2);
  EXPECT_GE(value_of(samples, "rdv_db_write_groups_total"), 1);
  EXPECT_LE(value_of(samples, "rdv_db_write_groups_total"),
            value_of(samples, "rdv_db_writes_total"));
  EXPECT_EQ(value_of(samples, "rdv_db_writes_waiting"), 0);
  EXPECT_EQ(value_of(samples, "rdv_jobs_oldest_due_age_seconds"), 0);  // no scheduler delay yet
  EXPECT_GT(value_of(samples, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(value_of(samples, "process_open_fds"), 3);
  EXPECT_GT(value_of(samples, "process_start_time_seconds"), 1.7e9);
  // No raw path as a label: the manage token of the cancel is nowhere.
  EXPECT_EQ(scrape.body.find(booked.json()["manage_token"].get<std::string>()), std::string::npos);
}

// Metrics answer monitoring addresses without a token (behind a trusted
// proxy, the address it forwards), and administrators from anywhere.
TEST(Operations, MetricsAreForTheMonitoringAddressesOrAdministrators) {
  ServerOptions options;
  options.env["RDV_METRICS_ALLOW"] = "10.20.0.0/16";
  options.extra_args = {"--trusted-proxies", "127.0.0.1"};
  ServerProcess server(options);
  HttpClient http(server.port());
  World w = make_world(http);
  EXPECT_EQ(http.get("/metrics").status, 403);
  EXPECT_EQ(http.get("/metrics", w.agent_token).status, 403);
  EXPECT_EQ(http.get("/metrics", w.admin_token).status, 200);
  auto through_proxy = [&](const std::string& forwarded) {
    return http.request("GET", "/metrics", "", {{"X-Forwarded-For", forwarded}}).status;
  };
  EXPECT_EQ(through_proxy("10.20.3.4"), 200);
  EXPECT_EQ(through_proxy("10.21.3.4"), 403);
  // The proxy appends the address it saw: a client's own header counts for nothing.
  EXPECT_EQ(through_proxy("10.20.3.4, 203.0.113.9"), 403);

  // A local proxy the server was not told to trust (a forgotten
  // --trusted-proxies): what it forwards is nobody's by address.
  ServerOptions untrusted;
  untrusted.env["RDV_METRICS_ALLOW"] = "127.0.0.1";
  ServerProcess direct(untrusted);
  HttpClient direct_http(direct.port());
  EXPECT_EQ(direct_http.get("/metrics").status, 200);
  EXPECT_EQ(direct_http.request("GET", "/metrics", "", {{"X-Forwarded-For", "127.0.0.1"}}).status,
            403);
  EXPECT_EQ(direct_http.request("GET", "/metrics", "", {{"X-Forwarded-For", "203.0.113.9"}}).status,
            403);
}

// /readyz follows the database: 503 while PostgreSQL is down, 200 again by
// itself once it is back; /healthz says the process is alive all along.
TEST(Operations, ReadinessFollowsTheDatabase) {
  if (!testing_postgres()) GTEST_SKIP() << "PostgreSQL only (RDV_TEST_STORE=postgres)";
  PgCluster cluster("rendezvous");
  ServerProcess server({cluster.url(), {}});
  HttpClient http(server.port());
  EXPECT_EQ(http.get("/readyz").status, 200);
  cluster.stop();
  Reply down = http.get("/readyz");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.json()["status"], "not ready");
  EXPECT_EQ(http.get("/healthz").status, 200);
  cluster.start();
  EXPECT_TRUE(wait_until([&] { return http.get("/readyz").status == 200; }));
}

// Without background work here (--no-scheduler), readiness is the database's.
TEST(Operations, ReadyWithoutTheScheduler) {
  ServerProcess server({"", {"--no-scheduler"}});
  HttpClient http(server.port());
  Reply ready = http.get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.json()["status"], "ready");
}

// Every line of a server's work is JSON with its fields; ServerProcess
// checks every server's log for personal data and secrets at its end, and
// this checks that the check itself finds them.
TEST(Operations, TheLogCheckFindsWhatMustNotBeThere) {
  TempDir dir;
  std::string file = dir.file("log");
  std::ofstream(file)
      << R"({"time":"t","level":"info","event":"request","route":"/api/v1/bookings/{id}"})"
         "\n"
      << "plain text\n"
      << R"({"time":"t","level":"info","event":"x","error":"to lea@example.fr"})"
         "\n"
      << R"({"time":"t","level":"info","event":"x","error":"to +33612345678"})"
         "\n"
      << R"({"time":"t","level":"info","event":"x","route":"/api/v1/bookings/12"})"
         "\n"
      << R"({"time":"t","level":"info","event":"x","error":"Zq3xVb7Kp0LmN4rT8sWd2YhJ6gF9aCe1kk"})"
         "\n"
      << R"({"level":"info","event":"x"})"
         "\n";
  auto problems = log_problems(file);
  ASSERT_EQ(problems.size(), 6u);
  EXPECT_NE(problems[0].find("not a JSON object"), std::string::npos);
  EXPECT_NE(problems[1].find("a mailbox"), std::string::npos);
  EXPECT_NE(problems[2].find("a phone number"), std::string::npos);
  EXPECT_NE(problems[3].find("a raw path"), std::string::npos);
  EXPECT_NE(problems[4].find("a token"), std::string::npos);
  EXPECT_NE(problems[5].find("no \"time\""), std::string::npos);
}

}  // namespace
}  // namespace rdv::testing
