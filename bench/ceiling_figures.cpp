// 2: what the HTTP layer costs. wrk drives our server and the smallest
// servers on Boost.Beast (the layer we use) and on cpprestsdk (the one first
// considered), the latter two answering the slot search with its bytes
// recorded: the ceiling of serving that answer at all.
#include <fstream>

#include "bench/sections.h"

namespace rdv::bench {

std::vector<Figure> ceiling_figures(const BenchContext& ctx, const Child& server) {
  auto search = slot_search(ctx, ctx.data.busiest_service, 2);
  auto [status, body] = http_call(server.port, search);
  if (status != 200) throw std::runtime_error("slot search answered " + std::to_string(status));
  const std::string body_file = ctx.work + "/slot-search-answer.json";
  std::ofstream(body_file, std::ios::binary) << body;

  const int seconds = ctx.runs(5, 1), threads = 2, connections = 32;
  auto measure = [&](const Child& c, const std::string& target) {
    run_wrk(c.port, target, threads, connections, 1);  // warm-up: connections, caches
    WrkResult r = run_wrk(c.port, target, threads, connections, seconds);
    if (r.errors > 0 || r.requests == 0)
      throw std::runtime_error("wrk on " + target + ": " + std::to_string(r.errors) + " errors");
    return r;
  };
  std::vector<Figure> out;
  for (const char* name : {"minimal_beast_server", "minimal_cpprest_server"}) {
    std::string server_name =
        name == std::string("minimal_beast_server") ? "minimal Boost.Beast" : "minimal cpprestsdk";
    Child minimal = start_child(
        {ctx.binaries + "/" + name, "--port", "0", "--threads", "2", "--body", body_file});
    // Alternated, so that a noisy neighbour weighs on both sides alike.
    WrkResult ours_health = measure(server, "/healthz");
    WrkResult their_health = measure(minimal, "/healthz");
    WrkResult ours_search = measure(server, search.target);
    WrkResult their_search = measure(minimal, search.target);
    stop_child(minimal);
    std::string load =
        std::to_string(connections) + " connections, " + std::to_string(seconds) + " s each";
    out.push_back({"2 HTTP ceilings",
                   {"/healthz requests/s", ours_health.requests_per_second, "req/s"},
                   Measure{server_name + " /healthz", their_health.requests_per_second, "req/s"},
                   name == std::string("minimal_beast_server")
                       ? std::optional<Target>(Target{Target::Kind::kAtLeast, 0.7, true})
                       : std::nullopt,
                   load});
    out.push_back(
        {"2 HTTP ceilings",
         {"slot search (2 weeks) requests/s", ours_search.requests_per_second, "req/s"},
         Measure{server_name + " sending the same " + std::to_string(body.size() / 1024) + " KiB",
                 their_search.requests_per_second, "req/s"},
         {},
         "p99 " + std::to_string(static_cast<int>(ours_search.p99_ms)) + " ms"});
  }
  return out;
}

}  // namespace rdv::bench
