// rendezvous: the program. `serve` runs the HTTP API over the chosen store.
#include <csignal>
#include <filesystem>
#include <iostream>

#include "app.h"
#include "calendar/fetch.h"
#include "config.h"
#include "demo_data.h"
#include "http_server.h"
#include "periodic_task.h"
#include "storage/sqlite/sqlite_store.h"
#include "sync/calendar_sync.h"

extern char** environ;

namespace rdv {
const std::string& openapi_yaml();
}

namespace {

std::map<std::string, std::string> environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos && kv.rfind("RDV_", 0) == 0)
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

int serve(const rdv::Config& config, const sigset_t& signals) {
  std::string path = config.db.substr(7);
  if (auto dir = std::filesystem::path(path).parent_path(); !dir.empty())
    std::filesystem::create_directories(dir);
  rdv::SqliteStore store(path);
  rdv::SystemClock clock;
  rdv::SystemRandom random;
  rdv::FetchPolicy fetch_policy;
  fetch_policy.allowed_private_hosts = config.fetch_allow;
  rdv::CurlFetcher fetcher(fetch_policy);
  rdv::CalendarSyncOptions sync_options;
  sync_options.refresh_every = std::chrono::minutes{config.calendar_refresh_minutes};
  sync_options.availability_keywords = config.availability_keywords;
  rdv::CalendarSync sync(store, clock, fetcher, sync_options);

  rdv::HttpServerOptions http;
  http.host = config.listen_host();
  http.port = static_cast<std::uint16_t>(config.listen_port());
  http.worker_threads = static_cast<size_t>(config.worker_threads);
  rdv::AppOptions options;
  options.booking_rate_limit = config.booking_rate_limit;
  options.trusted_proxies = config.trusted_proxies;
  options.openapi_yaml = rdv::openapi_yaml();
  // The public URL defaults to the listen address, known once bound.
  std::unique_ptr<rdv::App> app;
  rdv::HttpServer server(http, [&app](const rdv::HttpRequest& r) { return app->handle(r); });
  server.bind();
  std::string listen_url = "http://" + http.host + ":" + std::to_string(server.port());
  options.public_url = config.public_url.empty() ? listen_url : config.public_url;
  app = std::make_unique<rdv::App>(store, clock, random, sync, options);
  app->bootstrap_admin(config.bootstrap_admin_token);
  if (config.demo && rdv::load_demo_data(*app, store, clock)) std::cerr << "demo data loaded\n";
  server.start();
  // Background work: calendars due for a refresh (the schedule is in the database).
  std::unique_ptr<rdv::PeriodicTask> refresher;
  if (config.scheduler)
    refresher = std::make_unique<rdv::PeriodicTask>("calendar refresh", std::chrono::seconds{30},
                                                    [&sync] { sync.refresh_due(); });
  std::cout << "listening on " << listen_url << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "signal " << sig << ": finishing in-flight requests\n";
  if (refresher) refresher->stop();
  server.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken synchronously by main; every thread started later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    rdv::Config config = rdv::parse_config(argc, argv, environment());
    rdv::preload_time_zones();
    return serve(config, signals);
  } catch (const rdv::ConfigError& e) {
    std::cerr << "rendezvous: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "rendezvous: " << e.what() << "\n";
    return 1;
  }
}
