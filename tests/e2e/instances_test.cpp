// Several instances on one PostgreSQL database, and PostgreSQL going away
// under load. These run in the e2e-postgres pass (RDV_TEST_STORE=postgres);
// the SQLite pass skips them.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "smtp_sink.h"
#include "support/pg_cluster.h"
#include "support/pg_databases.h"
#include "support/temp_dir.h"
#include "support/wait.h"
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

// Clients booking without pause (quarter-hour starts over the opening: half
// of them are slots) until stopped; what each answer was, and the ids of the
// bookings acknowledged with a 201.
class BookingLoad {
 public:
  BookingLoad(const HttpClient& http, const World& w, int clients) {
    for (int c = 0; c < clients; ++c)
      threads_.emplace_back([this, &http, &w, c] {
        for (int i = 0; !stop_; ++i) {
          int n = sent_++;
          int minutes = 9 * 60 + 15 * (n % 12);
          char hhmm[6];
          std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", minutes / 60, minutes % 60);
          Reply r = http.post("/api/v1/bookings", {{"service_id", w.service},
                                                   {"start", w.at(hhmm)},
                                                   {"resident", resident_number(c * 1000 + i)}});
          std::lock_guard lock(mutex_);
          ++statuses_[r.status];
          if (r.status == 201) acknowledged_.push_back(r.json()["id"]);
          if (r.status == 503) {
            EXPECT_EQ(r.error_code(), "unavailable");
            EXPECT_EQ(r.headers["retry-after"], "2");
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      });
  }
  ~BookingLoad() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  // Read after stop().
  std::map<int, int> statuses() const { return statuses_; }
  const std::vector<long>& acknowledged() const { return acknowledged_; }

 private:
  std::mutex mutex_;
  std::map<int, int> statuses_;
  std::vector<long> acknowledged_;
  std::atomic<bool> stop_{false};
  std::atomic<int> sent_{0};
  std::vector<std::thread> threads_;
};

// After an outage met by the load: every answer was 201, 409 or a clear
// 503, the same process books again, and every booking acknowledged with a
// 201 is stored.
void expect_recovered(const HttpClient& http, const World& w, const BookingLoad& load,
                      const std::string& outage) {
  auto statuses = load.statuses();
  EXPECT_GT(statuses[503], 0) << "no request met " << outage;
  for (const auto& [status, count] : statuses)
    EXPECT_TRUE(status == 201 || status == 409 || status == 503) << count << " answers " << status;
  Reply after = http.post(
      "/api/v1/bookings",
      {{"service_id", w.workshop}, {"start", w.at("14:00")}, {"resident", resident("Après")}});
  EXPECT_EQ(after.status, 201) << after.body;
  Reply list =
      http.get("/api/v1/agents/" + std::to_string(w.agent) + "/bookings?limit=200", w.admin_token);
  ASSERT_EQ(list.status, 200) << list.body;
  std::set<long> stored;
  json items = list.json()["items"];  // kept: a range over a temporary's member dangles
  for (const json& b : items) stored.insert(b["id"].get<long>());
  for (long id : load.acknowledged()) EXPECT_TRUE(stored.count(id)) << "booking " << id << " lost";
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
  BookingLoad load(http, w, 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  cluster.stop(PgCluster::Shutdown::kImmediate);  // a crash
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  cluster.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  load.stop();

  expect_recovered(http, w, load, "the outage");
}

// A primary and a synchronous streaming standby; the service is given both
// hosts with target_session_attrs=read-write. The primary dies under load and
// the standby is promoted (pg_ctl promote): the same server process carries
// on against the new primary, and no booking acknowledged before is lost,
// since each commit waited for the standby (synchronous_standby_names).
TEST(Failover, TheServiceFollowsAPromotedStandby) {
  REQUIRE_POSTGRES();
  PgCluster primary("rendezvous", true);
  {
    pqxx::connection admin(primary.url());
    pqxx::nontransaction q(admin);
    q.exec0("ALTER SYSTEM SET synchronous_standby_names = '*'");
    q.exec1("SELECT pg_reload_conf()");
  }
  PgCluster standby(PgCluster::StandbyOf{primary});
  std::string both = "postgresql://postgres@127.0.0.1:" + std::to_string(primary.port()) +
                     ",127.0.0.1:" + std::to_string(standby.port()) +
                     "/rendezvous?target_session_attrs=read-write&connect_timeout=2";
  ServerProcess server({both, {"--no-scheduler"}});
  HttpClient http(server.port());
  World w = make_world(http);
  ASSERT_EQ(http.get("/readyz").status, 200);
  BookingLoad load(http, w, 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  primary.stop(PgCluster::Shutdown::kImmediate);  // the primary's machine is gone
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(http.get("/readyz").status, 503);  // the standby is read-only still
  standby.promote();
  // The new primary has no standby of its own yet, and it inherited
  // synchronous_standby_names: its commits would wait forever. The
  // administrator chooses, as deploy/README.md says: here, availability until
  // a new standby is attached.
  {
    pqxx::connection admin("postgresql://postgres@127.0.0.1:" + std::to_string(standby.port()) +
                           "/rendezvous");
    pqxx::nontransaction q(admin);
    q.exec0("ALTER SYSTEM RESET synchronous_standby_names");
    q.exec1("SELECT pg_reload_conf()");
  }
  EXPECT_TRUE(
      wait_until([&] { return http.get("/readyz").status == 200; }, std::chrono::seconds{20}))
      << "not ready after the promotion";
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  load.stop();

  EXPECT_GT(load.statuses()[201], 0);
  expect_recovered(http, w, load, "the failover");
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
    // Two days ahead or more: the resident may still cancel it online (up to
    // 4 hours before), whatever the hour the test runs (the next slot may be
    // this afternoon's).
    json slots = http.get("/api/v1/slots?service=" + std::to_string(service) +
                          "&from=" + local_day_ahead(2) + "T00:00:00Z")
                     .json();
    ASSERT_FALSE(slots.empty());
    slot = slots[0];
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
