// Several instances on one PostgreSQL database, and PostgreSQL going away
// under load. These run in the e2e-postgres pass (RDV_TEST_STORE=postgres);
// the SQLite pass skips them.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "smtp_sink.h"
#include "support/pg_cluster.h"
#include "support/pg_databases.h"
#include "support/temp_dir.h"
#include "world.h"

namespace rdv::testing {
namespace {

using nlohmann::json;

#define REQUIRE_POSTGRES() \
  if (!testing_postgres()) GTEST_SKIP() << "PostgreSQL only (RDV_TEST_STORE=postgres)"

json resident_number(int i) {
  return {{"first_name", "Résident"},
          {"last_name", std::to_string(i)},
          {"email", "resident" + std::to_string(i) + "@example.fr"}};
}

// Three `serve` processes on one fresh database, without background work.
struct ThreeInstances {
  std::string db = fresh_test_db("");
  ServerProcess a{{db, {"--no-scheduler"}}}, b{{db, {"--no-scheduler"}}},
      c{{db, {"--no-scheduler"}}};
  std::vector<HttpClient> clients = {HttpClient(a.port()), HttpClient(b.port()),
                                     HttpClient(c.port())};
};

// Fires one booking request per start at once, spread over the instances;
// returns status -> count.
std::map<int, int> race(const std::vector<HttpClient>& clients, long service,
                        const std::vector<std::string>& starts) {
  std::vector<std::thread> threads;
  std::vector<int> statuses(starts.size());
  std::atomic<bool> go{false};
  for (size_t i = 0; i < starts.size(); ++i)
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      json body = {{"service_id", service},
                   {"start", starts[i]},
                   {"resident", resident_number(static_cast<int>(i))}};
      statuses[i] = clients[i % clients.size()].post("/api/v1/bookings", body).status;
    });
  go = true;
  for (auto& t : threads) t.join();
  std::map<int, int> counts;
  for (int s : statuses) ++counts[s];
  return counts;
}

TEST(Instances, RacingBookingsAcrossThreeInstancesGiveOneBookingPerSlot) {
  REQUIRE_POSTGRES();
  ThreeInstances instances;
  World w = make_world(instances.clients[0]);
  const std::vector<std::string> slots = {"09:00", "09:30", "10:00", "10:30", "11:00"};
  std::vector<std::string> starts;
  for (int round = 0; round < 12; ++round)
    for (const std::string& slot : slots) starts.push_back(w.at(slot));
  auto counts = race(instances.clients, w.service, starts);
  EXPECT_EQ(counts[201], static_cast<int>(slots.size()));
  EXPECT_EQ(counts[409], static_cast<int>(starts.size() - slots.size()));
  // Each slot is held once, whichever instance is asked.
  for (const HttpClient& http : instances.clients) {
    Reply list = http.get("/api/v1/agents/" + std::to_string(w.agent) + "/bookings", w.admin_token);
    ASSERT_EQ(list.status, 200) << list.body;
    json items = list.json()["items"];
    EXPECT_EQ(items.size(), slots.size());
  }
}

TEST(Instances, GroupSeatsRacedAcrossInstancesStopAtCapacity) {
  REQUIRE_POSTGRES();
  ThreeInstances instances;
  World w = make_world(instances.clients[0]);
  auto counts = race(instances.clients, w.workshop, std::vector<std::string>(30, w.at("14:00")));
  EXPECT_EQ(counts[201], 6);
  EXPECT_EQ(counts[409], 24);
}

TEST(Instances, AnotherInstanceReadsABookingAcknowledgedRightBeforeKillNine) {
  REQUIRE_POSTGRES();
  std::string db = fresh_test_db("");
  ServerProcess reader({db, {"--no-scheduler"}});
  auto writer = std::make_unique<ServerProcess>(ServerOptions{db, {"--no-scheduler"}});
  HttpClient http(writer->port());
  World w = make_world(http);
  Reply r =
      http.post("/api/v1/bookings",
                {{"service_id", w.service}, {"start", w.at("11:00")}, {"resident", resident()}});
  ASSERT_EQ(r.status, 201);
  writer->kill_hard();  // no clean shutdown, right after the 201
  HttpClient other(reader.port());
  Reply found = other.get("/api/v1/bookings/" + std::to_string(r.json()["id"].get<long>()) +
                          "?token=" + r.json()["manage_token"].get<std::string>());
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json()["start"], w.at("11:00"));
  Reply twice = other.post(
      "/api/v1/bookings",
      {{"service_id", w.service}, {"start", w.at("11:00")}, {"resident", resident("Jean")}});
  EXPECT_EQ(twice.error_code(), "slot_unavailable");
}

// Three instances and a worker run the scheduler on one database: each
// confirmation is sent once, also when an instance is killed (kill -9) in
// the middle of a send: its job is taken over once its lease ends, and the
// message goes out once, with the Message-ID every attempt of it carries.
TEST(Instances, SchedulersSendEachMessageOnceWhenOneIsKilledMidSend) {
  REQUIRE_POSTGRES();
  SmtpSink smtp(0, "", 1500);  // each send takes 1.5 s to be answered
  std::string db = fresh_test_db("");
  ServerOptions options = mailing_to(smtp);
  options.db = db;
  options.env["RDV_JOB_LEASE_SECONDS"] = "3";
  auto a = std::make_unique<ServerProcess>(options);
  ServerProcess b(options), c(options);
  WorkerProcess worker(db, options.env);
  HttpClient http(b.port());
  World w = make_world(http);
  const std::vector<std::string> slots = {"09:00", "09:30", "10:00", "10:30", "11:00", "11:30"};
  for (size_t i = 0; i < slots.size(); ++i) {
    json r = resident_number(static_cast<int>(i));
    Reply booked =
        http.post("/api/v1/bookings",
                  {{"service_id", w.service}, {"start", w.at(slots[i])}, {"resident", r}});
    ASSERT_EQ(booked.status, 201) << booked.body;
  }
  // Four schedulers each hold one of the six sends for 1.5 s: `a` is in
  // the middle of one now.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  a->kill_hard();
  ASSERT_TRUE(smtp.wait_for(slots.size(), std::chrono::seconds{30}));
  std::this_thread::sleep_for(std::chrono::seconds(5));  // a lease's length more: no second copy
  json messages = smtp.messages();
  ASSERT_EQ(messages.size(), slots.size());
  std::set<std::string> ids, recipients;
  for (const json& m : messages) {
    ids.insert(m["message_id"].get<std::string>());
    recipients.insert(m["to"].dump());
  }
  EXPECT_EQ(ids.size(), slots.size());
  EXPECT_EQ(recipients.size(), slots.size());
  // Every job is done; the one `a` held was taken over: a second attempt.
  Reply done = http.get("/api/v1/jobs?status=done", w.admin_token);
  ASSERT_EQ(done.status, 200);
  json jobs = done.json();
  ASSERT_EQ(jobs.size(), slots.size());
  int taken_over = 0;
  for (const json& j : jobs) taken_over += j["attempts"].get<int>() == 2;
  EXPECT_EQ(taken_over, 1) << jobs.dump();
}

// PostgreSQL stopped under load, then started again: the requests in
// between get a clear 503, every booking acknowledged with a 201 is there
// afterwards, and the same server process answers again without a restart.
TEST(Outage, PostgresStoppedAndStartedUnderLoad) {
  REQUIRE_POSTGRES();
  // Its own cluster, so that stopping it disturbs no other test, and a
  // durable one: PostgreSQL crashes, and what it acknowledged must stay.
  PgCluster cluster("rendezvous", true);
  ServerProcess server({cluster.url(), {"--no-scheduler"}});
  HttpClient http(server.port());
  World w = make_world(http);
  std::mutex mutex;
  std::vector<long> acknowledged;
  std::map<int, int> statuses;
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  auto load = [&](int client) {
    for (int i = 0; !stop; ++i) {
      int n = sent++;
      // Quarter-hour starts over the opening: half of them are slots.
      int minutes = 9 * 60 + 15 * (n % 12);
      char hhmm[6];
      std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", minutes / 60, minutes % 60);
      Reply r = http.post("/api/v1/bookings", {{"service_id", w.service},
                                               {"start", w.at(hhmm)},
                                               {"resident", resident_number(client * 1000 + i)}});
      std::lock_guard lock(mutex);
      ++statuses[r.status];
      if (r.status == 201) acknowledged.push_back(r.json()["id"]);
      if (r.status == 503) {
        EXPECT_EQ(r.error_code(), "unavailable");
        EXPECT_EQ(r.headers["retry-after"], "2");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) clients.emplace_back(load, i);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  cluster.stop(PgCluster::Shutdown::kImmediate);  // a crash
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  cluster.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  for (auto& t : clients) t.join();

  EXPECT_GT(statuses[503], 0) << "no request met the outage";
  for (const auto& [status, count] : statuses)
    EXPECT_TRUE(status == 201 || status == 409 || status == 503) << count << " answers " << status;
  // Recovered by itself: a booking now succeeds on the same process.
  Reply after = http.post(
      "/api/v1/bookings",
      {{"service_id", w.workshop}, {"start", w.at("14:00")}, {"resident", resident("Après")}});
  EXPECT_EQ(after.status, 201) << after.body;
  // Nothing acknowledged was lost.
  Reply list =
      http.get("/api/v1/agents/" + std::to_string(w.agent) + "/bookings?limit=200", w.admin_token);
  ASSERT_EQ(list.status, 200);
  std::set<long> stored;
  json items = list.json()["items"];  // kept: a range over a temporary's member dangles
  for (const json& b : items) stored.insert(b["id"].get<long>());
  for (long id : acknowledged) EXPECT_TRUE(stored.count(id)) << "booking " << id << " lost";
}

// A commune outgrows SQLite: its database is copied to PostgreSQL, and what
// residents hold from before (manage links, tokens) keeps working there.
TEST(Migration, DemoDataMovesToPostgresAndEarlierLinksStillWork) {
  REQUIRE_POSTGRES();
  TempDir dir;
  std::string sqlite_db = "sqlite:" + dir.file("commune.db");
  json booking;
  json slot;
  long service = 0;
  {
    ServerProcess before({sqlite_db, {"--demo", "--no-scheduler"}});
    HttpClient http(before.port());
    json found = http.get("/api/v1/search?q=caf").json();
    ASSERT_EQ(found.size(), 1u);
    service = found[0]["service"]["id"];
    slot = found[0]["next_slot"];
    Reply r =
        http.post("/api/v1/bookings",
                  {{"service_id", service}, {"start", slot["start"]}, {"resident", resident()}});
    ASSERT_EQ(r.status, 201) << r.body;
    booking = r.json();
    before.terminate();
  }
  std::string url = fresh_migrated_database();
  auto [code, output] = run_binary({"migrate", "--from", sqlite_db, "--to", url});
  ASSERT_EQ(code, 0) << output;
  // Copying again into a database that holds data is refused.
  auto [again, refused] = run_binary({"migrate", "--from", sqlite_db, "--to", url});
  EXPECT_NE(again, 0);
  EXPECT_NE(refused.find("already holds data"), std::string::npos) << refused;

  ServerProcess after({url, {"--no-scheduler"}});
  HttpClient http(after.port());
  std::string manage = "/api/v1/bookings/" + std::to_string(booking["id"].get<long>()) +
                       "?token=" + booking["manage_token"].get<std::string>();
  Reply found = http.get(manage);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json()["start"], slot["start"]);
  // The slot is still taken; the next one can be booked, with a new id.
  Reply twice = http.post(
      "/api/v1/bookings",
      {{"service_id", service}, {"start", slot["start"]}, {"resident", resident("Jean")}});
  EXPECT_EQ(twice.error_code(), "slot_unavailable");
  json next = http.get("/api/v1/search?q=caf").json()[0]["next_slot"];
  Reply other = http.post(
      "/api/v1/bookings",
      {{"service_id", service}, {"start", next["start"]}, {"resident", resident("Jean")}});
  ASSERT_EQ(other.status, 201) << other.body;
  EXPECT_GT(other.json()["id"].get<long>(), booking["id"].get<long>());
  // The resident cancels with the link received before the move.
  Reply cancelled = http.post("/api/v1/bookings/" + std::to_string(booking["id"].get<long>()) +
                                  "/cancel?token=" + booking["manage_token"].get<std::string>(),
                              json::object());
  EXPECT_EQ(cancelled.status, 200) << cancelled.body;
  // The demo's staff can still sign in (their password hashes came along).
  EXPECT_EQ(http.get("/api/v1/search?q=carte+grise").json().size(), 1u);
}

}  // namespace
}  // namespace rdv::testing
