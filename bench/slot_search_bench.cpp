// Slot search at department scale: does its cost depend on the data it does
// not need? Builds a SQLite database with hundreds of agents and hundreds of
// thousands of bookings, then times the same searches on it and on the same
// agenda without bookings, and prints ratios measured in this one run (the
// machines are shared: absolute times mean little).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

#include "booking/agendas.h"
#include "storage/sqlite/sqlite_store.h"

namespace {

using namespace rdv;
using Clock = std::chrono::steady_clock;

struct Scale {
  int organisations = 30;
  int agents_per_organisation = 10;  // 300 agents
  int services = 60;
  int bookings = 200000;
};

Instant utc(const char* s) { return *parse_rfc3339(s); }

// Every agent holds two weekly permanences of 3 h for two services.
std::vector<Id> build(SqliteStore& store, const Scale& scale, bool with_bookings) {
  std::vector<Id> services;
  std::mt19937 rng(7);
  store.write([&](StoreWriter& tx) {
    std::vector<std::pair<Id, Id>> agents;  // agent, organisation
    std::vector<Id> places;
    for (int o = 0; o < scale.organisations; ++o) {
      Id org = tx.directory().insert_organisation(
          {0, "Organisation " + std::to_string(o), "commune", "Europe/Paris", {}});
      Place p;
      p.organisation_id = org;
      p.name = "Lieu " + std::to_string(o);
      p.timezone = "Europe/Paris";
      places.push_back(tx.directory().insert_place(p));
      for (int s = 0; s < scale.services / scale.organisations; ++s) {
        Service svc;
        svc.organisation_id = org;
        svc.name = "Service " + std::to_string(o) + "-" + std::to_string(s);
        svc.duration_minutes = 30;
        svc.min_notice_minutes = 0;
        svc.horizon_days = 365;
        svc.modes.add(Mode::kInPerson);
        services.push_back(tx.directory().insert_service(svc));
      }
      for (int a = 0; a < scale.agents_per_organisation; ++a)
        agents.emplace_back(tx.directory().insert_agent(
                                {0, "Agent", "", "", "s" + std::to_string(o * 100 + a), {org}}),
                            org);
    }
    int per_org = scale.services / scale.organisations;
    for (size_t i = 0; i < agents.size(); ++i) {
      size_t o = i / static_cast<size_t>(scale.agents_per_organisation);
      for (int k = 0; k < 2; ++k) {
        Opening op;
        op.agent_id = agents[i].first;
        op.place_id = places[o];
        op.service_ids = {services[o * per_org + static_cast<size_t>(k % per_org)]};
        op.modes.add(Mode::kInPerson);
        std::string day = k == 0 ? "2024-01-01" : "2024-01-03";  // Monday, Wednesday
        op.period = {*parse_local_date_time(day + "T09:00"),
                     *parse_local_date_time(day + "T12:00"),
                     zone_named("Europe/Paris"),
                     "FREQ=WEEKLY",
                     {}};
        tx.agenda().insert_opening(op);
      }
    }
    if (!with_bookings) return;
    // Bookings spread over two years before the searched window and three
    // months into it, 30-minute visits on the half hour, no overlap per agent.
    std::uniform_int_distribution<size_t> agent(0, agents.size() - 1);
    std::uniform_int_distribution<int> half_hour(0, (2 * 365 + 90) * 48 - 1);
    Instant origin = utc("2025-03-01T00:00:00Z");
    int made = 0;
    while (made < scale.bookings) {
      Booking b;
      auto [agent_id, org] = agents[agent(rng)];
      b.agent_id = agent_id;
      b.service_id = services[0];
      b.place_id = places[0];
      b.start = origin + std::chrono::minutes{30} * half_hour(rng);
      b.end = b.start + std::chrono::minutes{30};
      b.created_at = b.updated_at = b.start;
      try {
        tx.bookings().insert(b);
        ++made;
      } catch (const SlotTakenError&) {
      }
    }
  });
  return services;
}

size_t last_found = 0;

// Median time of `runs` slot searches of one service over `days` from 1 March 2027.
double median_ms(SqliteStore& store, Id service_id, int days, int runs) {
  std::vector<double> times;
  Instant from = utc("2027-03-01T00:00:00Z");
  size_t found = 0;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    store.read([&](StoreReader& r) {
      Service s = *r.service(service_id);
      found = find_slots(r, s, {from, from + std::chrono::days{days}}, utc("2027-02-01T00:00:00Z"),
                         {}, std::nullopt)
                  .size();
    });
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  if (found == 0) std::fprintf(stderr, "warning: no slot found\n");
  last_found = found;
  return times[times.size() / 2];
}

}  // namespace

int main() {
  preload_time_zones();
  Scale scale;
  auto dir = std::filesystem::temp_directory_path() / "rdv-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::printf("building: %d agents, %d services, %d bookings...\n",
              scale.organisations * scale.agents_per_organisation, scale.services, scale.bookings);
  SqliteStore empty((dir / "empty.db").string());
  SqliteStore loaded((dir / "loaded.db").string());
  auto services = build(empty, scale, false);
  build(loaded, scale, true);
  const int runs = 41;
  // The bookings fall on every agent, those offering service 0 included.
  double e14 = median_ms(empty, services[0], 14, runs);
  size_t free_empty = last_found;
  double l14 = median_ms(loaded, services[0], 14, runs);
  size_t free_loaded = last_found;
  double e93 = median_ms(empty, services[0], 93, runs),
         l93 = median_ms(loaded, services[0], 93, runs);
  std::printf(
      "slot search, 14 days, service with 200k bookings on its agents / without bookings: %.2f\n",
      l14 / e14);
  std::printf("slot search, 93 days, with / without bookings: %.2f\n", l93 / e93);
  std::printf("slot search with bookings, 93 days / 14 days: %.2f\n", l93 / l14);
  std::printf(
      "(medians of %d runs; %zu free slots in 14 days without bookings, %zu with; the\n"
      " search without bookings took %.2f ms here)\n",
      runs, free_empty, free_loaded, e14);
  std::filesystem::remove_all(dir);
}
