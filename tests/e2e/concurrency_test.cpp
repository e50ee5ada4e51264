// No double booking whatever the concurrency, and nothing acknowledged is lost.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

// Fires `n` booking requests for one slot at once; returns status -> count.
std::map<int, int> race(const HttpClient& http, long service, const std::string& start, int n) {
  std::vector<std::thread> threads;
  std::vector<int> statuses(static_cast<size_t>(n));
  std::atomic<bool> go{false};
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      json body = {{"service_id", service},
                   {"start", start},
                   {"resident",
                    {{"first_name", "Résident"},
                     {"last_name", std::to_string(i)},
                     {"email", "resident" + std::to_string(i) + "@example.fr"}}}};
      statuses[static_cast<size_t>(i)] = http.post("/api/v1/bookings", body).status;
    });
  go = true;
  for (auto& t : threads) t.join();
  std::map<int, int> counts;
  for (int s : statuses) ++counts[s];
  return counts;
}

TEST(Concurrency, FiftyRequestsForOneSlotGiveOneBooking) {
  ServerProcess server;
  HttpClient http(server.port());
  World w = make_world(http);
  auto counts = race(http, w.service, w.at("10:00"), 50);
  EXPECT_EQ(counts[201], 1);
  EXPECT_EQ(counts[409], 49);
}

TEST(Concurrency, GroupSessionOfSixTakesExactlySix) {
  ServerProcess server;
  HttpClient http(server.port());
  World w = make_world(http);
  auto counts = race(http, w.workshop, w.at("14:00"), 50);
  EXPECT_EQ(counts[201], 6);
  EXPECT_EQ(counts[409], 44);
}

TEST(Durability, AcknowledgedBookingSurvivesKillNine) {
  std::string db;
  long id = 0;
  std::string token;
  World w;
  {
    auto server = std::make_unique<ServerProcess>();
    HttpClient http(server->port());
    w = make_world(http);
    Reply r =
        http.post("/api/v1/bookings",
                  {{"service_id", w.service}, {"start", w.at("11:00")}, {"resident", resident()}});
    ASSERT_EQ(r.status, 201);
    id = r.json()["id"];
    token = r.json()["manage_token"];
    db = server->db();
    server->kill_hard();  // no clean shutdown, right after the 201

    ServerOptions again;
    again.db = db;
    ServerProcess restarted(again);
    HttpClient http2(restarted.port());
    Reply found = http2.get("/api/v1/bookings/" + std::to_string(id) + "?token=" + token);
    ASSERT_EQ(found.status, 200);
    EXPECT_EQ(found.json()["start"], w.at("11:00"));
    // The slot is still taken after the restart.
    Reply twice =
        http2.post("/api/v1/bookings",
                   {{"service_id", w.service}, {"start", w.at("11:00")}, {"resident", resident()}});
    EXPECT_EQ(twice.error_code(), "slot_unavailable");
  }
}

}  // namespace
}  // namespace rdv::testing
