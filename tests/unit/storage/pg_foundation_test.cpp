// The PostgreSQL store's foundation against a real cluster: migrations, the
// double-booking rules enforced by PostgreSQL between concurrent
// transactions, the pool through a server restart, and when transactions run
// again.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <latch>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "storage/postgres/connection.h"
#include "storage/postgres/migrate.h"
#include "support/wait.h"
#include "unit/storage/pg_test_cluster.h"

namespace {

using namespace std::chrono_literals;
using rdv::SlotTakenError;
using rdv::StoreUnavailableError;
using rdv::postgres::Isolation;
using rdv::postgres::kRead;
using rdv::postgres::Lease;
using rdv::postgres::Pool;
using rdv::postgres::PoolTimeoutError;
using rdv::postgres::RetryableConflict;
using rdv::postgres::TransactionOptions;
using rdv::postgres::with_transaction;
using rdv::testing::fresh_database;
using rdv::testing::migrated_database;
using rdv::testing::scratch_database;
using rdv::testing::test_cluster;

long long count(const std::string& url, const std::string& query) {
  pqxx::connection c(url);
  pqxx::nontransaction q(c);
  return q.exec1(query)[0].as<long long>();
}

void execute(const std::string& url, const std::string& statements) {
  pqxx::connection c(url);
  pqxx::nontransaction q(c);
  q.exec(statements);
}

// Ends a backend from another connection and waits until it has gone
// (pg_terminate_backend only sends the signal).
void terminate_backend(const std::string& url, int pid) {
  pqxx::connection admin(url);
  pqxx::nontransaction q(admin);
  q.exec_params("SELECT pg_terminate_backend($1)", pid);
  for (int i = 0; i < 200; ++i) {
    if (q.exec_params1("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid)[0].as<int>() ==
        0)
      return;
    std::this_thread::sleep_for(10ms);
  }
  FAIL() << "backend " << pid << " still there";
}

// The write lock `key`, held by another session's open transaction until
// release(), as another instance's booking would hold it.
class LockHeldElsewhere {
 public:
  LockHeldElsewhere(const std::string& url, std::int64_t key) : connection_(url), tx_(connection_) {
    tx_.exec("SELECT pg_advisory_xact_lock(" + std::to_string(key) + ")");
  }
  void release() { tx_.abort(); }

 private:
  pqxx::connection connection_;
  pqxx::work tx_;
};

// Whether the session of `tx` holds the advisory lock `key`.
bool holds_advisory_lock(pqxx::dbtransaction& tx, std::int64_t key) {
  return tx.exec_params1(
               "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
               "objid = $1 AND granted AND pid = pg_backend_pid()",
               key)[0]
             .as<int>() == 1;
}

// ---- Migrations

TEST(PgMigrations, ApplyEachOnceThenNothing) {
  std::string url = fresh_database();
  std::vector<std::string> names;
  for (const auto& m : rdv::postgres_migrations()) names.push_back(m.name);
  ASSERT_FALSE(names.empty());

  EXPECT_EQ(rdv::postgres::migrate(url), names);
  EXPECT_EQ(count(url, "SELECT count(*) FROM schema_migrations"),
            static_cast<long long>(names.size()));
  EXPECT_EQ(count(url, "SELECT count(*) FROM bookings"), 0);
  EXPECT_TRUE(rdv::postgres::migrate(url).empty());
  EXPECT_EQ(count(url, "SELECT count(*) FROM schema_migrations"),
            static_cast<long long>(names.size()));
}

TEST(PgMigrations, InstancesStartingTogetherMigrateOnce) {
  std::string url = fresh_database();
  constexpr int kInstances = 4;
  std::latch go(kInstances);
  std::vector<std::vector<std::string>> applied(kInstances);
  std::vector<std::string> errors(kInstances);
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i)
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      try {
        applied[i] = rdv::postgres::migrate(url);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  for (auto& t : threads) t.join();

  size_t total = 0;
  for (int i = 0; i < kInstances; ++i) {
    EXPECT_EQ(errors[i], "") << "instance " << i;
    total += applied[i].size();
  }
  EXPECT_EQ(total, rdv::postgres_migrations().size());
  EXPECT_EQ(count(url, "SELECT count(*) FROM schema_migrations"),
            static_cast<long long>(rdv::postgres_migrations().size()));
  EXPECT_EQ(count(url,
                  "SELECT count(*) FROM (SELECT name FROM schema_migrations "
                  "GROUP BY name HAVING count(*) > 1) twice"),
            0);
}

TEST(PgMigrations, AFailingMigrationLeavesTheEarlierOnesApplied) {
  std::string url = fresh_database();
  std::vector<rdv::Migration> list = {{"0002_bad", "CREATE TABLE b (id INT); SELECT nonsense;"},
                                      {"0001_good", "CREATE TABLE a (id INT)"}};
  EXPECT_THROW(rdv::postgres::migrate(url, list), std::runtime_error);
  EXPECT_EQ(count(url, "SELECT count(*) FROM schema_migrations WHERE name = '0001_good'"), 1);
  // The failed one left nothing behind, not even its first statement.
  EXPECT_EQ(count(url, "SELECT count(*) FROM pg_tables WHERE tablename = 'b'"), 0);
  list[0].sql = "CREATE TABLE b (id INT)";
  EXPECT_EQ(rdv::postgres::migrate(url, list), std::vector<std::string>{"0002_bad"});
}

// ---- Double booking, enforced by PostgreSQL

struct Agenda {
  long long place = 0, single = 0, group = 0, agent = 0, other_agent = 0;
};

Agenda seed_agenda(const std::string& url, int group_capacity) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  Agenda a;
  auto org = tx.exec1(
                   "INSERT INTO organisations(name, kind, timezone) "
                   "VALUES ('Mairie de Bègles', 'mairie', 'Europe/Paris') RETURNING id")[0]
                 .as<long long>();
  a.place = tx.exec_params1(
                  "INSERT INTO places(organisation_id, name, timezone) "
                  "VALUES ($1, 'Accueil', 'Europe/Paris') RETURNING id",
                  org)[0]
                .as<long long>();
  auto service = [&](const std::string& name, int capacity) {
    return tx
        .exec_params1(
            "INSERT INTO services(organisation_id, name, duration_minutes, modes, "
            "min_notice_minutes, horizon_days, capacity, cancel_until_minutes, bookable_by, "
            "search_text) VALUES ($1, $2, 60, 'in_person', 0, 90, $3, 0, 'public', $2) "
            "RETURNING id",
            org, name, capacity)[0]
        .as<long long>();
  };
  a.single = service("Permanence CAF", 1);
  a.group = service("Atelier numérique", group_capacity);
  auto agent = [&](const std::string& name) {
    return tx
        .exec_params1("INSERT INTO agents(name, ics_secret) VALUES ($1, $1) RETURNING id", name)[0]
        .as<long long>();
  };
  a.agent = agent("Inès Moreau");
  a.other_agent = agent("Karim Benali");
  tx.commit();
  return a;
}

struct NewBooking {
  long long service = 0, agent = 0;
  long long start = 0, end = 0;
  int capacity = 1;
  std::string status = "confirmed";
  long long buffer = 0;  // seconds blocked before and after
};

long long insert_booking(pqxx::dbtransaction& tx, const Agenda& a, const NewBooking& b) {
  return tx
      .exec_params1(
          "INSERT INTO bookings(service_id, agent_id, place_id, mode, start_at, end_at, "
          "block_start, block_end, capacity, status, booked_by, manage_token_hash, created_at) "
          "VALUES ($1, $2, $3, 'in_person', $4, $5, $6, $7, $8, $9, 'resident', 'hash', 0) "
          "RETURNING id",
          b.service, b.agent, a.place, b.start, b.end, b.start - b.buffer, b.end + b.buffer,
          b.capacity, b.status)[0]
      .as<long long>();
}

enum class Outcome { kCommitted, kSlotTaken, kOtherError };

Outcome book(Pool& pool, const Agenda& a, const NewBooking& b) {
  try {
    with_transaction(pool, [&](pqxx::dbtransaction& tx) { insert_booking(tx, a, b); });
    return Outcome::kCommitted;
  } catch (const SlotTakenError&) {
    return Outcome::kSlotTaken;
  }
}

// Each booking in its own transaction on its own connection, all open at
// once before any of them inserts.
std::vector<Outcome> race(Pool& pool, const Agenda& a, const std::vector<NewBooking>& bookings) {
  std::latch all_open(static_cast<std::ptrdiff_t>(bookings.size()));
  std::vector<Outcome> outcomes(bookings.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < bookings.size(); ++i)
    threads.emplace_back([&, i] {
      bool first_run = true;
      try {
        with_transaction(pool, [&](pqxx::dbtransaction& tx) {
          tx.exec("SELECT 1");  // the transaction is open on the server
          if (std::exchange(first_run, false)) all_open.arrive_and_wait();
          insert_booking(tx, a, bookings[i]);
        });
        outcomes[i] = Outcome::kCommitted;
      } catch (const SlotTakenError&) {
        outcomes[i] = Outcome::kSlotTaken;
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        outcomes[i] = Outcome::kOtherError;
      }
    });
  for (auto& t : threads) t.join();
  return outcomes;
}

long long held(const std::string& url) {
  return count(url, "SELECT count(*) FROM bookings WHERE status <> 'cancelled'");
}

constexpr long long kNine = 1'900'000'000;  // some morning, 9:00

TEST(PgBookings, OfTwoConcurrentOverlappingBookingsOneCommits) {
  std::string url = migrated_database();
  Agenda a = seed_agenda(url, 3);
  Pool pool(url, 2);
  auto outcomes = race(
      pool, a,
      {{a.single, a.agent, kNine, kNine + 3600}, {a.single, a.agent, kNine + 1800, kNine + 5400}});
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), Outcome::kCommitted), 1);
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), Outcome::kSlotTaken), 1);
  EXPECT_EQ(held(url), 1);
}

TEST(PgBookings, OnlyTimeHeldBlocks) {
  std::string url = migrated_database();
  Agenda a = seed_agenda(url, 3);
  Pool pool(url, 1);
  const long long s = kNine, e = kNine + 3600;
  ASSERT_EQ(book(pool, a, {a.single, a.agent, s, e}), Outcome::kCommitted);
  EXPECT_EQ(book(pool, a, {a.single, a.agent, s + 600, e + 600}), Outcome::kSlotTaken);
  // A cancelled booking holds nothing; the next hour and another agent are free.
  EXPECT_EQ(book(pool, a, {a.single, a.agent, s, e, 1, "cancelled"}), Outcome::kCommitted);
  EXPECT_EQ(book(pool, a, {a.single, a.agent, e, e + 3600}), Outcome::kCommitted);
  EXPECT_EQ(book(pool, a, {a.single, a.other_agent, s, e}), Outcome::kCommitted);
  // Buffers are blocked time: these touch the 10:00 booking through them.
  EXPECT_EQ(book(pool, a, {a.single, a.agent, e + 3600 + 60, e + 7200, 1, "confirmed", 120}),
            Outcome::kSlotTaken);
  // Done (or missed) bookings keep their time.
  ASSERT_EQ(book(pool, a, {a.single, a.agent, s - 7200, s - 3600, 1, "done"}), Outcome::kCommitted);
  EXPECT_EQ(book(pool, a, {a.single, a.agent, s - 5400, s - 1800}), Outcome::kSlotTaken);
  // Taking a cancelled booking back over a held slot is refused too.
  EXPECT_THROW(with_transaction(pool,
                                [](pqxx::dbtransaction& tx) {
                                  tx.exec0(
                                      "UPDATE bookings SET status = 'confirmed' "
                                      "WHERE status = 'cancelled'");
                                }),
               SlotTakenError);
  EXPECT_EQ(held(url), 4);
}

TEST(PgBookings, RacingSeatsFillAGroupSessionExactly) {
  std::string url = migrated_database();
  constexpr int kCapacity = 3, kPeople = 8;
  Agenda a = seed_agenda(url, kCapacity);
  Pool pool(url, kPeople);
  std::vector<NewBooking> seats(kPeople,
                                NewBooking{a.group, a.agent, kNine, kNine + 3600, kCapacity});
  auto outcomes = race(pool, a, seats);
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), Outcome::kCommitted), kCapacity);
  EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), Outcome::kSlotTaken), kPeople - kCapacity);
  EXPECT_EQ(held(url), kCapacity);

  // A cancelled seat is free again, for one person.
  with_transaction(pool, [](pqxx::dbtransaction& tx) {
    tx.exec0("UPDATE bookings SET status = 'cancelled' WHERE id = (SELECT min(id) FROM bookings)");
  });
  EXPECT_EQ(book(pool, a, seats[0]), Outcome::kCommitted);
  EXPECT_EQ(book(pool, a, seats[0]), Outcome::kSlotTaken);
}

TEST(PgBookings, AGroupSessionOverlapsNothingButItsOwnSeats) {
  std::string url = migrated_database();
  Agenda a = seed_agenda(url, 4);
  Pool pool(url, 1);
  NewBooking seat{a.group, a.agent, kNine, kNine + 3600, 4};
  ASSERT_EQ(book(pool, a, seat), Outcome::kCommitted);
  ASSERT_EQ(book(pool, a, seat), Outcome::kCommitted);
  // An individual booking of the same agent over the session.
  EXPECT_EQ(book(pool, a, {a.single, a.agent, kNine + 1800, kNine + 5400}), Outcome::kSlotTaken);
  // Another session of the same service starting half an hour later.
  EXPECT_EQ(book(pool, a, {a.group, a.agent, kNine + 1800, kNine + 5400, 4}), Outcome::kSlotTaken);
  // A seat over an individual booking.
  ASSERT_EQ(book(pool, a, {a.single, a.agent, kNine + 7200, kNine + 10800}), Outcome::kCommitted);
  EXPECT_EQ(book(pool, a, {a.group, a.agent, kNine + 7200, kNine + 10800, 4}), Outcome::kSlotTaken);
  // The same session with another agent is another session.
  EXPECT_EQ(book(pool, a, {a.group, a.other_agent, kNine, kNine + 3600, 4}), Outcome::kCommitted);
  EXPECT_EQ(held(url), 4);
}

// The copy from SQLite writes every booking of a department in one
// transaction: more sessions than the server's lock table holds (a lock per
// session there ran out of shared memory).
TEST(PgBookings, OneTransactionMayWriteMoreSessionsThanTheLockTableHolds) {
  std::string url = migrated_database();
  Agenda a = seed_agenda(url, 3);
  pqxx::connection c(url);
  pqxx::work tx(c);
  auto setting = [&](const char* name) {
    return tx.exec_params1("SELECT current_setting($1)::bigint", name)[0].as<long long>();
  };
  const long long lock_table = setting("max_locks_per_transaction") *
                               (setting("max_connections") + setting("max_prepared_transactions"));
  const long long sessions = 2 * lock_table + 1000;
  // Each row's seat count planned with the table as it grows: a generic plan
  // made on the empty table scans all of it for every row (15 s, not 3).
  tx.exec0("SET LOCAL plan_cache_mode = force_custom_plan");
  tx.exec_params0(
      "INSERT INTO bookings(service_id, agent_id, place_id, mode, start_at, end_at, block_start, "
      "block_end, capacity, status, booked_by, manage_token_hash, created_at) "
      "SELECT $1, $2, $3, 'in_person', $4 + g * 3600, $4 + g * 3600 + 1800, $4 + g * 3600, "
      "$4 + g * 3600 + 1800, 1, 'confirmed', 'resident', 'hash', 0 "
      "FROM generate_series(0, $5 - 1) g",
      a.single, a.agent, a.place, kNine, sessions);
  tx.commit();
  EXPECT_EQ(held(url), sessions);
}

// ---- Pool

TEST(PgPool, WaitsForAFreeConnectionThenGivesUp) {
  Pool pool(scratch_database(), 1, 300ms);
  std::optional<Lease> lease = pool.acquire();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(pool.acquire(), PoolTimeoutError);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);

  std::thread giver([&] {
    std::this_thread::sleep_for(100ms);
    lease.reset();
  });
  EXPECT_NO_THROW(pool.acquire());
  giver.join();
}

TEST(PgPool, ReopensConnectionsAfterTheServerRestarted) {
  Pool pool(scratch_database(), 2);
  auto select_one = [&] {
    return with_transaction(
        pool, [](pqxx::dbtransaction& tx) { return tx.exec1("SELECT 1")[0].as<int>(); });
  };
  auto two_idle_connections = [&] { Lease a = pool.acquire(), b = pool.acquire(); };
  two_idle_connections();
  ASSERT_EQ(select_one(), 1);

  test_cluster().stop();
  EXPECT_THROW(select_one(), StoreUnavailableError);
  test_cluster().start();
  EXPECT_EQ(select_one(), 1);

  // Connections the server closed while they were idle are not lent as they are.
  two_idle_connections();
  test_cluster().stop();
  test_cluster().start();
  Lease lease = pool.acquire();
  pqxx::work tx(lease.connection());
  EXPECT_EQ(tx.exec1("SELECT 1")[0].as<int>(), 1);
}

// Every connection gets the session's settings; what the URL says wins, and
// odd characters (a quote in a password) survive the rewriting.
TEST(PgPool, ConnectionsCarryTheSessionDefaultsAndTheUrlWins) {
  Pool pool(scratch_database(), 2);
  {
    Lease lease = pool.acquire();
    pqxx::work tx(lease.connection());
    EXPECT_EQ(tx.exec1("SHOW idle_in_transaction_session_timeout")[0].as<std::string>(), "1min");
    EXPECT_EQ(tx.exec1("SHOW application_name")[0].as<std::string>(), "rendezvous");
    EXPECT_EQ(pool.use().open, 1u);
    EXPECT_EQ(pool.use().idle, 0u);
  }
  EXPECT_EQ(pool.use().idle, 1u);
  EXPECT_EQ(pool.use().size, 2u);

  auto read_back = [](const std::string& conninfo) {
    std::map<std::string, std::string> out;
    char* error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error);
    EXPECT_TRUE(parsed) << (error ? error : "");
    if (error) PQfreemem(error);
    for (PQconninfoOption* o = parsed; o && o->keyword; ++o)
      if (o->val) out[o->keyword] = o->val;
    PQconninfoFree(parsed);
    return out;
  };
  auto settings = read_back(rdv::postgres::with_session_defaults(
      "postgresql://rdv:it%27s%20a%5Csecret@db-a,db-b:5433/rdv?keepalives_idle=5&"
      "target_session_attrs=read-write&options=-c%20statement_timeout%3D10s"));
  EXPECT_EQ(settings["password"], "it's a\\secret");
  EXPECT_EQ(settings["host"], "db-a,db-b");
  EXPECT_EQ(settings["keepalives_idle"], "5");
  EXPECT_EQ(settings["keepalives_interval"], "10");
  EXPECT_EQ(settings["tcp_user_timeout"], "30000");
  EXPECT_EQ(settings["target_session_attrs"], "read-write");
  EXPECT_EQ(settings["options"], "-c statement_timeout=10s");  // the URL's own, alone
  // libpq's environment wins over a default, and a service file over all.
  setenv("PGCONNECT_TIMEOUT", "9", 1);
  auto from_environment = read_back(rdv::postgres::with_session_defaults("postgresql://h/db"));
  unsetenv("PGCONNECT_TIMEOUT");
  EXPECT_EQ(from_environment.count("connect_timeout"), 0u);
  EXPECT_EQ(from_environment["keepalives_idle"], "30");
  auto with_service = read_back(rdv::postgres::with_session_defaults("service=rdv"));
  EXPECT_EQ(with_service.count("keepalives_idle"), 0u);
  EXPECT_THROW(rdv::postgres::with_session_defaults("postgresql://[bad"), StoreUnavailableError);
}

// ---- Transactions run again, or not

TEST(PgTransactions, RunAgainAfterASerializationFailure) {
  std::string url = scratch_database();
  execute(
      url,
      "DROP TABLE IF EXISTS counters; CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL); "
      "INSERT INTO counters VALUES (1, 0)");
  Pool pool(url, 1);
  int runs = 0;
  int written = with_transaction(
      pool,
      [&](pqxx::dbtransaction& tx) {
        ++runs;
        int n = tx.exec1("SELECT n FROM counters WHERE id = 1")[0].as<int>();
        if (runs == 1) {  // another writer, after our snapshot was taken
          pqxx::connection other(url);
          pqxx::work w(other);
          w.exec0("UPDATE counters SET n = n + 10 WHERE id = 1");
          w.commit();
        }
        tx.exec_params0("UPDATE counters SET n = $1 WHERE id = 1", n + 1);
        return n + 1;
      },
      TransactionOptions{.isolation = Isolation::kRepeatableRead});
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(written, 11);
  EXPECT_EQ(count(url, "SELECT n FROM counters"), 11);
}

TEST(PgTransactions, GiveUpAfterMaxAttempts) {
  Pool pool(scratch_database(), 1);
  int runs = 0;
  auto deadlock = [&](pqxx::dbtransaction& tx) {
    ++runs;
    tx.exec0("DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = 'deadlock_detected'; END $$");
  };
  EXPECT_THROW(with_transaction(pool, deadlock, TransactionOptions{.max_attempts = 3}),
               RetryableConflict);
  EXPECT_EQ(runs, 3);
}

// The opening statements run with the BEGIN: the isolation is set, the
// advisory lock held, and the lock's short timeout is over for f's own waits.
TEST(PgTransactions, OpenWithTheIsolationAndTheAdvisoryLock) {
  std::string url = scratch_database();
  Pool pool(url, 1);
  with_transaction(
      pool,
      [&](pqxx::dbtransaction& tx) {
        EXPECT_EQ(tx.exec1("SHOW transaction_isolation")[0].as<std::string>(), "repeatable read");
        EXPECT_EQ(tx.exec1("SHOW transaction_read_only")[0].as<std::string>(), "on");
      },
      kRead);
  // A lock taken at REPEATABLE READ would wait with a snapshot already taken.
  EXPECT_THROW(with_transaction(
                   pool, [](pqxx::dbtransaction&) {},
                   TransactionOptions{.isolation = Isolation::kRepeatableRead, .advisory_lock = 1}),
               std::logic_error);
  TransactionOptions options{.advisory_lock = 4242};
  with_transaction(
      pool,
      [&](pqxx::dbtransaction& tx) {
        EXPECT_EQ(tx.exec1("SHOW transaction_isolation")[0].as<std::string>(), "read committed");
        EXPECT_EQ(tx.exec1("SHOW lock_timeout")[0].as<std::string>(), "0");
        EXPECT_TRUE(holds_advisory_lock(tx, 4242));
      },
      options);
}

// A write lock held elsewhere is waited for at most kLockWait (3 s), then
// reported as a conflict rather than freezing the thread.
TEST(PgTransactions, TheAdvisoryLockIsWaitedForABoundedTime) {
  std::string url = scratch_database();
  LockHeldElsewhere holder(url, 4343);
  Pool pool(url, 1);
  int runs = 0;
  auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(with_transaction(
                   pool, [&](pqxx::dbtransaction&) { ++runs; },
                   TransactionOptions{.max_attempts = 1, .advisory_lock = 4343}),
               RetryableConflict);
  EXPECT_EQ(runs, 0);
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, 2900ms);
  EXPECT_LT(waited, 6s);
  // The BEGIN sent with the lock was rolled back: the pool's one connection
  // runs the next transaction, with its own options, outside any other.
  holder.release();
  with_transaction(
      pool,
      [&](pqxx::dbtransaction& tx) {
        ++runs;
        EXPECT_EQ(tx.exec1("SHOW transaction_read_only")[0].as<std::string>(), "on");
      },
      kRead);
  with_transaction(
      pool,
      [&](pqxx::dbtransaction& tx) {
        ++runs;
        EXPECT_TRUE(holds_advisory_lock(tx, 4343));
      },
      TransactionOptions{.advisory_lock = 4343});
  EXPECT_EQ(runs, 2);
}

// The connection lost while its BEGIN waits for the write lock: nothing ran,
// so the transaction runs once on a fresh connection (the ROLLBACK sent on the
// lost one fails, and that failure is not the one reported).
TEST(PgTransactions, ConnectionLostWhileWaitingForTheLockRunsOnAFreshConnection) {
  std::string url = scratch_database();
  LockHeldElsewhere holder(url, 4444);
  Pool pool(url, 1);
  int runs = 0, lost_pid = 0, pid = 0;
  std::thread killer([&] {
    EXPECT_TRUE(rdv::testing::wait_until([&] {
      lost_pid = static_cast<int>(count(url,
                                        "SELECT coalesce(max(pid), 0) FROM pg_locks WHERE "
                                        "locktype = 'advisory' AND objid = 4444 AND NOT granted"));
      return lost_pid != 0;
    }));
    if (lost_pid) terminate_backend(url, lost_pid);
    holder.release();  // the second run takes the lock at once
  });
  with_transaction(
      pool,
      [&](pqxx::dbtransaction& tx) {
        ++runs;
        pid = tx.conn().backendpid();
      },
      TransactionOptions{.advisory_lock = 4444});
  killer.join();
  EXPECT_EQ(runs, 1);
  EXPECT_NE(lost_pid, 0);
  EXPECT_NE(pid, lost_pid);
}

TEST(PgTransactions, ConnectionLostBeforeCommitRunsOnceMore) {
  std::string url = scratch_database();
  execute(url, "DROP TABLE IF EXISTS notes_before; CREATE TABLE notes_before (body TEXT)");
  Pool pool(url, 1);
  int runs = 0;
  with_transaction(pool, [&](pqxx::dbtransaction& tx) {
    ++runs;
    tx.exec0("INSERT INTO notes_before VALUES ('kept once')");
    if (runs == 1) {
      terminate_backend(url, tx.conn().backendpid());
      tx.exec("SELECT 1");  // finds the connection gone
    }
  });
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(count(url, "SELECT count(*) FROM notes_before"), 1);
}

TEST(PgTransactions, ConnectionLostDuringCommitIsNotRunAgain) {
  std::string url = scratch_database();
  execute(url, "DROP TABLE IF EXISTS notes_during; CREATE TABLE notes_during (body TEXT)");
  Pool pool(url, 1);
  int runs = 0;
  EXPECT_THROW(with_transaction(pool,
                                [&](pqxx::dbtransaction& tx) {
                                  ++runs;
                                  tx.exec0("INSERT INTO notes_during VALUES ('maybe')");
                                  terminate_backend(url, tx.conn().backendpid());
                                }),
               StoreUnavailableError);
  EXPECT_EQ(runs, 1);
  // The next transaction gets a working connection.
  EXPECT_EQ(with_transaction(pool,
                             [](pqxx::dbtransaction& tx) {
                               return tx.exec1("SELECT count(*) FROM notes_during")[0].as<int>();
                             }),
            0);
}

}  // namespace
