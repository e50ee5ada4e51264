// rendezvous: the program. `serve` runs the HTTP API over the chosen store,
// with the background work unless --no-scheduler; `worker` runs only the
// background work.
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>

#include "app.h"
#include "booking/retention.h"
#include "calendar/fetch.h"
#include "config.h"
#include "crypto/link_tokens.h"
#include "demo_data.h"
#include "email.h"
#include "http_server.h"
#include "job_runner.h"
#include "notifier.h"
#include "observe/log.h"
#include "periodic_task.h"
#include "sms.h"
#include "storage/postgres/copy_from_sqlite.h"
#include "storage/postgres/pg_store.h"
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

// What both `serve` and `worker` run on: the store and the background work.
struct Runtime {
  explicit Runtime(const rdv::Config& config)
      : store_owner(open_store(config)),
        store(*store_owner),
        links(store_link_key()),
        fetcher(fetch_policy(config)),
        sync(store, clock, fetcher, sync_options(config)) {
    if (!config.smtp_url.empty()) email = std::make_unique<rdv::SmtpChannel>(config.smtp_url);
    if (!config.sms_url.empty())
      sms = std::make_unique<rdv::HttpSmsChannel>(
          fetch_policy(config), config.sms_url, config.sms_token,
          config.sms_template.empty() ? rdv::HttpSmsChannel::kDefaultTemplate
                                      : config.sms_template);
  }

  static int pool_size(const rdv::Config& config) {
    if (config.db_pool) return config.db_pool;
    return config.worker_threads + config.read_threads + 4;
  }

  static std::unique_ptr<rdv::Store> open_store(const rdv::Config& config) {
    if (rdv::is_postgres_url(config.db))
      return std::make_unique<rdv::PostgresStore>(config.db, pool_size(config));
    std::string path = config.db.substr(7);  // sqlite:PATH
    if (auto dir = std::filesystem::path(path).parent_path(); !dir.empty())
      std::filesystem::create_directories(dir);
    return std::make_unique<rdv::SqliteStore>(path);
  }
  static rdv::FetchPolicy fetch_policy(const rdv::Config& config) {
    rdv::FetchPolicy p;
    p.allowed_private_hosts = config.fetch_allow;
    return p;
  }
  static rdv::CalendarSyncOptions sync_options(const rdv::Config& config) {
    rdv::CalendarSyncOptions o;
    o.refresh_every = std::chrono::minutes{config.calendar_refresh_minutes};
    o.availability_keywords = config.availability_keywords;
    o.notifications.email = !config.smtp_url.empty();
    o.notifications.sms = !config.sms_url.empty();
    return o;
  }
  // The key that signs links in messages, made on first start.
  std::string store_link_key() {
    std::uint8_t bytes[32];
    random.fill(bytes, sizeof bytes);
    std::string hex;
    for (auto b : bytes) hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 15];
    std::string key;
    store.write(
        [&](rdv::StoreWriter& tx) { key = tx.directory().ensure_setting("link_key", hex); });
    return key;
  }

  // Starts the background tasks: due jobs (messages, webhooks) and calendar refreshes.
  void start_background(const rdv::Config& config, const std::string& public_url) {
    rdv::NotifierOptions options;
    options.public_url = public_url;
    options.from = config.smtp_from;
    options.http = fetch_policy(config);
    notifier =
        std::make_unique<rdv::Notifier>(store, clock, links, email.get(), sms.get(), options);
    char host[256] = "host";
    gethostname(host, sizeof host - 1);
    rdv::RunnerOptions runner_options;
    runner_options.lease = std::chrono::seconds{config.job_lease_seconds};
    runner = std::make_unique<rdv::JobRunner>(store, clock, *notifier,
                                              std::string(host) + ":" + std::to_string(getpid()),
                                              runner_options);
    jobs_task = std::make_unique<rdv::PeriodicTask>(
        "jobs", std::chrono::milliseconds{config.scheduler_tick_ms}, [this] {
          while (runner->run_due() > 0) {
          }
        });
    calendars_task = std::make_unique<rdv::PeriodicTask>(
        "calendar refresh", std::chrono::seconds{30}, [this] { sync.refresh_due(); });
    rdv::RetentionPolicy retention{std::chrono::days{config.retention_days},
                                   std::chrono::days{config.cancelled_data_days},
                                   config.documents_dir};
    retention.keep_audit = std::chrono::days{config.audit_days};
    retention.keep_mandates = std::chrono::days{config.mandate_days};
    retention_task = std::make_unique<rdv::PeriodicTask>(
        "retention", std::chrono::hours{1},
        [this, retention] { rdv::apply_retention(store, clock, retention); });
  }
  // Whether every background task started is still running (for /readyz).
  bool background_running() const {
    return jobs_task && jobs_task->running() && calendars_task->running() &&
           retention_task->running();
  }
  void stop_background() {
    if (jobs_task) jobs_task->stop();
    if (calendars_task) calendars_task->stop();
    if (retention_task) retention_task->stop();
  }

  std::unique_ptr<rdv::Store> store_owner;
  rdv::Store& store;
  rdv::SystemClock clock;
  rdv::SystemRandom random;
  rdv::LinkSigner links;
  rdv::CurlFetcher fetcher;
  rdv::CalendarSync sync;
  std::unique_ptr<rdv::EmailChannel> email;
  std::unique_ptr<rdv::SmsChannel> sms;
  std::unique_ptr<rdv::Notifier> notifier;
  std::unique_ptr<rdv::JobRunner> runner;
  std::unique_ptr<rdv::PeriodicTask> jobs_task, calendars_task, retention_task;
};

int serve(const rdv::Config& config, const sigset_t& signals) {
  Runtime rt(config);
  rdv::HttpServerOptions http;
  http.host = config.listen_host();
  http.port = static_cast<std::uint16_t>(config.listen_port());
  http.worker_threads = static_cast<size_t>(config.worker_threads);
  http.read_threads = static_cast<size_t>(config.read_threads);
  http.body_limit_for = [](const std::string& method, const std::string& path) -> size_t {
    bool upload = method == "POST" && path.size() > 10 &&
                  path.compare(path.size() - 10, 10, "/documents") == 0;
    return upload ? (10u << 20) + 4096 : 0;
  };
  rdv::AppOptions options;
  options.booking_rate_limit = config.booking_rate_limit;
  options.booking_limits.open_bookings_per_contact = config.open_bookings_per_contact;
  options.document_rate_limit = config.document_rate_limit;
  options.max_documents_per_booking = config.max_documents_per_booking;
  options.max_document_bytes_per_booking = static_cast<size_t>(config.max_document_mib_per_booking)
                                           << 20;
  for (const auto& n : config.trusted_proxies)
    options.trusted_proxies.push_back(*rdv::IpNetwork::parse(n));
  options.openapi_yaml = rdv::openapi_yaml();
  options.notifications.email = rt.email != nullptr;
  options.notifications.sms = rt.sms != nullptr;
  options.http = Runtime::fetch_policy(config);
  options.documents_dir = config.documents_dir;
  options.sso = {config.oidc_issuer, config.oidc_client_id, config.oidc_client_secret,
                 config.oidc_scopes, config.oidc_trust_email};
  for (const auto& n : config.metrics_allow)
    options.metrics_allow.push_back(*rdv::IpNetwork::parse(n));
  if (config.scheduler) options.background_running = [&rt] { return rt.background_running(); };
  // The public URL defaults to the listen address, known once bound.
  std::unique_ptr<rdv::App> app;
  http.only_reads = [&app](const rdv::HttpRequest& r) { return app->only_reads(r); };
  rdv::HttpServer server(http, [&app](rdv::HttpRequest& r) { return app->handle(std::move(r)); });
  server.bind();
  std::string listen_url = "http://" + http.host + ":" + std::to_string(server.port());
  options.public_url = config.public_url.empty() ? listen_url : config.public_url;
  app = std::make_unique<rdv::App>(rt.store, rt.clock, rt.random, rt.links, rt.sync, options);
  app->bootstrap_admin(config.bootstrap_admin_token);
  std::vector<std::string> sign_ins;
  if (config.demo && rdv::load_demo_data(*app, rt.store, rt.clock, &sign_ins))
    rdv::logging::info("demo_data_loaded");
  // The background work first: the handlers (/readyz) read its tasks, and
  // their threads start with server.start().
  if (config.scheduler) rt.start_background(config, options.public_url);
  server.start();
  // How many handlers run at once (the reads sized from the cores this
  // process may use when not given).
  rdv::logging::info("handler_threads",
                     {{"workers", http.worker_threads}, {"reads", http.read_threads}});
  std::cout << "listening on " << listen_url << std::endl;
  // Shown once, when the demo is made (on stdout, never in the log): how to
  // sign in as each kind of staff.
  if (!sign_ins.empty()) {
    std::cout << "demo staff accounts (sign in at " << options.public_url << "/connexion):\n";
    for (const std::string& line : sign_ins) std::cout << "  " << line << "\n";
    std::cout << std::flush;
  }

  int sig = 0;
  sigwait(&signals, &sig);
  rdv::logging::info("stopping", {{"signal", sig}});  // in-flight requests finish first
  rt.stop_background();
  server.stop();
  return 0;
}

// Only the background work, for more instances on one database.
int worker(const rdv::Config& config, const sigset_t& signals) {
  Runtime rt(config);
  rt.start_background(config,
                      config.public_url.empty() ? "http://" + config.listen : config.public_url);
  std::cout << "worker running" << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  rdv::logging::info("stopping", {{"signal", sig}});
  rt.stop_background();
  return 0;
}

// `migrate --from sqlite:PATH --to postgresql://...`: copies a SQLite
// deployment into an empty PostgreSQL database (see copy_from_sqlite.h).
int migrate(int argc, char** argv) {
  std::string from, to;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--from")
      from = argv[i + 1];
    else if (flag == "--to")
      to = argv[i + 1];
    else
      throw rdv::ConfigError("unknown flag " + flag);
  }
  if (from.rfind("sqlite:", 0) != 0 || from.size() <= 7 || !rdv::is_postgres_url(to))
    throw rdv::ConfigError(
        "usage: rendezvous migrate --from sqlite:PATH --to postgresql://USER@HOST/DB");
  if (!std::filesystem::exists(from.substr(7)))
    throw rdv::ConfigError("no SQLite database at " + from.substr(7));
  auto report = rdv::postgres::copy_from_sqlite(from.substr(7), to);
  std::int64_t rows = 0;
  for (const auto& [table, count] : report) {
    std::cout << table << ": " << count << " rows\n";
    rows += count;
  }
  std::cout << "copied " << rows << " rows in " << report.size() << " tables; counts checked"
            << std::endl;
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
    if (argc > 1 && std::string(argv[1]) == "migrate") return migrate(argc, argv);
    rdv::Config config = rdv::parse_config(argc, argv, environment());
    // "One per core" resolved once, for the read pool and the database pool.
    config.read_threads =
        static_cast<int>(rdv::read_threads_or_cores(static_cast<size_t>(config.read_threads)));
    rdv::logging::set_min_level(*rdv::logging::parse_level(config.log_level));
    rdv::preload_time_zones();
    return config.command == "worker" ? worker(config, signals) : serve(config, signals);
  } catch (const rdv::ConfigError& e) {
    // A mistake on the command line, answered as any command does; what the
    // service writes once it runs is JSON (observe/log.h).
    std::cerr << "rendezvous: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    rdv::logging::error("fatal", {{"error", e.what()}});
    return 1;
  }
}
