#include "app.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "auth.h"
#include "domain/error.h"
#include "error_status.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "storage/store_errors.h"

namespace rdv {

App::App(Store& store, const Clock& clock, Random& random, const LinkSigner& links,
         CalendarSync& sync, AppOptions options)
    : store_(store),
      clock_(clock),
      random_(random),
      links_(links),
      sync_(sync),
      options_(std::move(options)),
      booking_limiter_(clock, options_.booking_rate_limit),
      document_limiter_(clock, options_.document_rate_limit),
      reset_limiter_(clock, options_.reset_rate_limit),
      bookings_(store, clock, links, options_.notifications, options_.booking_limits),
      credentials_(store, clock, random, links,
                   [this] {
                     CredentialPolicy p = options_.credentials;
                     p.email = options_.notifications.email;
                     return p;
                   }()),
      sso_limiter_(clock, options_.sso_rate_limit),
      sso_(options_.sso.enabled() ? std::make_unique<SingleSignOn>(
                                        options_.sso,
                                        [this] {
                                          HttpClientPolicy p = options_.http;
                                          p.timeout = std::chrono::seconds{10};
                                          return p;
                                        }(),
                                        clock)
                                  : nullptr) {
  add_operations_routes();
  add_admin_routes();
  add_agenda_routes();
  add_booking_routes();
  add_calendar_routes();
  add_follow_up_routes();
  add_video_routes();
  add_account_routes();
  add_manage_routes();
  add_sso_routes();
  add_resident_pages();
  add_my_bookings_pages();
  add_manage_page_routes();
  add_staff_pages();
  add_account_pages();
  add_survey_pages();
  add_agent_pages();
  add_admin_pages();
  add_agenda_pages();
}

HttpResponse App::handle(HttpRequest request) {
  const auto started = std::chrono::steady_clock::now();
  HttpResponse response;
  std::string route = "-";  // logs show the route's pattern, never the path (secrets)
  std::string error_code;   // for the metrics, when the answer is an error
  bool stale_cookie = false;
  try {
    identify(request, stale_cookie);
    response = router_.route(request, route);
  } catch (const TooManyAttempts& e) {
    response = error_response(ErrorCode::kRateLimited, "too many failed sign-ins, retry later");
    response.headers.emplace_back("Retry-After", std::to_string(e.retry_after));
    error_code = error_wire(ErrorCode::kRateLimited).code;
  } catch (const ClientError& e) {
    response = error_response(e.code(), e.what(), e.field());
    error_code = error_wire(e.code()).code;
  } catch (const StoreUnavailableError& e) {
    // The database is restarting or failing over: nothing was done (or the
    // outcome is unknown and an Idempotency-Key replay tells it).
    logging::warn("database_unavailable",
                  {{"method", request.method}, {"route", route}, {"error", e.what()}});
    response = error_response(ErrorCode::kUnavailable,
                              "the service is briefly unavailable, please retry in a moment");
    response.headers.emplace_back("Retry-After", "2");
    error_code = error_wire(ErrorCode::kUnavailable).code;
  } catch (const std::exception& e) {
    // The detail stays in the log; the client gets a generic 500.
    logging::error("request_failed",
                   {{"method", request.method}, {"route", route}, {"error", e.what()}});
    response = internal_error_response();
    error_code = "internal";
  }
  if (response.status >= 400 && error_code.empty())
    error_code = "http_" + std::to_string(response.status);
  // People see pages, not JSON: an error on a path of the pages is a page.
  if (response.status >= 400 && response.content_type == "application/json" &&
      is_page_path(request.path))
    response = error_page(response);
  if (request.method == "HEAD") response.body.clear();
  // An old cookie is cleared, unless the answer sets a new one (a sign-in).
  bool sets_cookie = std::any_of(response.headers.begin(), response.headers.end(),
                                 [](const auto& h) { return h.first == "Set-Cookie"; });
  if (stale_cookie && !sets_cookie) response.headers.emplace_back("Set-Cookie", session_cookie(""));
  if (request.staff) {
    try {
      audit_request(request, route, response.status);
    } catch (const std::exception& e) {
      logging::error("audit_not_written", {{"route", route}, {"error", e.what()}});
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics::record_request(route, request.method, response.status, seconds);
  if (!error_code.empty()) metrics::record_error(error_code);
  if (logging::enabled(logging::Level::kInfo)) {
    // Written on every request: fields as they are, no JSON object built.
    logging::write_fields(
        logging::Level::kInfo, "request",
        {{"method", request.method},
         {"route", route},
         {"status", response.status},
         {"duration_ms", std::round(seconds * 1e4) / 10},
         {"client", client_address(request)},
         {"account", request.staff ? logging::Value(request.staff->account_id()) : nullptr}});
  }
  return response;
}

bool App::is_page_path(const std::string& path) {
  for (const char* prefix :
       {"/api/", "/ical/", "/visio/", "/metrics", "/healthz", "/readyz", "/openapi.yaml"})
    if (path.rfind(prefix, 0) == 0) return false;
  return true;
}

bool App::from_trusted_proxy(const HttpRequest& request) const {
  return std::any_of(options_.trusted_proxies.begin(), options_.trusted_proxies.end(),
                     [&](const IpNetwork& n) { return n.contains(request.client_ip); });
}

std::string App::client_address(const HttpRequest& request) const {
  const std::string* forwarded = request.header("x-forwarded-for");
  if (!forwarded || !from_trusted_proxy(request)) return request.client_ip;
  // The proxy appends the address it saw: the last entry is the one to trust.
  std::string last = forwarded->substr(forwarded->rfind(',') + 1);
  auto first = last.find_first_not_of(' ');
  auto end = last.find_last_not_of(' ');
  return first == std::string::npos ? request.client_ip : last.substr(first, end - first + 1);
}

std::optional<HttpResponse> App::over_limit(RateLimiter& limiter, const HttpRequest& request,
                                            const std::string& message) const {
  int retry_after = 0;
  if (limiter.allow(client_address(request), retry_after)) return std::nullopt;
  HttpResponse r = error_response(ErrorCode::kRateLimited, message);
  r.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return r;
}

void App::require_org_admin_of(const HttpRequest& request, Id organisation_id) {
  store_.read([&](StoreReader& s) {
    const Staff& u = require_staff(request);
    if (!s.organisation(organisation_id))
      throw ClientError(ErrorCode::kNotFound, "organisation not found");
    require_org_admin(u, organisation_id);
  });
}

void App::bootstrap_admin(const std::string& token) {
  if (token.empty()) return;
  store_.write([&](StoreWriter& tx) {
    if (tx.accounts().has_admin()) return;
    Account admin;
    admin.name = "bootstrap administrator";
    admin.status = AccountStatus::kActive;
    admin.memberships = {{Role::kAdmin, std::nullopt, std::nullopt}};
    admin.created_at = clock_.now();
    admin.id = tx.accounts().insert_account(admin);
    ApiToken t;
    t.account_id = admin.id;
    t.name = "bootstrap";
    t.created_at = clock_.now();
    tx.accounts().insert_token(t, token_hash(token));
  });
}

}  // namespace rdv
