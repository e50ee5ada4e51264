// The program itself: start-up, configuration errors, health, contract, limits, stop.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "support/file_text.h"
#include "world.h"

namespace rdv::testing {
namespace {

TEST(Server, HealthAndContract) {
  ServerProcess server;
  HttpClient http(server.port());
  Reply health = http.get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json()["status"], "ok");

  Reply spec = http.get("/openapi.yaml");
  EXPECT_EQ(spec.status, 200);
  EXPECT_EQ(spec.body, file_text(RDV_SOURCE_DIR "/openapi.yaml"));
}

TEST(Server, SigtermExitsCleanly) {
  ServerProcess server;
  HttpClient http(server.port());
  EXPECT_EQ(http.get("/healthz").status, 200);
  int status = server.terminate();
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Server, BadConfigurationExitsWithOneLine) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"serve", "--bogus"},
                                             {"serve", "--db", "mysql://x"},
                                             {"serve", "--listen", "nowhere"},
                                             {"serve", "--listen", "127.0.0.1:99999"},
                                             {"serve", "--read-threads", "-1"},
                                             {"serve", "--read-threads", "many"},
                                             {"serve", "--db", "sqlite:/proc/no/such/dir/db"},
                                             {"frobnicate"},
                                             {}}) {
    auto [code, err] = run_binary(args);
    EXPECT_NE(code, 0);
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    // A mistake on the command line in plain text; a failure once running
    // (the database cannot be opened) as a JSON log line.
    auto line = nlohmann::json::parse(err, nullptr, false);
    bool logged = line.is_object() && line.value("level", "") == "error";
    EXPECT_TRUE(err.rfind("rendezvous: ", 0) == 0 || logged) << err;
  }
}

// libpq quotes the part of a URL it cannot parse, which may be the
// password: the server says what is wrong without repeating it.
TEST(Server, AnUnparsableDatabaseUrlIsRefusedWithoutItsPassword) {
  for (const auto& [url, password] : std::vector<std::pair<std::string, std::string>>{
           {"postgresql://rdv:s3cr%zzet@db.example/rdv", "s3cr%zzet"},
           {"postgresql://rdv:pa@ss@db.example/rdv", "ss@db"},
           {"postgresql://rdv:pa/ss@db.example/rdv", "pa/ss"}}) {
    auto [code, err] = run_binary({"serve", "--db", url});
    EXPECT_EQ(code, 2) << err;
    EXPECT_NE(err.find("not a valid PostgreSQL URL"), std::string::npos) << err;
    EXPECT_EQ(err.find(password), std::string::npos) << err;
  }
}

TEST(Server, BookingCreationIsRateLimitedPerClient) {
  ServerOptions options;
  options.env["RDV_BOOKING_RATE_LIMIT"] = "3";
  ServerProcess server(options);
  HttpClient http(server.port());
  World w = make_world(http);
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 5; ++i) {
    Reply r =
        http.post("/api/v1/bookings",
                  {{"service_id", w.service}, {"start", w.at("09:00")}, {"resident", resident()}});
    if (r.status == 429) {
      ++limited;
      retry_after = r.headers["retry-after"];
      EXPECT_EQ(r.error_code(), "rate_limited");
    }
  }
  // A minute boundary may fall inside the loop and reset the window once.
  EXPECT_GE(limited, 1);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_GT(std::stoi(retry_after), 0);
}

TEST(Server, RateLimitTrustsForwardedForOnlyFromConfiguredProxies) {
  ServerOptions options;
  options.env["RDV_BOOKING_RATE_LIMIT"] = "2";
  options.env["RDV_TRUSTED_PROXIES"] = "127.0.0.1";
  ServerProcess server(options);
  HttpClient http(server.port());
  World w = make_world(http);
  auto book_from = [&](const std::string& address) {
    return http.post(
        "/api/v1/bookings",
        {{"service_id", w.service}, {"start", w.at("09:00")}, {"resident", resident()}}, "",
        {{"X-Forwarded-For", "203.0.113.9, " + address}});
  };
  // Each client address has its own budget; the first hop (client-supplied) is ignored.
  int limited_a = 0, limited_b = 0;
  for (int i = 0; i < 5; ++i)
    limited_a += book_from("198.51.100.1").status == 429;  // even across a minute boundary
  for (int i = 0; i < 2; ++i) limited_b += book_from("198.51.100.2").status == 429;
  EXPECT_GE(limited_a, 1);
  EXPECT_EQ(limited_b, 0);
}

TEST(Server, DemoDataIsBookable) {
  ServerOptions options;
  options.extra_args = {"--demo"};
  ServerProcess server(options);
  HttpClient http(server.port());
  auto found = http.get("/api/v1/search?q=caf").json();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["service"]["name"], "Permanence CAF");
  ASSERT_TRUE(found[0]["next_slot"].is_object());
  Reply r = http.post("/api/v1/bookings", {{"service_id", found[0]["service"]["id"]},
                                           {"start", found[0]["next_slot"]["start"]},
                                           {"resident", resident()}});
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(http.get("/api/v1/search?q=carte+grise").json().size(), 1u);
  EXPECT_EQ(http.get("/api/v1/search?q=numerique").json().size(), 1u);
}

}  // namespace
}  // namespace rdv::testing

namespace rdv::testing {
namespace {

TEST(Server, SecretsNeverReachTheLog) {
  ServerOptions options;
  options.log_file =
      std::filesystem::temp_directory_path() / ("rdv-log-" + std::to_string(getpid()));
  std::string feed_secret, manage_token;
  {
    ServerProcess server(options);
    HttpClient http(server.port());
    World w = make_world(http);
    Reply agent = http.post("/api/v1/organisations/" + std::to_string(w.org) + "/agents",
                            {{"name", "Karim"}}, w.admin_token);
    std::string feed = agent.json()["ics_feed_url"];
    feed_secret = feed.substr(feed.rfind('/') + 1, 43);
    EXPECT_EQ(http.get(feed.substr(feed.find("/ical/"))).status, 200);
    Reply b =
        http.post("/api/v1/bookings",
                  {{"service_id", w.service}, {"start", w.at("09:00")}, {"resident", resident()}});
    manage_token = b.json()["manage_token"];
    http.get("/api/v1/bookings/" + std::to_string(b.json()["id"].get<long>()) +
             "?token=" + manage_token);
    http.get("/visio/1-r-" + manage_token);
    http.get("/api/v1/surveys/1-" + manage_token);
    server.terminate();
  }
  std::string log = file_text(options.log_file);
  EXPECT_NE(log.find(R"("method":"GET","route":"/ical/agents/{agent}/{secret}")"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find(feed_secret), std::string::npos) << log;
  EXPECT_EQ(log.find(manage_token), std::string::npos) << log;
  EXPECT_EQ(log.find(ServerProcess::kAdminToken), std::string::npos);
  std::filesystem::remove(options.log_file);
}

}  // namespace
}  // namespace rdv::testing
