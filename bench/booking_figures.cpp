// 3: durable booking creation over HTTP (each 201 after the commit reached
// the disk) against bare durable INSERT transactions of a row of the same
// size in the same database; 4: 200 clients racing for 20 slots.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <pqxx/pqxx>

#include "bench/sections.h"
#include "booking/bookings.h"
#include "storage/postgres/pg_store.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/pg_cluster.h"

namespace rdv::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Roughly what a booking row holds: its texts and fifteen integers.
constexpr const char* kRowBytes =
    "SELECT CAST(avg(length(resident_first_name) + length(resident_last_name) + "
    "length(resident_email) + length(resident_phone) + length(mandate) + length(notes) + "
    "length(cancel_reason) + length(summary) + length(mode) + length(status) + "
    "length(booked_by) + 15 * 8) AS INTEGER) FROM bookings WHERE resident_email LIKE 'bench%'";

// Clients booking at once in the line of concurrent bookings.
constexpr int kTogether = 8;

struct Durable {
  LoadResult bookings;                              // one client
  LoadResult together;                              // kTogether clients at once
  double together_writes = 0, together_groups = 0;  // the server's, during `together`
  std::vector<double> in_process_ms;                // the same use case called in this process
  double in_process_seconds = 0;
  double bare_per_second = 0;
  std::vector<double> flush_ms;  // the disk's flush time, sampled in each round
  int row_bytes = 0;
  std::vector<FreeSlot> left;  // free slots not used
};

// What one flush of the disk costs now: a 4 KiB write and fdatasync in the
// bench's folder, in ms. When it is short, a durable transaction costs
// about the pages it writes and the round trips it makes, and a booking
// (ten pages, a dozen statements) compares worse with a bare insert (one
// page, one statement) than on a disk whose flush dominates both.
std::vector<double> flush_times(const std::string& folder, int n) {
  std::string path = folder + "/flush-probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + path);
  std::string page(4096, 'x');
  std::vector<double> out;
  bool written = true;
  for (int i = 0; i < n && written; ++i) {
    auto t0 = Clock::now();
    written = ::pwrite(fd, page.data(), page.size(), 0) == static_cast<ssize_t>(page.size()) &&
              ::fdatasync(fd) == 0;
    out.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  ::close(fd);
  std::filesystem::remove(path);
  if (!written) throw std::runtime_error("cannot write " + path);
  return out;
}

// The booking use case (Bookings::book) called in this process on `store`,
// the same database as the server's: what a booking costs without HTTP.
// Returns the time of each, in ms.
std::vector<double> book_in_process(Store& store, Id service, const std::vector<FreeSlot>& slots,
                                    int first_resident) {
  SystemClock clock;
  LinkSigner links(std::string(32, 'b'));
  NotificationPolicy email_on;  // as the server (start_server): messages planned, limit on
  email_on.email = true;
  Bookings bookings(store, clock, links, email_on, BookingLimits{});
  std::vector<double> out;
  for (const FreeSlot& s : slots) {
    BookingRequest req;
    req.service_id = service;
    req.start = *parse_rfc3339(s.start);
    req.agent_id = s.agent_id;
    req.place_id = s.place_id;
    req.resident = {"Camille", "Bench" + std::to_string(first_resident),
                    "bench" + std::to_string(first_resident) + "@example.org", ""};
    ++first_resident;
    auto t0 = Clock::now();
    auto made = bookings.book(req, std::nullopt, [](StoreReader&, const CreatedBooking& c) {
      return BookingAnswer{201, std::to_string(c.booking.id)};
    });
    out.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!made.booking) throw std::runtime_error("a booking in process was not made");
  }
  return out;
}

// The server's writes so far and the transactions they ran in (/metrics,
// which answers the loopback address).
std::pair<double, double> write_counts(int port) {
  auto [status, text] = http_call(port, {"GET", "/metrics", "", {}});
  if (status != 200) throw std::runtime_error("GET /metrics answered " + std::to_string(status));
  auto value = [&](const std::string& name) {
    auto at = text.find("\n" + name + " ");
    if (at == std::string::npos) throw std::runtime_error("no " + name + " in /metrics");
    return std::stod(text.substr(at + name.size() + 2));
  };
  return {value("rdv_db_writes_total"), value("rdv_db_write_groups_total")};
}

void add(LoadResult& all, const LoadResult& round) {
  all.latencies_ms.insert(all.latencies_ms.end(), round.latencies_ms.begin(),
                          round.latencies_ms.end());
  for (const auto& [status, count] : round.statuses) all.statuses[status] += count;
  all.seconds += round.seconds;
}

// `n` bookings over HTTP one after the other, each on its own free slot, in
// rounds alternated with as many from kTogether clients at once, as many bare
// inserts and as many bookings in process: the disk's flush time drifts a
// lot during a run (1 to 4 ms here), and every side must share it.
// `row_bytes()` reads the size of the bookings made; `bare(k, bytes)` inserts
// k rows of that size, each in its own transaction, and returns the seconds.
template <class RowBytes, class Bare>
Durable alternate(const BenchContext& ctx, const Child& server, Store& store, int n,
                  RowBytes row_bytes, Bare bare) {
  Id service = ctx.data.busiest_service;
  const int rounds = 4, per_round = std::max(1, n / rounds);
  const int per_client = std::max(1, per_round / kTogether);
  auto slots = free_slots_of(ctx, server.port, service, 8);
  if (slots.size() < static_cast<size_t>(rounds * (2 * per_round + kTogether * per_client) + 20))
    throw std::runtime_error("too few free slots to book: " + std::to_string(slots.size()));
  Durable out;
  double bare_seconds = 0;
  size_t next_slot = 0;
  for (int r = 0; r < rounds; ++r) {
    auto load = run_load(server.port, 1, per_round, [&](int, int i) {
      return book_request(service, slots[next_slot + static_cast<size_t>(i)],
                          100000 + r * per_round + i);
    });
    next_slot += static_cast<size_t>(per_round);
    if (load.statuses[201] != per_round)
      throw std::runtime_error("a booking on a free slot was refused (" +
                               std::to_string(load.statuses[201]) + " of " +
                               std::to_string(per_round) + " made)");
    add(out.bookings, load);
    auto [writes_before, groups_before] = write_counts(server.port);
    load = run_load(server.port, kTogether, per_client, [&](int c, int i) {
      std::size_t k = next_slot + static_cast<size_t>(c * per_client + i);
      return book_request(service, slots[k], 120000 + static_cast<int>(k));  // one each
    });
    next_slot += static_cast<size_t>(kTogether * per_client);
    if (load.statuses[201] != kTogether * per_client)
      throw std::runtime_error("a booking on a free slot was refused with " +
                               std::to_string(kTogether) + " clients at once");
    add(out.together, load);
    auto [writes_after, groups_after] = write_counts(server.port);
    out.together_writes += writes_after - writes_before;
    out.together_groups += groups_after - groups_before;
    if (r == 0) out.row_bytes = row_bytes();
    bare_seconds += bare(per_round, out.row_bytes);
    std::vector<FreeSlot> mine(slots.begin() + static_cast<std::ptrdiff_t>(next_slot),
                               slots.begin() + static_cast<std::ptrdiff_t>(next_slot) + per_round);
    next_slot += static_cast<size_t>(per_round);
    auto t0 = Clock::now();
    auto times = book_in_process(store, service, mine, 150000 + r * per_round);
    out.in_process_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    out.in_process_ms.insert(out.in_process_ms.end(), times.begin(), times.end());
    auto flushes = flush_times(ctx.work, ctx.runs(50, 5));
    out.flush_ms.insert(out.flush_ms.end(), flushes.begin(), flushes.end());
  }
  out.bare_per_second = rounds * per_round / bare_seconds;
  out.left.assign(slots.begin() + static_cast<std::ptrdiff_t>(next_slot), slots.end());
  return out;
}

double sqlite_bare_inserts(const std::string& path, int n, int row_bytes) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
  auto exec = [&](const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("bare insert: ") + sqlite3_errmsg(db));
  };
  sqlite3_busy_timeout(db, 10000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");  // as the store: the commit is on disk when it returns
  exec("CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
  exec("DELETE FROM bench_bare");
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO bench_bare(payload) VALUES (?)", -1, &insert, nullptr);
  std::string payload(static_cast<size_t>(row_bytes), 'x');
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    exec("BEGIN IMMEDIATE");
    sqlite3_bind_blob(insert, 1, payload.data(), row_bytes, SQLITE_STATIC);
    if (sqlite3_step(insert) != SQLITE_DONE) throw std::runtime_error("bare insert failed");
    sqlite3_reset(insert);
    exec("COMMIT");
  }
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return seconds;
}

double postgres_bare_inserts(const std::string& url, int n, int row_bytes) {
  pqxx::connection c(url);
  pqxx::nontransaction(c).exec0(
      "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, payload text NOT NULL)");
  c.prepare("bare", "INSERT INTO bench_bare(payload) VALUES ($1)");
  std::string payload(static_cast<size_t>(row_bytes), 'x');
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    pqxx::work tx(c);
    tx.exec_prepared0("bare", payload);
    tx.commit();
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The target's line, over HTTP, then the same use case in process: how much
// of a booking is its HTTP request, how much the use case and its commit.
std::vector<Figure> durable_figures(const std::string& store, const Durable& d) {
  Measure bare{"bare durable INSERT transactions of " + std::to_string(d.row_bytes) +
                   " bytes, same " + store + " database",
               d.bare_per_second, "/s"};
  double in_process_per_second = d.in_process_ms.size() / d.in_process_seconds;
  return {
      {"3 durable booking",
       {"bookings/s over HTTP, " + store + ", 1 client", d.bookings.per_second(), "/s"},
       bare,
       Target{Target::Kind::kAtLeast, 0.5, true},
       "p50 " + fixed(d.bookings.p(0.5), 3) + " ms, " +
           std::to_string(d.bookings.latencies_ms.size()) +
           " bookings, in 4 rounds alternated; disk flush (4 KiB + fdatasync) p50 " +
           fixed(quantile(d.flush_ms, 0.5), 3) + " ms"},
      {"3 durable booking",
       {"bookings/s over HTTP, " + store + ", " + std::to_string(kTogether) + " clients at once",
        d.together.per_second(), "/s"},
       bare,
       Target{Target::Kind::kAtLeast, 0.5, true},
       "p50 " + fixed(d.together.p(0.5), 3) + " ms, p99 " + fixed(d.together.p(0.99), 3) + " ms, " +
           std::to_string(d.together.latencies_ms.size()) +
           " bookings in the same rounds, committed in " + fixed(d.together_groups, 0) +
           " transactions (" + fixed(d.together_writes / std::max(1.0, d.together_groups), 1) +
           " writes each); the reference commits one row per transaction, one after the other"},
      {"3 durable booking",
       {"bookings/s in process (the use case, its reads and commit; no HTTP, no answer "
        "rendered), " +
            store,
        in_process_per_second, "/s"},
       bare,
       {},
       "p50 " + fixed(quantile(d.in_process_ms, 0.5), 3) + " ms, " +
           std::to_string(d.in_process_ms.size()) + " bookings, in the same rounds"}};
}

}  // namespace

std::vector<Figure> booking_figures(BenchContext& ctx, const Child& server) {
  SqliteStore store(ctx.db);
  Durable booked = alternate(
      ctx, server, store, ctx.runs(200, 8),
      [&] {
        sqlite::Connection c(ctx.db);
        auto st = c.prepare(kRowBytes);
        st.step();
        return static_cast<int>(st.int64(0));
      },
      [&](int k, int bytes) { return sqlite_bare_inserts(ctx.db, k, bytes); });
  sqlite::Connection(ctx.db).exec("DROP TABLE bench_bare");
  std::vector<Figure> out = durable_figures("SQLite", booked);

  // 4: 200 clients, each sent at once at one of 20 slots (10 per slot).
  const int clients = 200, seats = 20;
  std::vector<FreeSlot> twenty(booked.left.begin(), booked.left.begin() + seats);
  auto race = run_load(server.port, clients, 1, [&](int c, int) {
    return book_request(ctx.data.busiest_service, twenty[static_cast<size_t>(c % seats)],
                        200000 + c);
  });
  int held = 0;  // what the database holds, whatever the answers said
  store.read([&](StoreReader& r) {
    for (const FreeSlot& s : twenty) {
      Instant start = *parse_rfc3339(s.start);
      held += static_cast<int>(
          r.bookings().holding_time({s.agent_id}, {start, start + std::chrono::minutes{1}}).size());
    }
  });
  if (race.statuses[201] != seats || race.statuses[409] != clients - seats || held != seats)
    throw std::runtime_error("200 clients for 20 slots: " + std::to_string(race.statuses[201]) +
                             " answered 201, " + std::to_string(held) + " bookings held");
  out.push_back({"4 contention",
                 {"p99, 200 clients at once for 20 slots", race.p(0.99), "ms"},
                 Measure{"p99 of one booking alone", booked.bookings.p(0.99), "ms"},
                 {},
                 "exactly 20 made, 180 answered 409"});
  return out;
}

std::vector<Figure> postgres_figures(const BenchContext& ctx) {
  testing::PgCluster cluster("rendezvous", /*durable=*/true);
  BenchContext pg = ctx;
  pg.spec.scale = ctx.quick ? ctx.spec.scale : 0.1;  // the dataset matters little here
  {
    PostgresStore store(cluster.url(), 4);
    pg.data = generate_dataset(store, pg.spec);
  }
  Child server = start_server(pg, cluster.url());
  PostgresStore store(cluster.url(), 2);
  std::vector<Figure> out = slot_search_figures(pg, store, server.port, {2}, "PostgreSQL");
  Durable booked = alternate(
      pg, server, store, ctx.runs(200, 8),
      [&] {
        pqxx::connection c(cluster.url());
        return pqxx::nontransaction(c).exec1(kRowBytes)[0].as<int>();
      },
      [&](int k, int bytes) { return postgres_bare_inserts(cluster.url(), k, bytes); });
  stop_child(server);
  for (Figure& f : durable_figures("PostgreSQL", booked)) out.push_back(std::move(f));
  return out;
}

}  // namespace rdv::bench
