// 1: the slot search of the busiest service, in process and over HTTP, with
// the pure slot function as the floor; 5: keyword search against /healthz.
#include <chrono>
#include <nlohmann/json.hpp>

#include "bench/sections.h"
#include "booking/agendas.h"
#include "domain/clock.h"
#include "storage/sqlite/sqlite_store.h"

namespace rdv::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

Measure ms(std::string what, double v) { return {std::move(what), v, "ms"}; }

// The server's answer must be, slot for slot, what the pure function gives.
void check_same_slots(const std::string& body, const std::vector<Slot>& expected, int weeks) {
  auto answer = nlohmann::json::parse(body);
  bool same = answer.size() == expected.size();
  for (size_t i = 0; same && i < expected.size(); ++i) {
    const auto& a = answer[i];
    const Slot& e = expected[i];
    same = parse_rfc3339(a["start"].get<std::string>()) == e.start &&
           parse_rfc3339(a["end"].get<std::string>()) == e.end &&
           a["agent_id"].get<Id>() == e.agent_id && a["place_id"].get<Id>() == e.place_id &&
           a["mode"].get<std::string>() == mode_name(e.mode) &&
           a["remaining"].get<int>() == e.remaining;
  }
  if (!same)
    throw std::runtime_error("the " + std::to_string(weeks) + "-week search over HTTP gave " +
                             std::to_string(answer.size()) + " slots, the pure function " +
                             std::to_string(expected.size()) + ", or not the same ones");
}

}  // namespace

std::vector<Figure> slot_search_figures(const BenchContext& ctx, Store& store, int port,
                                        const std::vector<int>& spans, const std::string& on) {
  std::vector<Figure> out;
  const Id service_id = ctx.data.busiest_service;
  const std::string who =
      "busiest service, " + std::to_string(ctx.data.busiest_agents.size()) + " agents";
  for (int weeks : spans) {
    const std::string span = std::to_string(weeks) + " weeks";
    const std::string section = "1 slot search, " + span + (on.empty() ? "" : ", " + on);
    // The targets are those of SQLite, the store of one machine.
    const std::optional<Target> target =
        on.empty()
            ? std::optional<Target>(Target{Target::Kind::kAtMost, weeks == 2 ? 20.0 : 50.0, false})
            : std::nullopt;
    Instant from = search_start(ctx.spec.now);
    TimeRange window{from, from + std::chrono::days{7 * weeks}};
    SlotFilter filter;
    filter.limit = 2000;  // as slot_search() asks
    Instant now = SystemClock().now();

    // The pure function alone, on agendas already in memory: the floor.
    Service service;
    std::vector<AgentAgenda> agendas;
    store.read([&](StoreReader& r) {
      service = *r.service(service_id);
      agendas = load_agendas(r, SlotRules::of(service), window, std::nullopt);
    });
    std::vector<Slot> pure;
    std::vector<double> pure_ms, in_process_ms;
    const int runs = ctx.runs(41, 3);
    for (int i = 0; i < runs; ++i) {
      auto t0 = Clock::now();
      pure = free_slots(SlotRules::of(service), agendas, window, now, filter);
      pure_ms.push_back(ms_since(t0));
    }
    std::vector<Slot> found;
    for (int i = 0; i < runs; ++i) {
      auto t0 = Clock::now();
      store.read([&](StoreReader& r) {
        found = find_slots(r, *r.service(service_id), window, now, filter, std::nullopt);
      });
      in_process_ms.push_back(ms_since(t0));
    }
    if (found != pure) throw std::runtime_error("find_slots differs from the pure function");
    if (found.empty()) throw std::runtime_error("the " + span + " search found no slot");

    auto request = slot_search(ctx, service_id, weeks);
    check_same_slots(http_call(port, request).second, pure, weeks);
    auto one = run_load(port, 1, ctx.runs(100, 3), [&](int, int) { return request; });
    // As many requests per client as the one client sends: the p99 is then
    // the 8th slowest of 800, less at the mercy of one slow moment than of 320.
    auto eight = run_load(port, 8, ctx.runs(100, 2), [&](int, int) { return request; });
    if (one.statuses[200] != static_cast<int>(one.latencies_ms.size()) ||
        eight.statuses[200] != static_cast<int>(eight.latencies_ms.size()))
      throw std::runtime_error("a slot search over HTTP did not answer 200");

    std::string note = who + ", " + std::to_string(found.size()) + " slots";
    double in_p50 = quantile(in_process_ms, 0.5), in_p99 = quantile(in_process_ms, 0.99);
    out.push_back({section,
                   ms("p50 in process (store read + slot function)", in_p50),
                   ms("pure slot function, agendas in memory", quantile(pure_ms, 0.5)),
                   {},
                   note});
    out.push_back(
        {section, ms("p50 over HTTP, 1 client", one.p(0.5)), ms("p50 in process", in_p50), {}, ""});
    out.push_back({section,
                   ms("p99 over HTTP, 1 client", one.p(0.99)),
                   ms("p99 in process", in_p99),
                   {},
                   ""});
    out.push_back({section, ms("p99 over HTTP, 8 clients", eight.p(0.99)),
                   ms("p99 over HTTP, 1 client", one.p(0.99)), target,
                   std::to_string(eight.latencies_ms.size()) + " requests, p50 " +
                       fixed(eight.p(0.5), 2) + " ms"});
  }
  return out;
}

std::vector<Figure> search_figures(BenchContext& ctx, const Child& server) {
  SqliteStore store(ctx.db);
  std::vector<Figure> out = slot_search_figures(ctx, store, server.port, {2, 8}, "");

  // 5: keyword search (with each hit's next free slot, as residents see it).
  const std::vector<std::string> words = {"caf",         "carte%20grise",  "passeport", "logement",
                                          "retraite",    "num%C3%A9rique", "permis",    "justice",
                                          "imp%C3%B4ts", "famille"};
  const int n = ctx.runs(200, 10);
  auto search = run_load(server.port, 1, n, [&](int, int i) {
    HttpRequestSpec r;
    r.target = "/api/v1/search?q=" + words[static_cast<size_t>(i) % words.size()];
    return r;
  });
  auto health = run_load(server.port, 1, n, [&](int, int) {
    HttpRequestSpec r;
    r.target = "/healthz";
    return r;
  });
  if (search.statuses[200] != n) throw std::runtime_error("a keyword search did not answer 200");
  out.push_back({"5 keyword search",
                 ms("p99 /api/v1/search?q=..., 1 client", search.p(0.99)),
                 ms("p99 /healthz, 1 client", health.p(0.99)),
                 {},
                 std::to_string(words.size()) + " queries, " + std::to_string(n) + " requests"});
  return out;
}

}  // namespace rdv::bench
