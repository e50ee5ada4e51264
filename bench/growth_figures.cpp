// How cost grows with the department: the same search (the busiest service
// keeps its agents) and booking at each scale of agents and bookings, against
// the first scale. The search must follow the slots it returns, not the rows
// around it.
#include <chrono>
#include <filesystem>

#include "bench/sections.h"
#include "booking/agendas.h"
#include "domain/clock.h"
#include "storage/sqlite/sqlite_store.h"

namespace rdv::bench {
namespace {

struct AtScale {
  double scale = 1;
  int agents = 0, bookings = 0;
  size_t slots = 0;
  double search_p50 = 0, booking_p50 = 0;
};

// `scale` multiplies the default data set (1: the one already built).
AtScale measure(const BenchContext& base, double scale) {
  BenchContext ctx = base;
  ctx.spec.scale = base.spec.scale * scale;
  if (scale != 1) {
    ctx.db = base.work + "/department-x" + std::to_string(scale) + ".db";
    std::filesystem::remove(ctx.db);
    std::fprintf(stderr, "growth: building the data set at %g×...\n", scale);
    SqliteStore store(ctx.db);
    ctx.data = generate_dataset(store, ctx.spec);
  }
  AtScale out{scale, static_cast<int>(ctx.data.agents.size()), ctx.data.bookings};
  {
    SqliteStore store(ctx.db);
    Instant from = search_start(ctx.spec.now);
    SlotFilter filter;
    filter.limit = 2000;
    std::vector<double> times;
    for (int i = 0; i < ctx.runs(31, 3); ++i) {
      auto t0 = std::chrono::steady_clock::now();
      store.read([&](StoreReader& r) {
        out.slots = find_slots(r, *r.service(ctx.data.busiest_service),
                               {from, from + std::chrono::days{14}}, SystemClock().now(), filter,
                               std::nullopt)
                        .size();
      });
      times.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    out.search_p50 = quantile(times, 0.5);
  }
  Child server = start_server(ctx, "sqlite:" + ctx.db);
  auto slots = free_slots_of(ctx, server.port, ctx.data.busiest_service, 8);
  const int n = std::min<int>(ctx.runs(50, 3), static_cast<int>(slots.size()));
  auto load = run_load(server.port, 1, n, [&](int, int i) {
    return book_request(ctx.data.busiest_service, slots[static_cast<size_t>(i)], 400000 + i);
  });
  stop_child(server);
  if (load.statuses[201] != n) throw std::runtime_error("a booking was refused while growing");
  out.booking_p50 = load.p(0.5);
  if (scale != 1) std::filesystem::remove(ctx.db);
  return out;
}

}  // namespace

std::vector<Figure> growth_figures(const BenchContext& ctx) {
  std::vector<AtScale> scales;
  for (double s : ctx.scales) scales.push_back(measure(ctx, s));
  std::vector<Figure> out;
  const AtScale& first = scales.front();
  auto label = [](const AtScale& a) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%g× (%d agents, %dk bookings)", a.scale, a.agents,
                  a.bookings / 1000);
    return std::string(buf);
  };
  for (size_t i = 1; i < scales.size(); ++i) {
    const AtScale& a = scales[i];
    out.push_back({"growth",
                   {"slot search p50 in process, 2 weeks, at " + label(a), a.search_p50, "ms"},
                   Measure{"at " + label(first), first.search_p50, "ms"},
                   Target{Target::Kind::kAtMost, 1.5, true},
                   std::to_string(a.slots) + " slots vs " + std::to_string(first.slots)});
    out.push_back({"growth",
                   {"booking p50 over HTTP at " + label(a), a.booking_p50, "ms"},
                   Measure{"at " + label(first), first.booking_p50, "ms"},
                   Target{Target::Kind::kAtMost, 1.5, true},
                   ""});
  }
  return out;
}

}  // namespace rdv::bench
