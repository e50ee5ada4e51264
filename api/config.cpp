#include "config.h"

#include <libpq-fe.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <vector>

#include "net/ip_address.h"
#include "net/url.h"
#include "observe/log.h"

namespace rdv {
namespace {

// Whether libpq reads `url` as the administrator meant it. Checked here and
// refused without libpq's words, which quote the faulty part: often the
// password, as when an unencoded @ or / in it makes a host or a port.
bool valid_postgres_url(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (error) PQfreemem(error);
  if (!options) return false;
  bool valid = true;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    std::string_view key = o->keyword, value = o->val;
    if (key == "host" && value.find('@') != std::string_view::npos) valid = false;
    if (key == "port" && value.find_first_not_of("0123456789,") != std::string_view::npos)
      valid = false;
  }
  PQconninfoFree(options);
  return valid;
}

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    if (comma == std::string::npos) comma = v.size();
    std::string item = v.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

// A comma-separated list of addresses or networks ("127.0.0.1,10.0.0.0/8").
std::vector<std::string> network_list(const std::string& flag, const std::string& v) {
  auto list = split_list(v);
  for (const auto& n : list)
    if (!IpNetwork::parse(n))
      throw ConfigError(flag + ": expected addresses or networks such as 10.0.0.0/8, got '" + n +
                        "'");
  return list;
}

int to_int(const std::string& name, const std::string& v, int min, int max) {
  int n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || p != v.data() + v.size() || n < min || n > max)
    throw ConfigError(name + ": expected a number between " + std::to_string(min) + " and " +
                      std::to_string(max) + ", got '" + v + "'");
  return n;
}

struct Option {
  const char* flag;  // --listen
  const char* env;   // RDV_LISTEN
  bool takes_value;
  std::function<void(Config&, const std::string&)> set;
};

const std::vector<Option>& options() {
  static const std::vector<Option> all = {
      {"--listen", "RDV_LISTEN", true, [](Config& c, const std::string& v) { c.listen = v; }},
      {"--db", "RDV_DB", true, [](Config& c, const std::string& v) { c.db = v; }},
      {"--db-pool", "RDV_DB_POOL", true,
       [](Config& c, const std::string& v) { c.db_pool = to_int("database pool", v, 1, 512); }},
      {"--demo", "RDV_DEMO", false,
       [](Config& c, const std::string& v) { c.demo = v != "0" && v != "false"; }},
      {"--public-url", "RDV_PUBLIC_URL", true,
       [](Config& c, const std::string& v) { c.public_url = v; }},
      {"--bootstrap-admin-token", "RDV_BOOTSTRAP_ADMIN_TOKEN", true,
       [](Config& c, const std::string& v) { c.bootstrap_admin_token = v; }},
      {"--booking-rate-limit", "RDV_BOOKING_RATE_LIMIT", true,
       [](Config& c, const std::string& v) {
         c.booking_rate_limit = to_int("booking rate limit", v, 0, 1000000);
       }},
      {"--open-bookings-per-contact", "RDV_OPEN_BOOKINGS_PER_CONTACT", true,
       [](Config& c, const std::string& v) {
         c.open_bookings_per_contact = to_int("open bookings per contact", v, 0, 1000);
       }},
      {"--document-rate-limit", "RDV_DOCUMENT_RATE_LIMIT", true,
       [](Config& c, const std::string& v) {
         c.document_rate_limit = to_int("document rate limit", v, 0, 1000000);
       }},
      {"--max-documents-per-booking", "RDV_MAX_DOCUMENTS_PER_BOOKING", true,
       [](Config& c, const std::string& v) {
         c.max_documents_per_booking = to_int("max documents per booking", v, 0, 1000);
       }},
      {"--max-document-mib-per-booking", "RDV_MAX_DOCUMENT_MIB_PER_BOOKING", true,
       [](Config& c, const std::string& v) {
         c.max_document_mib_per_booking = to_int("max document MiB per booking", v, 1, 1000);
       }},
      {"--trusted-proxies", "RDV_TRUSTED_PROXIES", true,
       [](Config& c, const std::string& v) {
         c.trusted_proxies = network_list("--trusted-proxies", v);
       }},
      {"--fetch-allow", "RDV_FETCH_ALLOW", true,
       [](Config& c, const std::string& v) { c.fetch_allow = split_list(v); }},
      {"--calendar-refresh-minutes", "RDV_CALENDAR_REFRESH_MINUTES", true,
       [](Config& c, const std::string& v) {
         c.calendar_refresh_minutes = to_int("calendar refresh minutes", v, 1, 1440);
       }},
      {"--availability-keywords", "RDV_AVAILABILITY_KEYWORDS", true,
       [](Config& c, const std::string& v) {
         c.availability_keywords = split_list(v);
         if (c.availability_keywords.empty())
           throw ConfigError("availability keywords: at least one word is needed");
       }},
      {"--no-scheduler", "RDV_NO_SCHEDULER", false,
       [](Config& c, const std::string& v) { c.scheduler = v == "0" || v == "false"; }},
      {"--smtp-url", "RDV_SMTP_URL", true, [](Config& c, const std::string& v) { c.smtp_url = v; }},
      {"--smtp-from", "RDV_SMTP_FROM", true,
       [](Config& c, const std::string& v) { c.smtp_from = v; }},
      {"--sms-url", "RDV_SMS_URL", true, [](Config& c, const std::string& v) { c.sms_url = v; }},
      {"--sms-token", "RDV_SMS_TOKEN", true,
       [](Config& c, const std::string& v) { c.sms_token = v; }},
      {"--sms-template", "RDV_SMS_TEMPLATE", true,
       [](Config& c, const std::string& v) { c.sms_template = v; }},
      {"--job-lease-seconds", "RDV_JOB_LEASE_SECONDS", true,
       [](Config& c, const std::string& v) {
         c.job_lease_seconds = to_int("job lease", v, 2, 86400);
       }},
      {"--scheduler-tick-ms", "RDV_SCHEDULER_TICK_MS", true,
       [](Config& c, const std::string& v) {
         c.scheduler_tick_ms = to_int("scheduler tick", v, 50, 600000);
       }},
      {"--documents-dir", "RDV_DOCUMENTS_DIR", true,
       [](Config& c, const std::string& v) { c.documents_dir = v; }},
      {"--retention-days", "RDV_RETENTION_DAYS", true,
       [](Config& c, const std::string& v) {
         c.retention_days = to_int("retention days", v, 1, 36500);
       }},
      {"--mandate-days", "RDV_MANDATE_DAYS", true,
       [](Config& c, const std::string& v) {
         c.mandate_days = to_int("mandate days", v, 0, 3650);
       }},
      {"--audit-days", "RDV_AUDIT_DAYS", true,
       [](Config& c, const std::string& v) { c.audit_days = to_int("audit days", v, 30, 3650); }},
      {"--cancelled-data-days", "RDV_CANCELLED_DATA_DAYS", true,
       [](Config& c, const std::string& v) {
         c.cancelled_data_days = to_int("cancelled data days", v, 0, 36500);
       }},
      {"--oidc-issuer", "RDV_OIDC_ISSUER", true,
       [](Config& c, const std::string& v) { c.oidc_issuer = v; }},
      {"--oidc-client-id", "RDV_OIDC_CLIENT_ID", true,
       [](Config& c, const std::string& v) { c.oidc_client_id = v; }},
      {"--oidc-client-secret", "RDV_OIDC_CLIENT_SECRET", true,
       [](Config& c, const std::string& v) { c.oidc_client_secret = v; }},
      {"--oidc-scopes", "RDV_OIDC_SCOPES", true,
       [](Config& c, const std::string& v) { c.oidc_scopes = v; }},
      {"--oidc-trust-email", "RDV_OIDC_TRUST_EMAIL", false,
       [](Config& c, const std::string& v) { c.oidc_trust_email = v != "0" && v != "false"; }},
      {"--metrics-allow", "RDV_METRICS_ALLOW", true,
       [](Config& c, const std::string& v) {
         c.metrics_allow = network_list("--metrics-allow", v);
       }},
      {"--log-level", "RDV_LOG_LEVEL", true,
       [](Config& c, const std::string& v) {
         if (!logging::parse_level(v))
           throw ConfigError("--log-level must be debug, info, warn or error, got '" + v + "'");
         c.log_level = v;
       }},
      {"--worker-threads", "RDV_WORKER_THREADS", true,
       [](Config& c, const std::string& v) {
         c.worker_threads = to_int("worker threads", v, 1, 256);
       }},
      {"--read-threads", "RDV_READ_THREADS", true,
       [](Config& c, const std::string& v) { c.read_threads = to_int("read threads", v, 0, 256); }},
  };
  return all;
}

void apply_file(Config& c, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read config file " + path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    std::string key = line.substr(0, eq);
    const Option* opt = nullptr;
    for (const auto& o : options())
      if (key == o.env) opt = &o;
    if (eq == std::string::npos || !opt)
      // Only the name: the rest of a line may hold a secret (a password).
      throw ConfigError(path + ":" + std::to_string(number) + ": unknown setting '" +
                        key.substr(0, key.find_first_of(" \t")) + "'");
    opt->set(c, line.substr(eq + 1));
  }
}

}  // namespace

std::string Config::listen_host() const { return listen.substr(0, listen.rfind(':')); }

int Config::listen_port() const {
  return to_int("listen port", listen.substr(listen.rfind(':') + 1), 0, 65535);
}

std::string usage() {
  return "usage: rendezvous serve|worker [--listen HOST:PORT] [--db sqlite:PATH|postgresql://...] "
         "[--db-pool N] [--demo] "
         "[--smtp-url URL] [--smtp-from ADDR] [--sms-url URL] [--sms-token T] [--sms-template "
         "JSON] "
         "[--scheduler-tick-ms N] [--job-lease-seconds N] "
         "[--config FILE] [--public-url URL] [--booking-rate-limit N] [--trusted-proxies A,B] "
         "[--fetch-allow HOSTS] [--calendar-refresh-minutes N] [--availability-keywords W,W] "
         "[--no-scheduler] [--worker-threads N] [--read-threads N] [--metrics-allow NETS] "
         "[--log-level LEVEL] "
         "[--oidc-issuer URL --oidc-client-id ID "
         "--oidc-client-secret S [--oidc-scopes 'openid email'] [--oidc-trust-email]]";
}

Config parse_config(int argc, const char* const* argv,
                    const std::map<std::string, std::string>& environment) {
  Config c;
  if (argc < 2) throw ConfigError("missing command; " + usage());
  c.command = argv[1];
  if (c.command != "serve" && c.command != "worker")
    throw ConfigError("unknown command '" + c.command + "'; " + usage());

  // Collect flags first: --config must be applied before the environment.
  std::vector<std::pair<const Option*, std::string>> flags;
  std::string config_file;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i], value;
    auto eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (arg == "--config") {
      if (eq == std::string::npos && i + 1 >= argc) throw ConfigError("--config needs a value");
      config_file = eq == std::string::npos ? argv[++i] : value;
      continue;
    }
    const Option* opt = nullptr;
    for (const auto& o : options())
      if (arg == o.flag) opt = &o;
    if (!opt) throw ConfigError("unknown flag " + arg + "; " + usage());
    if (opt->takes_value && eq == std::string::npos) {
      if (i + 1 >= argc) throw ConfigError(arg + " needs a value");
      value = argv[++i];
    } else if (!opt->takes_value && eq == std::string::npos) {
      value = "1";
    }
    flags.emplace_back(opt, value);
  }
  if (!config_file.empty()) apply_file(c, config_file);
  for (const auto& o : options())
    if (auto it = environment.find(o.env); it != environment.end()) o.set(c, it->second);
  for (auto& [opt, value] : flags) opt->set(c, value);

  if (c.listen.find(':') == std::string::npos || c.listen_host().empty())
    throw ConfigError("--listen must be HOST:PORT, got '" + c.listen + "'");
  c.listen_port();
  bool sqlite = c.db.rfind("sqlite:", 0) == 0 && c.db.size() > 7;
  bool postgres = c.db.rfind("postgresql://", 0) == 0 || c.db.rfind("postgres://", 0) == 0;
  if (!sqlite && !postgres) throw ConfigError("--db must be sqlite:PATH or postgresql://...");
  if (postgres && !valid_postgres_url(c.db))
    throw ConfigError(
        "--db is not a valid PostgreSQL URL (special characters of the user or password must be "
        "percent-encoded)");
  if (!c.smtp_url.empty() && c.smtp_url.rfind("smtp://", 0) != 0 &&
      c.smtp_url.rfind("smtps://", 0) != 0)
    throw ConfigError("--smtp-url must start with smtp:// or smtps://");
  if (!c.sms_url.empty() && c.sms_url.rfind("http://", 0) != 0 &&
      c.sms_url.rfind("https://", 0) != 0)
    throw ConfigError("--sms-url must start with http:// or https://");
  if (!c.public_url.empty() && c.public_url.rfind("http://", 0) != 0 &&
      c.public_url.rfind("https://", 0) != 0)
    throw ConfigError("--public-url must start with http:// or https://");
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  if (!c.oidc_issuer.empty() || !c.oidc_client_id.empty() || !c.oidc_client_secret.empty()) {
    if (c.oidc_issuer.empty() || c.oidc_client_id.empty() || c.oidc_client_secret.empty())
      throw ConfigError(
          "single sign-on needs --oidc-issuer, --oidc-client-id and "
          "--oidc-client-secret together");
    // OpenID Connect issuers are https; plain http only for a host that
    // --fetch-allow names (a test provider, an intranet).
    bool allowed_http = false;
    for (const std::string& host : c.fetch_allow)
      allowed_http = allowed_http || host_of_url(c.oidc_issuer) == host;
    if (c.oidc_issuer.rfind("https://", 0) != 0 && !allowed_http)
      throw ConfigError("--oidc-issuer must be an https URL");
    if (c.oidc_scopes.find("openid") == std::string::npos)
      throw ConfigError("--oidc-scopes must include openid");
  }
  return c;
}

}  // namespace rdv
