// The department benchmark (make bench): a department-sized data set, our
// server under load over real sockets, and for every figure a reference
// measured in the same run on the same machine. Prints one table and writes
// results.json and results.md. `--quick` is the reduced run of make test: a
// small data set and few requests, every correctness check, no time asserted.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "bench/ical_bench.h"
#include "bench/sections.h"
#include "domain/clock.h"
#include "storage/sqlite/sqlite_store.h"

namespace {

using namespace rdv;
using namespace rdv::bench;

const char* const kSections[] = {"growth", "search",   "ceilings", "booking",
                                 "memory", "postgres", "ical"};
// The sections measured on one server over the default data set.
const char* const kServerSections[] = {"search", "ceilings", "booking", "memory"};

struct Args {
  bool quick = false;
  int soak_seconds = 600;
  std::vector<double> scales{1, 4, 16};
  std::string out = "build/bench";
  std::string binaries;
  std::set<std::string> sections{std::begin(kSections), std::end(kSections)};
  bool runs(const std::string& name) const { return sections.count(name) > 0; }
};

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  for (size_t p = 0; p < list.size();) {
    size_t comma = list.find(',', p);
    out.push_back(list.substr(p, comma - p));
    p = comma == std::string::npos ? list.size() : comma + 1;
  }
  return out;
}

Args parse(int argc, char** argv) {
  Args a;
  bool no_postgres = false;  // applied last: whatever --sections says
  a.binaries = std::filesystem::canonical("/proc/self/exe").parent_path().string();
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--quick") {
      a.quick = true;
      a.soak_seconds = 2;
      a.scales = {1, 4};
    } else if (arg == "--no-postgres") {
      no_postgres = true;
    } else if (arg == "--soak-seconds") {
      a.soak_seconds = std::stoi(value());
    } else if (arg == "--scales") {
      a.scales.clear();
      for (const std::string& scale : split(value())) a.scales.push_back(std::stod(scale));
    } else if (arg == "--sections") {
      a.sections.clear();
      for (const std::string& name : split(value())) {
        if (std::find(std::begin(kSections), std::end(kSections), name) == std::end(kSections))
          throw std::runtime_error("unknown section " + name);
        a.sections.insert(name);
      }
    } else if (arg == "--out") {
      a.out = value();
    } else if (arg == "--binaries") {
      a.binaries = value();
    } else {
      throw std::runtime_error("unknown argument " + arg +
                               " (--quick, --no-postgres, --soak-seconds N, --scales 1,4,16, "
                               "--sections growth,search,ceilings,booking,memory,postgres,ical, "
                               "--out DIR, --binaries DIR)");
    }
  }
  if (no_postgres) a.sections.erase("postgres");
  return a;
}

// Runs one section of the table unless --sections left it out.
template <class F>
void section(const Args& args, const char* name, const char* title, Report& report, F&& run) {
  if (!args.runs(name)) return;
  std::fprintf(stderr, "%s...\n", title);
  report.add_all(run());
}

}  // namespace

int main(int argc, char** argv) try {
  Args args = parse(argc, argv);
  preload_time_zones();
  BenchContext ctx;
  ctx.binaries = args.binaries;
  ctx.quick = args.quick;
  ctx.soak_seconds = args.soak_seconds;
  ctx.scales = args.scales;
  ctx.work =
      (std::filesystem::temp_directory_path() / ("rdv-bench-" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(ctx.work);
  ctx.spec.now = SystemClock().now();
  if (ctx.quick) {  // a few agents of each kind, a few events each
    ctx.spec.scale = 0.05;
    ctx.spec.busiest_agents = 8;
    ctx.spec.busy_events_per_agent = 5;
  }
  ctx.db = ctx.work + "/department.db";
  auto t0 = std::chrono::steady_clock::now();
  {
    SqliteStore store(ctx.db);
    ctx.data = generate_dataset(store, ctx.spec);
  }
  double built_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "data set: %zu agents, %d openings, %zu busy ranges, %d bookings (%.0f s)\n",
               ctx.data.agents.size(), ctx.data.openings, ctx.data.busy_ranges, ctx.data.bookings,
               built_s);

  Report report;
  // Growth first: its 1× is the default data set as generated, before the
  // sections below book into it.
  section(args, "growth", "growth", report, [&] { return growth_figures(ctx); });
  // Growth wrote (and removed) gigabytes of data sets: flushed now, the
  // kernel's writeback does not land in the tail of the sections after it.
  ::sync();
  if (std::any_of(std::begin(kServerSections), std::end(kServerSections),
                  [&](const char* name) { return args.runs(name); })) {
    Child server = start_server(ctx, "sqlite:" + ctx.db);
    Rss at_start = rss_of(server.pid);
    section(args, "search", "slot and keyword search", report,
            [&] { return search_figures(ctx, server); });
    section(args, "ceilings", "HTTP ceilings", report,
            [&] { return ceiling_figures(ctx, server); });
    section(args, "booking", "durable booking, contention", report,
            [&] { return booking_figures(ctx, server); });
    section(args, "memory", "memory under mixed load", report,
            [&] { return memory_figures(ctx, server, at_start); });
    stop_child(server);
  }
  section(args, "postgres", "slot search and durable booking on PostgreSQL", report,
          [&] { return postgres_figures(ctx); });
  section(args, "ical", "iCal", report,
          [&] { return ical_figures(ctx.quick ? 300 : 5000, ctx.quick ? 1 : 5); });
  std::filesystem::remove_all(ctx.work);

  nlohmann::json context = {{"quick", ctx.quick},
                            {"cores", std::thread::hardware_concurrency()},
                            {"data_set",
                             {{"scale", ctx.spec.scale},
                              {"agents", ctx.data.agents.size()},
                              {"busiest_service_agents", ctx.data.busiest_agents.size()},
                              {"organisations", ctx.data.organisations.size()},
                              {"places", ctx.data.places.size()},
                              {"services", ctx.data.services.size()},
                              {"openings", ctx.data.openings},
                              {"absences", ctx.data.absences},
                              {"busy_ranges", ctx.data.busy_ranges},
                              {"bookings", ctx.data.bookings},
                              {"build_seconds", built_s}}},
                            {"soak_seconds", ctx.soak_seconds},
                            {"growth_scales", ctx.scales},
                            {"sections", args.sections}};
  std::filesystem::create_directories(args.out);
  std::ofstream(args.out + "/results.json") << report.json(context.dump()) << "\n";
  std::ofstream(args.out + "/results.md") << report.table();
  std::printf("%s\n", report.table().c_str());
  std::printf("written: %s/results.json, %s/results.md\n", args.out.c_str(), args.out.c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "department_bench: %s\n", e.what());
  return 1;
}
