// The capacity of a group session on PostgreSQL, two ways of keeping it
// under concurrent bookings, measured in one run on one throwaway cluster:
//  - lock: what the store does. A trigger takes a transaction-level advisory
//    lock for the session, counts its seats and refuses the one too many;
//    transactions run at READ COMMITTED and never run again.
//  - serializable: no trigger. Each transaction counts the seats and inserts
//    at SERIALIZABLE; PostgreSQL fails one of two that overlap (40001) and
//    it runs again.
// Many clients race for the same sessions (the worst case: a workshop opened
// to everyone at once). Neither way may put a session above its capacity;
// the figures are attempts per second, latency per attempt, runs of the
// transaction, and attempts that gave up after 20 runs (a 503 for someone).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "storage/postgres/connection.h"
#include "storage/postgres/migrate.h"
#include "storage/store_errors.h"
#include "support/pg_cluster.h"

namespace {

using namespace rdv;
using Clock = std::chrono::steady_clock;

constexpr int kClients = 8;
constexpr int kSessions = 40;
constexpr int kCapacity = 10;
constexpr int kAttemptsPerSession = 25;  // 15 of each 25 are refused

struct Seed {
  long long place = 0, service = 0, agent = 0;
};

Seed seed(const std::string& url) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  Seed s;
  auto org = tx.exec1(
                   "INSERT INTO organisations(name, kind, timezone) "
                   "VALUES ('Médiathèque', 'commune', 'Europe/Paris') RETURNING id")[0]
                 .as<long long>();
  s.place = tx.exec_params1(
                  "INSERT INTO places(organisation_id, name, timezone) "
                  "VALUES ($1, 'Salle', 'Europe/Paris') RETURNING id",
                  org)[0]
                .as<long long>();
  s.service = tx.exec_params1(
                    "INSERT INTO services(organisation_id, name, duration_minutes, modes, "
                    "min_notice_minutes, horizon_days, capacity, cancel_until_minutes, "
                    "bookable_by, search_text) VALUES ($1, 'Atelier numérique', 60, 'in_person', "
                    "0, 90, $2, 0, 'public', 'atelier') RETURNING id",
                    org, kCapacity)[0]
                  .as<long long>();
  s.agent = tx.exec1("INSERT INTO agents(name, ics_secret) VALUES ('Inès', 'x') RETURNING id")[0]
                .as<long long>();
  tx.commit();
  return s;
}

void insert_seat(pqxx::dbtransaction& tx, const Seed& s, long long start) {
  tx.exec_params0(
      "INSERT INTO bookings(service_id, agent_id, place_id, mode, start_at, end_at, block_start, "
      "block_end, capacity, status, booked_by, manage_token_hash, created_at) "
      "VALUES ($1, $2, $3, 'in_person', $4, $5, $4, $5, $6, 'confirmed', 'resident', 'h', 0)",
      s.service, s.agent, s.place, start, start + 3600, kCapacity);
}

struct Result {
  double seconds = 0;
  std::vector<double> latencies_ms;
  long runs = 0, booked = 0, refused = 0, gave_up = 0;
  long over_full = 0, full = 0;  // sessions above capacity (never), and exactly full
};

// kClients threads take the attempts in order, session after session, so
// that they meet on the same session.
template <class Attempt>
Result race(const std::string& url, const Seed& s, Attempt attempt) {
  postgres::Pool pool(url, kClients);
  std::atomic<int> next{0};
  std::atomic<long> runs{0}, booked{0}, refused{0}, gave_up{0};
  std::vector<std::vector<double>> latencies(kClients);
  auto t0 = Clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&, c] {
      for (int i; (i = next++) < kSessions * kAttemptsPerSession;) {
        long long start = 1893456000LL + (i / kAttemptsPerSession) * 7200LL;
        auto a0 = Clock::now();
        try {
          attempt(pool, s, start, runs) ? ++booked : ++refused;
        } catch (const SlotTakenError&) {
          ++refused;
        } catch (const postgres::RetryableConflict&) {
          ++gave_up;  // ran out of attempts: the resident sees 503
        }
        latencies[c].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - a0).count());
      }
    });
  for (auto& t : clients) t.join();
  Result r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (auto& l : latencies) r.latencies_ms.insert(r.latencies_ms.end(), l.begin(), l.end());
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  r.runs = runs, r.booked = booked, r.refused = refused, r.gave_up = gave_up;
  pqxx::connection c(url);
  pqxx::work tx(c);
  auto seats = tx.exec1("SELECT count(*) FILTER (WHERE n > " + std::to_string(kCapacity) +
                        "), count(*) FILTER (WHERE n = " + std::to_string(kCapacity) +
                        ") FROM (SELECT count(*) AS n FROM bookings GROUP BY start_at) seats");
  r.over_full = seats[0].as<long>();
  r.full = seats[1].as<long>();
  return r;
}

double percentile(const std::vector<double>& sorted, double p) {
  return sorted.empty() ? 0 : sorted[std::min(sorted.size() - 1, size_t(p * sorted.size()))];
}

}  // namespace

int main() {
  testing::PgCluster cluster("bench");
  std::string lock_url = cluster.create_database("by_lock");
  std::string serializable_url = cluster.create_database("by_serializable");
  postgres::migrate(lock_url);
  postgres::migrate(serializable_url);
  {
    pqxx::connection c(serializable_url);
    pqxx::work tx(c);
    tx.exec0("DROP TRIGGER bookings_session_capacity ON bookings");
    tx.commit();
  }
  Seed lock_seed = seed(lock_url), serializable_seed = seed(serializable_url);

  Result lock = race(lock_url, lock_seed,
                     [](postgres::Pool& pool, const Seed& s, long long start, auto& runs) {
                       postgres::with_transaction(pool, [&](pqxx::dbtransaction& tx) {
                         ++runs;
                         insert_seat(tx, s, start);
                       });
                       return true;
                     });
  postgres::TransactionOptions serializable;
  serializable.isolation = postgres::Isolation::kSerializable;
  serializable.max_attempts = 20;
  Result ser = race(serializable_url, serializable_seed,
                    [&](postgres::Pool& pool, const Seed& s, long long start, auto& runs) {
                      return postgres::with_transaction(
                          pool,
                          [&](pqxx::dbtransaction& tx) {
                            ++runs;
                            auto taken =
                                tx.exec_params1(
                                      "SELECT count(*) FROM bookings WHERE agent_id = $1 AND "
                                      "service_id = $2 AND start_at = $3 AND status <> 'cancelled'",
                                      s.agent, s.service, start)[0]
                                    .as<long>();
                            if (taken >= kCapacity) return false;
                            insert_seat(tx, s, start);
                            return true;
                          },
                          serializable);
                    });

  const long attempts = kSessions * kAttemptsPerSession;
  std::printf("Group sessions on PostgreSQL: %d clients, %d sessions of %d seats, %ld attempts\n",
              kClients, kSessions, kCapacity, attempts);
  std::printf("%-14s %10s %9s %9s %7s %7s %7s %7s %5s %5s\n", "rule", "attempts/s", "p50 ms",
              "p99 ms", "runs", "booked", "refused", "gave up", "full", "over");
  for (auto [name, r] : {std::pair<const char*, const Result&>{"session lock", lock},
                         std::pair<const char*, const Result&>{"serializable", ser}})
    std::printf("%-14s %10.0f %9.2f %9.2f %7ld %7ld %7ld %7ld %5ld %5ld\n", name,
                attempts / r.seconds, percentile(r.latencies_ms, 0.5),
                percentile(r.latencies_ms, 0.99), r.runs, r.booked, r.refused, r.gave_up, r.full,
                r.over_full);
  std::printf(
      "session lock / serializable: throughput %.2fx, p99 latency %.2fx, runs per attempt "
      "%.2f vs %.2f\n",
      ser.seconds / lock.seconds,
      percentile(lock.latencies_ms, 0.99) / percentile(ser.latencies_ms, 0.99),
      double(lock.runs) / attempts, double(ser.runs) / attempts);
  // A session above its capacity is a double booking: the benchmark fails.
  return lock.over_full == 0 && ser.over_full == 0 ? 0 : 1;
}
