// The HTTP API of rendezvous: routes requests to thin handlers over the core,
// turns every failure into the JSON error shape, and never throws.
#pragma once

#include <atomic>
#include <functional>
#include <kainjow/mustache.hpp>
#include <map>
#include <string>

#include "accounts/credentials.h"
#include "accounts/single_sign_on.h"
#include "accounts/staff.h"
#include "booking/bookings.h"
#include "booking/resident_access.h"
#include "crypto/tokens.h"
#include "csrf.h"
#include "domain/clock.h"
#include "domain/error.h"
#include "json_io.h"
#include "net/ip_address.h"
#include "rate_limiter.h"
#include "render.h"
#include "router.h"
#include "storage/store.h"
#include "sync/calendar_sync.h"

namespace rdv {

struct AppOptions {
  std::string public_url = "http://127.0.0.1:8080";  // base of links we hand out
  int booking_rate_limit = 30;                       // per client address and minute
  std::string openapi_yaml;                          // served at /openapi.yaml
  std::string documents_dir = "var/documents";       // uploads, outside any web root
  size_t max_document_bytes = 10 << 20;              // one file
  int max_documents_per_booking = 10;                // files a resident may upload to one booking
  size_t max_document_bytes_per_booking = 20 << 20;  // their total size
  int document_rate_limit = 20;                      // uploads per client address and minute
  int reset_rate_limit = 5;  // password reset requests per client address and minute
  BookingLimits booking_limits;
  // Peers (reverse proxies) whose X-Forwarded-For names the real client.
  std::vector<IpNetwork> trusted_proxies;
  NotificationPolicy notifications;  // which channels are configured
  HttpClientPolicy http;             // for checking webhook URLs
  CredentialPolicy credentials;      // sessions, links, sign-in throttling
  SingleSignOnSettings sso;          // OpenID Connect provider, when configured
  int sso_rate_limit = 30;           // single sign-on starts per client address and minute
  // Clients that may read /metrics without the administrator's token (the
  // address as client_address() resolves it behind a trusted proxy).
  std::vector<IpNetwork> metrics_allow;
  // Whether the background work this process should run is running, for
  // /readyz; empty when it runs none here (--no-scheduler).
  std::function<bool()> background_running;
};

class App {
 public:
  App(Store& store, const Clock& clock, Random& random, const LinkSigner& links, CalendarSync& sync,
      AppOptions options);
  // Resolves the request's credentials (request.staff), routes it, writes the
  // access log and the audit log.
  HttpResponse handle(HttpRequest request);
  // "METHOD /pattern" of every route, for the tests that must cover them all.
  std::vector<std::string> routes() const { return router_.routes(); }
  // Whether the request only reads and computes (the server runs those on
  // threads of their own): a GET or HEAD that calls no other server (some
  // add a row on the way, an audit line or a session's touch).
  bool only_reads(const HttpRequest& request) const { return !router_.waits(request); }

  // Actions with their validation, shared by the handlers and the demo data.
  Json create_organisation(const Json& body);
  Json create_place(Id organisation_id, const Json& body);
  Json create_service(Id organisation_id, const Json& body);
  Json create_agent(Id organisation_id, const Json& body);
  Json create_user(Id organisation_id, const Json& body);
  Json create_opening(Id agent_id, const Json& body);
  Json create_absence(Id agent_id, const Json& body);
  // Removes one of the agent's own openings (404 otherwise); returns the
  // bookings it leaves uncovered (kept, the agent told of each).
  std::vector<Id> remove_opening(Id agent_id, Id opening_id);
  // Removes one of the agent's absences (404 otherwise).
  void remove_absence(Id agent_id, Id absence_id);
  // Removes one of the agent's calendar subscriptions (404 otherwise).
  void remove_calendar(Id agent_id, Id calendar_id);
  // A new secret for the agent's feed (the old address stops working): its URL.
  std::string renew_feed(const Agent& agent);
  // Creates the first administrator with this token, if there is none yet.
  void bootstrap_admin(const std::string& token);
  // Changes and removals of places and services, `by`'s rights checked (the
  // API's PATCH and DELETE, and the administrators' pages).
  Json update_place(const Staff& by, Id place_id, const Json& body);
  void remove_place(const Staff& by, Id place_id);  // 409 while openings or bookings use it
  Json update_service(const Staff& by, Id service_id, const Json& body);
  // Deleted when never booked (nullopt), archived otherwise (the service returned).
  std::optional<Service> remove_service(const Staff& by, Id service_id);

 private:
  void add_admin_routes();
  void add_operations_routes();  // /healthz, /readyz, /metrics
  bool ready();                  // what /readyz answers
  void add_agenda_routes();
  void add_booking_routes();
  void add_calendar_routes();
  void add_follow_up_routes();
  void add_video_routes();
  void add_account_routes();
  void add_manage_routes();
  void add_sso_routes();
  // web/: the pages, over the same core.
  void add_resident_pages();
  void add_staff_pages();
  void add_account_pages();
  void add_survey_pages();
  void add_agent_pages();
  // web/pages_admin*.cpp: administrators' and observers' pages.
  void add_admin_pages();
  void add_admin_directory_pages();  // places and services
  void add_admin_people_pages();     // people, video provider, webhooks
  void add_statistics_pages();
  // The organisation `org` if the request's person administers it; a
  // redirect to sign in (anonymous) in `go`; ClientError 403/404 otherwise.
  std::optional<Organisation> administered(const HttpRequest& r, Id org, HttpResponse& go);
  HttpResponse organisation_admin_page(const HttpRequest& r, const Organisation& org);
  HttpResponse place_form_page(const HttpRequest& r, const Organisation& org,
                               std::optional<Id> place_id, int status, const FormValues& values,
                               const FormErrors& errors);
  HttpResponse service_form_page(const HttpRequest& r, const Organisation& org,
                                 std::optional<Id> service_id, int status, const FormValues& values,
                                 const std::vector<std::string>& modes,
                                 const std::vector<std::string>& bookable_by,
                                 const FormErrors& errors);
  HttpResponse invite_form_page(const HttpRequest& r, const Organisation& org, int status,
                                const FormValues& values, const FormErrors& errors);
  HttpResponse video_form_page(const HttpRequest& r, const Organisation& org, int status,
                               const FormValues& values, const FormErrors& errors);
  HttpResponse webhook_form_page(const HttpRequest& r, const Organisation& org, int status,
                                 const FormValues& values, const std::vector<std::string>& events,
                                 const FormErrors& errors);
  HttpResponse statistics_page(const HttpRequest& r);
  void add_agenda_pages();
  HttpResponse absences_page(const HttpRequest& r, int status,
                             const std::map<std::string, std::string>& values,
                             const std::vector<std::pair<std::string, std::string>>& errors);
  HttpResponse calendars_page(const HttpRequest& r, int status, const std::string& url,
                              const std::vector<std::pair<std::string, std::string>>& errors);
  HttpResponse staff_booking_page(const HttpRequest& r, Id id, const std::string& notice);
  HttpResponse openings_page(const HttpRequest& r, int status,
                             const std::map<std::string, std::string>& values,
                             const std::vector<std::string>& chosen_services,
                             const std::vector<std::string>& chosen_modes,
                             const std::vector<std::pair<std::string, std::string>>& errors);
  HttpResponse survey_page(const HttpRequest& r, const std::string& token,
                           const std::map<std::string, std::string>& values,
                           const std::vector<std::pair<std::string, std::string>>& errors,
                           int status);
  HttpResponse sign_in_page(const HttpRequest& r, int status, const std::string& email,
                            const std::string& next, const std::string& problem);
  // `around`: show the week of this instant (a slot just taken) rather
  // than the one the query asks for.
  HttpResponse service_page(const HttpRequest& r, Id id, int status, const std::string& notice,
                            std::optional<Instant> around = std::nullopt);
  HttpResponse booking_form(const HttpRequest& r, Id service_id,
                            const std::map<std::string, std::string>& values,
                            const std::vector<std::pair<std::string, std::string>>& errors,
                            int status);
  HttpResponse book_from_form(const HttpRequest& r, Id service_id);
  // `errors`: what was wrong with a document sent from the page (field "fichier").
  HttpResponse manage_page(const HttpRequest& r, Id id, const std::string& token, int status = 200,
                           const std::vector<std::pair<std::string, std::string>>& errors = {});
  // The page's upload form (multipart/form-data), over add_document.
  HttpResponse upload_from_page(const HttpRequest& r, Id id);
  // The manage page's forms beyond cancel and move: stop reminders, send documents.
  void add_manage_page_routes();
  // What the manage page shows of reminders, documents sent and the video link.
  void add_manage_extras(kainjow::mustache::data& d, StoreReader& s, const Booking& b,
                         const Service& service, const std::optional<Organisation>& org, Zone zone);
  // web/pages_my_bookings.cpp: "Mes rendez-vous", a resident's bookings
  // through a sign-in link sent to their email or phone.
  void add_my_bookings_pages();
  HttpResponse my_bookings_form(const HttpRequest& r, int status,
                                const std::map<std::string, std::string>& values,
                                const std::vector<std::pair<std::string, std::string>>& errors);
  HttpResponse my_bookings_list(const HttpRequest& r, const ResidentContact& contact);
  // The cookie of a resident's session, or that clears it (`token` empty).
  std::string resident_cookie(const std::string& token) const;
  std::string resident_cookie_name() const;
  // Why a resident's cancel or move was refused, in French, with the way back.
  HttpResponse change_refused_page(Id id, const std::string& token, const ClientError& why) const;
  // Choosing another slot: a resident's (with the manage token, checked
  // here) or staff's who may act on the booking (checked by the caller).
  enum class MoveBy { kResident, kStaff };
  HttpResponse move_page(const HttpRequest& r, Id id, MoveBy by, const std::string& token,
                         const std::string& notice);
  HttpResponse invalid_link_page() const;
  // A page with forms: render_page, with this browser's CSRF token in
  // `csrf` for its forms (and the cookie that holds it when new).
  HttpResponse form_page(const HttpRequest& r, int status, const std::string& title,
                         const std::string& name, PageData data);
  // Whether a form that changes something comes from this browser's page:
  // its CSRF field, and no sign of another site (same_site).
  bool form_ok(const HttpRequest& r, const std::string& field) const;
  // Whether the public URL is https (cookies are then Secure and __Host-).
  bool https() const { return options_.public_url.rfind("https://", 0) == 0; }
  // A cookie's name: __Host- prefixed on https, so that only this host may
  // set it (a sibling subdomain cannot plant one of its choosing).
  std::string cookie_name(const char* base) const {
    return https() ? std::string("__Host-") + base : std::string(base);
  }
  HttpResponse expired_form_page() const;
  // Sets in `d` a week of free slots from `from`, grouped by day (template
  // _slot_days).
  void add_slot_days(kainjow::mustache::data& d, StoreReader& r, const Service& service,
                     const SlotFilter& filter, date::local_days from, Zone zone,
                     const std::function<std::string(const Slot&)>& slot_url,
                     const std::function<std::string(date::local_days)>& week_url,
                     std::optional<Id> ignore_booking);

  HttpResponse slots(const HttpRequest& request);
  HttpResponse search(const HttpRequest& request);
  HttpResponse create_booking(const HttpRequest& request);
  HttpResponse get_booking(const HttpRequest& request, Id id);
  HttpResponse cancel_booking(const HttpRequest& request, Id id);
  HttpResponse reschedule_booking(const HttpRequest& request, Id id);
  HttpResponse booking_outcome(const HttpRequest& request, Id id);
  HttpResponse reassign_booking(const HttpRequest& request, Id id);
  // The booking's organisation's administrators only (reassigning).
  Id require_admin_of_booking(const HttpRequest& request, StoreReader& r, const Booking& b);
  // 400 naming `field` unless `agent_id` is an agent of the organisation.
  void require_colleague(StoreReader& r, Id agent_id, Id organisation_id, const char* field);
  HttpResponse booking_calendar(const HttpRequest& request, Id id);

  // 401/403/404 unless the caller administers this existing organisation.
  void require_org_admin_of(const HttpRequest& request, Id organisation_id);
  // The agent, after checking that the caller may manage them.
  Agent managed_agent(const HttpRequest& request, Id agent_id);
  // The agent, after checking that the caller may read their agenda.
  Agent agenda_of(const HttpRequest& request, Id agent_id);
  std::string feed_url(const Agent& agent) const;
  // One of the agent's calendars (404 otherwise).
  static ExternalCalendar own_calendar(StoreReader& r, Id agent_id, Id calendar_id);

  // The booking as the wire shows it; with its manage token right after creation.
  // `agent_view`: the video link is the agent's, not the resident's.
  Json booking_json(StoreReader& store, const Booking& b, const std::string& manage_token = "",
                    bool agent_view = false);
  // The same, with the booking's place already read.
  Json booking_json(const std::optional<Place>& place, const Booking& b,
                    const std::string& manage_token, bool agent_view = false);
  std::string visio_url(const Booking& b, bool agent) const;
  // A resident's document for their booking (the API's upload and the
  // manage page's): the manage token, the life cycle, the count and size
  // limits, the kind read from the first bytes (and matching `declared_type`),
  // a clean file name. ClientError otherwise; the caller applies
  // document_limiter_ first.
  Document add_document(Id booking_id, const std::string* token, const std::string& filename,
                        const std::string* declared_type, const std::string& bytes);
  // Reads a webhook's url, secret and events from a body (all required when
  // `creating`; a change keeps what is not sent).
  void read_webhook_fields(const Json& body, Webhook& w, bool creating) const;
  // Resolves who may act on a booking: the resident's manage token or a user's rights.
  Actor authorize_booking(StoreReader& store, const HttpRequest& request, const Booking& b);
  // A page of bookings (staff view) and the cursor of the next one; `keep`,
  // when given, leaves out the bookings it refuses (the page may be shorter).
  HttpResponse booking_list(BookingFilter filter,
                            const std::function<bool(StoreReader&, const Booking&)>& keep = {});
  // A 429 with Retry-After when the client's address is over `limiter`'s limit.
  std::optional<HttpResponse> over_limit(RateLimiter& limiter, const HttpRequest& request,
                                         const std::string& message) const;
  // Whether a path is one of the pages' (not the API, feeds or probes).
  static bool is_page_path(const std::string& path);
  // The page that says what went wrong, in French, for a JSON error answer.
  static HttpResponse error_page(const HttpResponse& json_error);
  // The client's address: the peer, or what a trusted proxy says the client was.
  std::string client_address(const HttpRequest& request) const;
  // Whether the peer is one of --trusted-proxies (its X-Forwarded-For counts).
  bool from_trusted_proxy(const HttpRequest& request) const;
  // Sets request.staff from a bearer token (401 when it is not valid) or the
  // session cookie (ignored when it is not valid: `stale_cookie` is set).
  void identify(HttpRequest& request, bool& stale_cookie);
  // The audit line of a staff request: every write, and reads of residents' data.
  void audit_request(const HttpRequest& request, const std::string& route, int status);
  // Whether a request carries no sign of coming from another site
  // (Sec-Fetch-Site, Origin against the public URL).
  bool same_site(const HttpRequest& request) const;
  // The cookie that holds a session, or that clears it (`token` empty).
  std::string session_cookie(const std::string& token) const;
  // The cookie that ties a single sign-on to the browser that started it.
  std::string sso_state_cookie(const std::string& state) const;
  std::string sso_state_cookie_name() const;
  // Accounts as POST /api/v1/accounts makes them (memberships within what
  // `by` may grant), and the account routes that act on one (404 for an
  // account `by` may not manage).
  Json invite_account(const Staff& by, const Json& body);
  Json deactivate_account(const Staff& by, Id account_id);
  Json resend_invitation(const Staff& by, Id account_id);
  // The organisation's video provider (PUT .../video); the caller checked the rights.
  Json set_video(Id organisation_id, const Json& body);
  // Webhooks of an organisation; the caller checked the rights.
  Json add_webhook(Id organisation_id, const Json& body);
  void remove_webhook(Id organisation_id, Id webhook_id);  // 404 if not the organisation's
  // Satisfaction per service (GET .../survey-stats); the caller checked the rights.
  Json survey_results(Id organisation_id);
  // Anonymous counts of the bookings made in `made` by service, status and
  // channel, with the survey results (GET .../stats); the caller checked the rights.
  Json organisation_stats(Id organisation_id, TimeRange made);
  // A new account (201 body), invited when it has an email, with its first
  // API token when asked; an agent membership without agent_id makes the
  // person's agenda. The caller has checked the rights.
  Json create_account(Account a, bool first_token);

  Store& store_;
  const Clock& clock_;
  Random& random_;
  const LinkSigner& links_;
  CalendarSync& sync_;
  AppOptions options_;
  Router router_;
  RateLimiter booking_limiter_;
  RateLimiter document_limiter_;
  RateLimiter reset_limiter_;  // password reset requests per client address
  Bookings bookings_;
  Credentials credentials_;
  RateLimiter sso_limiter_;
  std::unique_ptr<SingleSignOn> sso_;  // null when no provider is configured
  // Requests waiting on the provider: a few at most, so that a slow provider
  // holds a few handler threads, never the whole pool.
  std::atomic<int> sso_calls_{0};
  // "Mes rendez-vous": sign-in link requests per client address, and the links and sessions.
  RateLimiter resident_link_limiter_{clock_, options_.reset_rate_limit};
  ResidentAccess residents_{store_, clock_, random_, links_,
                            ResidentAccessPolicy{.email = options_.notifications.email,
                                                 .sms = options_.notifications.sms}};
};

}  // namespace rdv
