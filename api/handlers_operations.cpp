// What the people who run the service read: /healthz (the process answers),
// /readyz (it can serve: database reachable and migrated, background work
// running where it should) and /metrics (Prometheus text format).
#include <algorithm>

#include "app.h"
#include "auth.h"
#include "observe/metrics.h"
#include "observe/process_stats.h"

namespace rdv {

namespace {

std::string process_metrics() {
  auto stats = metrics::read_process_stats();
  if (!stats) return "";
  return metrics::render_gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                               {{{}, stats->resident_bytes}}) +
         metrics::render_gauge("process_open_fds", "Open file descriptors.",
                               {{{}, stats->open_files}}) +
         metrics::render_gauge("process_start_time_seconds",
                               "Start time of the process since the Unix epoch in seconds.",
                               {{{}, stats->start_time_seconds}}) +
         metrics::render_family("process_cpu_seconds_total", "counter",
                                "User and system CPU time in seconds.", {{{}, stats->cpu_seconds}});
}

}  // namespace

bool App::ready() {
  if (!store_.ready()) return false;
  return !options_.background_running || options_.background_running();
}

void App::add_operations_routes() {
  // Alive: answers without touching the database, so that a database outage
  // does not make a supervisor restart healthy processes.
  router_.add("GET", "/healthz", [](const HttpRequest&, const PathParams&) {
    return json_response(200, {{"status", "ok"}});
  });
  router_.add("GET", "/readyz", [this](const HttpRequest&, const PathParams&) {
    bool is_ready = ready();
    HttpResponse r =
        json_response(is_ready ? 200 : 503, {{"status", is_ready ? "ready" : "not ready"}});
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });

  router_.add("GET", "/metrics", [this](const HttpRequest& r, const PathParams&) {
    // A request forwarded by a proxy we do not trust is nobody's by address:
    // a misconfigured --trusted-proxies must not open metrics to every client
    // of a local nginx.
    std::string client = client_address(r);
    bool forwarded_untrusted = r.header("x-forwarded-for") && !from_trusted_proxy(r);
    bool monitoring = !forwarded_untrusted &&
                      std::any_of(options_.metrics_allow.begin(), options_.metrics_allow.end(),
                                  [&](const IpNetwork& n) { return n.contains(client); });
    if (!monitoring) {
      if (!r.staff)
        throw ClientError(ErrorCode::kForbidden,
                          "metrics are read from a monitoring address or with an administrator's "
                          "token");
      require_admin(*r.staff);
    }
    // Readiness first: with the database away the scrape still answers,
    // rdv_ready 0 and without the families read from the database.
    bool is_ready = ready();
    std::string from_database;
    if (is_ready) {
      try {
        std::vector<metrics::Sample> jobs, oldest;
        store_.read([&](StoreReader& s) {
          for (const auto& [kind, status, count] : s.jobs().counts())
            jobs.push_back({{{"state", std::string(job_status_name(status))},
                             {"channel", std::string(job_kind_name(kind))}},
                            static_cast<double>(count)});
          Instant now = clock_.now();
          auto due = s.jobs().oldest_due(now);
          oldest.push_back({{}, due ? std::chrono::duration<double>(now - *due).count() : 0.0});
        });
        from_database =
            metrics::render_gauge("rdv_jobs", "Jobs of the outbox (messages, webhooks) by state.",
                                  jobs) +
            metrics::render_gauge("rdv_jobs_oldest_due_age_seconds",
                                  "How long the most overdue pending job has waited; 0 when none.",
                                  oldest);
      } catch (const std::exception&) {
        is_ready = false;  // gone between the two reads
      }
    }
    auto connections = store_.connections();
    auto writes = store_.writes();
    std::string text =
        metrics::render_counters() + from_database +
        metrics::render_gauge("rdv_db_pool_connections",
                              "Database connections of this process, in use or idle.",
                              {{{{"state", "in_use"}}, double(connections.open - connections.idle)},
                               {{{"state", "idle"}}, double(connections.idle)}}) +
        metrics::render_gauge("rdv_db_pool_size", "Database connections this process may keep.",
                              {{{}, double(connections.size)}}) +
        metrics::render_gauge("rdv_db_writes_waiting",
                              "Writes of this process queued or being committed.",
                              {{{}, double(writes.waiting)}}) +
        metrics::render_family("rdv_db_writes_total", "counter",
                               "Writes this process ran (committed or failed).",
                               {{{}, double(writes.writes)}}) +
        metrics::render_family("rdv_db_write_groups_total", "counter",
                               "Transactions these writes ran in: writes that arrive together "
                               "are committed together.",
                               {{{}, double(writes.groups)}}) +
        metrics::render_gauge("rdv_ready", "1 when /readyz answers 200.",
                              {{{}, is_ready ? 1.0 : 0.0}}) +
        process_metrics();
    HttpResponse response{200, "text/plain; version=0.0.4; charset=utf-8", text, {}};
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  });
}

}  // namespace rdv
