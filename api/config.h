// Command line and environment: every flag has an RDV_ variable; flags win over
// the environment, which wins over the --config file (KEY=VALUE lines).
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace rdv {

struct Config {
  std::string command;  // serve
  std::string listen = "127.0.0.1:8080";
  std::string db = "sqlite:var/rendezvous.db";
  // PostgreSQL connections per process: the handler threads and the
  // background tasks each hold one while they work. 0: one for each handler
  // thread (worker and read) and 4 for the background tasks.
  int db_pool = 0;
  bool demo = false;
  std::string public_url;  // default: the listen URL
  std::string bootstrap_admin_token;
  int booking_rate_limit = 30;
  int open_bookings_per_contact = 3;  // per service, for one email or phone (0: no limit)
  int document_rate_limit = 20;       // uploads per client address and minute (0: off)
  int max_documents_per_booking = 10;
  int max_document_mib_per_booking = 20;
  int worker_threads = 8;
  int read_threads = 0;                      // 0: one per core this process may use
  std::vector<std::string> trusted_proxies;  // peers allowed to set X-Forwarded-For
  // Networks that may read /metrics without a token (addresses or CIDR).
  std::vector<std::string> metrics_allow{"127.0.0.1", "::1"};
  std::string log_level = "info";        // debug, info, warn, error
  std::vector<std::string> fetch_allow;  // private hosts calendar fetches may reach
  int calendar_refresh_minutes = 15;
  std::vector<std::string> availability_keywords{"RDV", "Permanence"};
  bool scheduler = true;  // background work inside serve
  std::string smtp_url;   // smtp://[user:pass@]host:port or smtps://
  std::string smtp_from = "Rendez-vous <no-reply@localhost>";
  std::string sms_url, sms_token, sms_template;
  int scheduler_tick_ms = 2000;  // how often due jobs are looked for
  // How long a process holds a job it claimed: another takes it over after
  // that if the first died mid-send. Far longer than a send (30 s timeouts).
  int job_lease_seconds = 300;
  std::string documents_dir = "var/documents";
  int retention_days = 730;      // bookings and documents, after the visit
  int audit_days = 365;          // the audit log
  int mandate_days = 30;         // a desk's mandate details, after the visit
  int cancelled_data_days = 30;  // residents' data of cancelled bookings
  // Single sign-on for staff (OpenID Connect): all three, or none.
  std::string oidc_issuer, oidc_client_id, oidc_client_secret;
  std::string oidc_scopes = "openid email";
  bool oidc_trust_email = false;  // the provider's emails are verified even without the claim

  std::string listen_host() const;
  int listen_port() const;
};

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws ConfigError with a one-line message naming the problem.
Config parse_config(int argc, const char* const* argv,
                    const std::map<std::string, std::string>& environment);

std::string usage();

}  // namespace rdv
