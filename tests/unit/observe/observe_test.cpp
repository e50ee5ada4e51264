// The log's lines and the metrics' text, as the people who run the service
// (and their tools) read them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "observe/log.h"
#include "observe/metrics.h"
#include "observe/process_stats.h"

namespace rdv {
namespace {

TEST(Log, ALineIsOneJsonObjectWithTimeLevelAndEventFirst) {
  std::string line = logging::format_line(logging::Level::kWarn, "job_failed",
                                          {{"job", 12}, {"kind", "email"}, {"event", "forged"}},
                                          "2026-12-02T18:40:00.123Z");
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(line, R"({"time":"2026-12-02T18:40:00.123Z","level":"warn","event":"job_failed",)"
                  R"("job":12,"kind":"email"})"
                  "\n");
  // Invalid UTF-8 from a library's message does not break the line.
  auto bad = nlohmann::json::parse(
      logging::format_line(logging::Level::kError, "x", {{"error", "caf\xE9"}}, "t"));
  EXPECT_EQ(bad["error"], "caf\ufffd");
}

TEST(Log, PersonalDataAndTokensAreMaskedInTexts) {
  EXPECT_EQ(logging::scrub("duplicate key\nDETAIL: Key (email)=(lea@example.fr) already exists."),
            "duplicate key");
  EXPECT_EQ(logging::scrub("mail to lea.dupont+rdv@example.fr refused"), "mail to [email] refused");
  EXPECT_EQ(logging::scrub("sms to +33612345678 failed"), "sms to [number] failed");
  EXPECT_EQ(logging::scrub("call 06 12 34 56 78 now"), "call [number] now");
  EXPECT_EQ(logging::scrub("call 06.12.34.56.78 or 06-12-34-56-78"), "call [number] or [number]");
  EXPECT_EQ(logging::scrub("to +33 6 12 34 56 78"), "to [number]");
  EXPECT_EQ(logging::scrub("mailto:lea%40example.fr"), "mailto:[email]");
  // Standard base64 (openssl rand -base64 32) with its + / and =.
  EXPECT_EQ(logging::scrub("token q+3x/Vb7Kp0LmN4rT8sWd2YhJ6gF9aCe1kLq0Zr5u8=!"), "token [token]!");
  EXPECT_EQ(logging::scrub("link 12-Zq3xVb7Kp0LmN4rT8sWd2YhJ6gF9aCe1 expired"),
            "link [token] expired");
  // What the people running the service need stays.
  for (const char* kept :
       {"/api/v1/bookings/{id}/documents", "127.0.0.1", "2001:db8::1", "timeout after 30000 ms",
        "2026-12-02T18:40:00Z", "HTTP 503", "connection to 192.168.100.200 refused",
        "on 2026-12-02 18:40", "job 12 attempt 3", "0.25 s"})
    EXPECT_EQ(logging::scrub(kept), kept);
}

TEST(Log, EveryTextOfALineIsScrubbedAndBounded) {
  auto line =
      nlohmann::json::parse(logging::format_line(logging::Level::kInfo, "x",
                                                 {{"list", {"lea@example.fr", 3}},
                                                  {"nested", {{"to", "+33612345678"}}},
                                                  {"long", std::string(100000, 'a') + " end"},
                                                  {"route", "/api/v1/agents/{agent}/calendars"}},
                                                 "t"));
  EXPECT_EQ(line["list"][0], "[email]");
  EXPECT_EQ(line["list"][1], 3);
  EXPECT_EQ(line["nested"]["to"], "[number]");
  EXPECT_LE(line["long"].get<std::string>().size(), 2048u + 3);
  EXPECT_EQ(line["route"], "/api/v1/agents/{agent}/calendars");
}

TEST(Log, LevelsHaveNames) {
  EXPECT_EQ(logging::parse_level("warn"), logging::Level::kWarn);
  EXPECT_FALSE(logging::parse_level("verbose"));
  logging::set_min_level(logging::Level::kWarn);
  EXPECT_FALSE(logging::enabled(logging::Level::kInfo));
  EXPECT_TRUE(logging::enabled(logging::Level::kError));
  logging::set_min_level(logging::Level::kInfo);
}

TEST(Metrics, CountersAndHistogramsInTheTextFormat) {
  metrics::record_request("/api/v1/slots", "GET", 200, 0.004);
  metrics::record_request("/api/v1/slots", "GET", 200, 0.3);
  metrics::record_error("slot_unavailable");
  std::string text = metrics::render_counters();
  EXPECT_NE(text.find("# TYPE rdv_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(
      text.find(R"(rdv_http_requests_total{route="/api/v1/slots",method="GET",status="200"} 2)"),
      std::string::npos)
      << text;
  // Buckets are cumulative; +Inf equals the count.
  EXPECT_NE(
      text.find(R"(rdv_http_request_duration_seconds_bucket{route="/api/v1/slots",le="0.005"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(rdv_http_request_duration_seconds_bucket{route="/api/v1/slots",le="0.5"} 2)"),
      std::string::npos);
  EXPECT_NE(
      text.find(R"(rdv_http_request_duration_seconds_bucket{route="/api/v1/slots",le="+Inf"} 2)"),
      std::string::npos);
  EXPECT_NE(text.find(R"(rdv_http_request_duration_seconds_count{route="/api/v1/slots"} 2)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(rdv_errors_total{code="slot_unavailable"} 1)"), std::string::npos);
  EXPECT_NE(text.find("rdv_calendar_sync_failures_total 0\n"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(metrics::escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(metrics::render_gauge("g", "help", {{{{"k", "v\""}}, 1.5}}),
            "# HELP g help\n# TYPE g gauge\ng{k=\"v\\\"\"} 1.5\n");
}

TEST(Metrics, ProcessFiguresComeFromProc) {
  auto stats = metrics::read_process_stats();
  ASSERT_TRUE(stats);
  EXPECT_GT(stats->resident_bytes, 1 << 20);
  EXPECT_GE(stats->open_files, 3);  // stdin, stdout, stderr at least
  EXPECT_GT(stats->start_time_seconds, 1.7e9);
}

}  // namespace
}  // namespace rdv
