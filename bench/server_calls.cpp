// What the sections share: our server as a child, the requests they send,
// and the memory of a process.
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "bench/sections.h"

namespace rdv::bench {

Child start_server(const BenchContext& ctx, const std::string& db_url) {
  return start_child(
      {ctx.binaries + "/rendezvous", "serve", "--listen", "127.0.0.1:0", "--db", db_url,
       "--no-scheduler", "--booking-rate-limit", "0", "--smtp-url", "smtp://127.0.0.1:9"},
      {});
}

HttpRequestSpec slot_search(const BenchContext& ctx, Id service, int weeks) {
  Instant from = search_start(ctx.spec.now);
  Zone paris = zone_named("Europe/Paris");
  auto encode = [](std::string s) {  // the offset's '+' would read as a space
    if (auto plus = s.find('+'); plus != std::string::npos) s.replace(plus, 1, "%2B");
    return s;
  };
  HttpRequestSpec r;
  r.target = "/api/v1/slots?service=" + std::to_string(service) +
             "&from=" + encode(format_rfc3339(from, paris)) +
             "&to=" + encode(format_rfc3339(from + std::chrono::days{7 * weeks}, paris)) +
             "&limit=2000";
  return r;
}

std::vector<FreeSlot> free_slots_of(const BenchContext& ctx, int port, Id service, int weeks) {
  auto [status, body] = http_call(port, slot_search(ctx, service, weeks));
  if (status != 200) throw std::runtime_error("slot search answered " + std::to_string(status));
  std::vector<FreeSlot> out;
  std::set<std::pair<std::string, Id>> seen;  // one booking per agent and time, whatever the mode
  for (const auto& s : nlohmann::json::parse(body)) {
    FreeSlot f{s["start"], s["agent_id"], s["place_id"]};
    if (seen.emplace(f.start, f.agent_id).second) out.push_back(f);
  }
  return out;
}

HttpRequestSpec book_request(Id service, const FreeSlot& slot, int n) {
  HttpRequestSpec r;
  r.method = "POST";
  r.target = "/api/v1/bookings";
  r.body = nlohmann::json{
      {"service_id", service},
      {"start", slot.start},
      {"agent_id", slot.agent_id},
      {"place_id", slot.place_id},
      {"mode", "in_person"},
      {"resident",
       {{"first_name", "Camille"},
        {"last_name", "Bench" + std::to_string(n)},
        {"email", "bench" + std::to_string(n) + "@example.org"},
        {"phone",
         ""}}}}.dump();
  return r;
}

Rss rss_of(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  Rss out;
  std::string line;
  while (std::getline(status, line)) {
    std::istringstream in(line);
    std::string name;
    double kib = 0;
    in >> name >> kib;
    if (name == "VmRSS:") out.total_mib = kib / 1024;
    if (name == "RssAnon:") out.anonymous_mib = kib / 1024;
  }
  if (out.total_mib == 0)
    throw std::runtime_error("no memory figures for process " + std::to_string(pid));
  return out;
}

}  // namespace rdv::bench
