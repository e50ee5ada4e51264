// 7: the server's memory with the default data set, and whether it grows
// under a long mixed load (searches of every kind, keyword searches and
// bookings from 8 clients). Growth is read against the memory after the
// first fifth of the soak, when caches, connections and per-thread buffers
// have reached their working size: a leak keeps climbing after that, a cache
// does not. The samples on the way are printed with the figure.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>

#include "bench/sections.h"

namespace rdv::bench {
namespace {

std::string mib_list(const Rss& before, const std::vector<Rss>& samples) {
  std::string out = fixed(before.anonymous_mib);
  for (const Rss& s : samples) out += ", " + fixed(s.anonymous_mib);
  return out;
}

}  // namespace

std::vector<Figure> memory_figures(const BenchContext& ctx, const Child& server, Rss at_start) {
  Rss before = rss_of(server.pid);
  double db_mib = static_cast<double>(std::filesystem::file_size(ctx.db)) / (1 << 20);
  const std::vector<std::string> words = {"caf", "logement", "retraite", "permis", "famille"};
  std::vector<Id> services(ctx.data.services.begin(),
                           ctx.data.services.begin() +
                               static_cast<long>(std::min<size_t>(12, ctx.data.services.size())));
  std::vector<std::pair<Id, FreeSlot>> to_book;  // service, slot
  for (Id s : services)
    for (const FreeSlot& f : free_slots_of(ctx, server.port, s, 8)) to_book.emplace_back(s, f);
  std::mt19937 rng(11);
  std::shuffle(to_book.begin(), to_book.end(), rng);
  std::atomic<size_t> next_booking{0};

  std::map<int, int> statuses;
  size_t requests = 0;
  const auto began = std::chrono::steady_clock::now();
  const std::chrono::duration<double> soak{ctx.soak_seconds};
  const int marks = 5;  // samples at each fifth of the soak
  std::vector<Rss> samples;
  int round = 0;
  for (;;) {
    auto elapsed = std::chrono::steady_clock::now() - began;
    if (elapsed >= soak * static_cast<double>(samples.size() + 1) / marks) {
      samples.push_back(rss_of(server.pid));
      if (static_cast<int>(samples.size()) == marks) break;
    }
    auto load = run_load(server.port, 8, 25, [&](int client, int i) {
      unsigned pick = static_cast<unsigned>((round * 8 + client) * 25 + i) * 2654435761u;
      HttpRequestSpec r;
      switch (pick % 10) {
        case 0:  // a booking, on a slot found free at the start of the soak
          if (size_t k = next_booking++; k < to_book.size())
            return book_request(to_book[k].first, to_book[k].second, 300000 + static_cast<int>(k));
          [[fallthrough]];
        case 1:
        case 2:
          r.target = "/api/v1/search?q=" + words[pick / 10 % words.size()];
          return r;
        default:
          return slot_search(ctx, services[pick / 10 % services.size()], pick % 3 == 0 ? 8 : 2);
      }
    });
    for (auto [s, n] : load.statuses) statuses[s] += n;
    requests += load.latencies_ms.size();
    ++round;
  }
  if (statuses.count(500) || statuses.count(503))
    throw std::runtime_error("the server failed requests under the mixed load");
  const Rss& warmed = samples.front();
  const Rss& after = samples.back();
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::string mix = std::to_string(requests) + " requests in " +
                    std::to_string(static_cast<int>(took + 0.5)) +
                    " s (70 % slot searches, 20 % keyword searches, 10 % bookings); private MiB "
                    "before, then at each fifth: " +
                    mib_list(before, samples);
  return {{"7 memory",
           {"RSS with the default data set, after the runs above", before.total_mib, "MiB"},
           Measure{"database file", db_mib, "MiB"},
           {},
           "at start " + std::to_string(static_cast<int>(at_start.total_mib)) +
               " MiB; mapped database pages count in RSS"},
          {"7 memory",
           {"private memory (RssAnon) at the end of the mixed load", after.anonymous_mib, "MiB"},
           Measure{"the same after its first fifth (caches warm)", warmed.anonymous_mib, "MiB"},
           Target{Target::Kind::kAtMost, 1.1, true},
           mix},
          {"7 memory",
           {"RSS after the mixed load", after.total_mib, "MiB"},
           Measure{"RSS before it", before.total_mib, "MiB"},
           {},
           ""}};
}

}  // namespace rdv::bench
