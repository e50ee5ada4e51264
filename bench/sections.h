// The sections of the department benchmark (bench/department_bench.cpp),
// each measuring against its reference in the same run. Each throws
// std::runtime_error when what it measured is wrong (slots that differ from
// the pure slot function, a double booking): times are never asserted.
#pragma once

#include <string>
#include <vector>

#include "bench/dataset.h"
#include "bench/http_load.h"
#include "bench/report.h"
#include "bench/wrk_run.h"

namespace rdv::bench {

struct BenchContext {
  std::string binaries;  // folder of rendezvous, minimal_beast_server, minimal_cpprest_server
  std::string work;      // scratch folder (databases, bodies)
  DatasetSpec spec;      // the default data set, laid out around now
  Dataset data;          // as generated into `db`
  std::string db;        // SQLite file of the default data set
  bool quick = false;    // the reduced run of make test: few requests, tiny scales
  int soak_seconds = 600;
  std::vector<double> scales{1, 4, 16};  // of the default data set, for growth

  int runs(int full, int reduced) const { return quick ? reduced : full; }
};

// `rendezvous serve` on a database, as deployed: access log on, the limit of
// open bookings per contact at its default, email on (each booking plans its
// messages: the agent read, the jobs written). But the scheduler is off, so
// that nothing but the measured requests runs (the messages stay planned, the
// SMTP address is never dialled), and no booking rate limit: the load comes
// from one address.
Child start_server(const BenchContext& ctx, const std::string& db_url);

// The slot-search request of the benchmark: the busiest service, `weeks`
// from next Monday, up to 2,000 slots.
HttpRequestSpec slot_search(const BenchContext& ctx, Id service, int weeks);

// A free slot as the server listed it, to book.
struct FreeSlot {
  std::string start;
  Id agent_id = 0;
  Id place_id = 0;
};
// The distinct (agent, start) free slots of `service` over `weeks`.
std::vector<FreeSlot> free_slots_of(const BenchContext& ctx, int port, Id service, int weeks);
// POST /api/v1/bookings for `slot`, in person, by a resident of number `n`.
HttpRequestSpec book_request(Id service, const FreeSlot& slot, int n);

// Resident memory of a process, in MiB: all of it, and its private part.
struct Rss {
  double total_mib = 0, anonymous_mib = 0;
};
Rss rss_of(pid_t pid);

// 1: slot search in process, over HTTP with 1 and 8 clients; 5: keyword search.
std::vector<Figure> search_figures(BenchContext& ctx, const Child& server);
// The slot search lines of section 1 over `spans` weeks, on `store` served on
// `port`; `on` names the store in the section when it is not SQLite's.
std::vector<Figure> slot_search_figures(const BenchContext& ctx, Store& store, int port,
                                        const std::vector<int>& spans, const std::string& on);
// 2: requests/s of /healthz and of the slot search, against the minimal servers.
std::vector<Figure> ceiling_figures(const BenchContext& ctx, const Child& server);
// 3: durable booking against bare durable inserts; 4: 200 clients racing for 20 slots.
std::vector<Figure> booking_figures(BenchContext& ctx, const Child& server);
// On PostgreSQL (a throwaway cluster, a tenth of the data set): the 2-week slot
// search of section 1 and the durable booking of section 3.
std::vector<Figure> postgres_figures(const BenchContext& ctx);
// 7: memory with the default data set, and after a soak of mixed load.
std::vector<Figure> memory_figures(const BenchContext& ctx, const Child& server, Rss at_start);
// Growth: search and booking at the scales of ctx.scales against the first.
std::vector<Figure> growth_figures(const BenchContext& ctx);

}  // namespace rdv::bench
