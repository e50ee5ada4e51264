// Staff accounts: who is calling (token or session), signing in and out,
// setting a password through a link, one's own API tokens, territories,
// managing accounts and their memberships, and the audit log.
#include <algorithm>
#include <iostream>

#include "app.h"
#include "auth.h"
#include "domain/contact.h"
#include "domain/error.h"
#include "domain/text.h"
#include "html_page.h"
#include "query_params.h"
#include "storage/require.h"

namespace rdv {
namespace {

Zone audit_zone() { return date::locate_zone("Europe/Paris"); }

Json opt_time(const std::optional<Instant>& t) {
  return t ? Json(format_rfc3339(*t, audit_zone())) : Json(nullptr);
}

Json membership_json(const Membership& m) {
  Json j = {{"role", role_name(m.role)}};
  if (m.organisation_id) j["organisation_id"] = *m.organisation_id;
  if (m.territory_id) j["territory_id"] = *m.territory_id;
  return j;
}

Json account_json(const Account& a) {
  Json memberships = Json::array();
  for (const Membership& m : a.memberships) memberships.push_back(membership_json(m));
  return {{"id", a.id},
          {"name", a.name},
          {"email", a.email.empty() ? Json(nullptr) : Json(a.email)},
          {"phone", a.phone},
          {"status", account_status_name(a.status)},
          {"agent_id", a.agent_id ? Json(*a.agent_id) : Json(nullptr)},
          {"memberships", memberships},
          {"created_at", format_rfc3339(a.created_at, audit_zone())},
          {"last_sign_in_at", opt_time(a.last_sign_in_at)}};
}

Json token_json(const ApiToken& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"created_at", format_rfc3339(t.created_at, audit_zone())},
          {"expires_at", opt_time(t.expires_at)},
          {"revoked_at", opt_time(t.revoked_at)}};
}

Json territory_json(const Territory& t) { return {{"id", t.id}, {"name", t.name}}; }

// Memberships as sent: each well formed, naming what exists, and within what
// `by` may grant.
std::vector<Membership> read_memberships(Fields& f, StoreReader& s, const Staff& by) {
  std::vector<Membership> out;
  auto items = f.objects("memberships", 20);
  for (size_t i = 0; i < items.size(); ++i) {
    std::string prefix = "memberships[" + std::to_string(i) + "].";
    Fields m(*items[i], prefix);
    auto role = parse_role(m.text("role", 30));
    if (!role)
      invalid_field(prefix + "role",
                    "must be admin, territory_admin, org_admin, agent, desk or observer");
    Membership ms{*role, m.opt_id("organisation_id"), m.opt_id("territory_id")};
    m.done();
    if (std::string why = membership_problem(ms); !why.empty()) invalid_field(prefix + "role", why);
    if (ms.organisation_id && !s.organisation(*ms.organisation_id))
      invalid_field(prefix + "organisation_id", "no such organisation");
    if (ms.territory_id && !s.accounts().territory(*ms.territory_id))
      invalid_field(prefix + "territory_id", "no such territory");
    if (!by.may_grant(ms))
      throw ClientError(ErrorCode::kForbidden, "you may not grant this membership",
                        prefix + "role");
    if (std::find(out.begin(), out.end(), ms) == out.end()) out.push_back(ms);
  }
  return out;
}

// The region a staff phone number is read in: that of the first
// organisation of the memberships (overseas departments have their own).
std::string phone_region(StoreReader& s, const std::vector<Membership>& ms) {
  for (const Membership& m : ms)
    if (m.organisation_id)
      if (auto org = s.organisation(*m.organisation_id)) return phone_region_of_zone(org->timezone);
  return "FR";
}

// The organisations an agent membership puts the person's agenda in.
std::vector<Id> agent_organisations(const std::vector<Membership>& ms) {
  std::vector<Id> out;
  for (const Membership& m : ms)
    if (m.role == Role::kAgent && m.organisation_id) out.push_back(*m.organisation_id);
  return out;
}

// The account, if `me` may manage it (404 otherwise: no probing).
Account managed_account(StoreReader& s, const Staff& me, Id id) {
  auto a = s.accounts().account(id);
  if (!a || !me.may_manage_account(*a))
    throw ClientError(ErrorCode::kNotFound, "account not found");
  return *a;
}

const std::string kPasswordPage = kPasswordPagePath;

}  // namespace

void App::identify(HttpRequest& request, bool& stale_cookie) {
  std::optional<std::string> bearer, cookie;
  if (const std::string* header = request.header("authorization")) {
    const std::string prefix = "Bearer ";
    if (header->size() <= prefix.size() || header->compare(0, prefix.size(), prefix) != 0 ||
        header->size() > 512)
      throw ClientError(ErrorCode::kUnauthenticated, "expected Authorization: Bearer TOKEN");
    bearer = header->substr(prefix.size());
  } else if (auto c = request.cookie(cookie_name(kSessionCookie)); c && !c->empty()) {
    cookie = *c;
  }
  if (!bearer && !cookie) return;
  // The credential and the person's rights, in one read.
  std::optional<Signed> who;
  store_.read([&](StoreReader& s) {
    if (bearer)
      who = credentials_.api_token(s, *bearer);
    else if (cookie->size() <= 128)
      who = credentials_.session(s, *cookie);
    if (who) request.staff = std::make_shared<Staff>(Staff::of(who->account, s));
  });
  if (bearer && !who)
    throw ClientError(ErrorCode::kUnauthenticated, "invalid, expired or revoked token");
  stale_cookie = cookie && !who;  // an old cookie: the request goes on without it
  if (!who) return;
  // A browser sends the cookie with requests that other sites make it send
  // (SameSite=Lax still lets sibling subdomains and old browsers through):
  // a change made with a session must come from our own pages.
  if (cookie && request.method != "GET" && request.method != "HEAD" && !same_site(request))
    throw ClientError(ErrorCode::kForbidden, "cross-site request refused");
  credentials_.touch(*who);
  request.session_id = who->session_id;
}

bool App::same_site(const HttpRequest& request) const {
  // Sec-Fetch-Site, when the browser sends it, says it all; otherwise the
  // Origin (our Referrer-Policy, same-origin, lets browsers send it).
  if (const std::string* site = request.header("sec-fetch-site"))
    return *site == "same-origin" || *site == "none";
  if (const std::string* origin = request.header("origin")) {
    std::string own = options_.public_url.substr(0, options_.public_url.find('/', 8));
    if (*origin != own) return false;
  }
  return true;
}

std::string App::session_cookie(const std::string& token) const {
  std::string cookie =
      cookie_name(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Lax";
  if (https()) cookie += "; Secure";
  if (token.empty()) cookie += "; Max-Age=0";
  return cookie;
}

void App::audit_request(const HttpRequest& request, const std::string& route, int status) {
  bool write = request.method != "GET" && request.method != "HEAD";
  // Staff reads of a resident's data: a booking and what hangs from it, and
  // every list of bookings (an agent's, an organisation's, a desk's own).
  auto ends_with = [&](const char* tail) {
    std::string_view t(tail);
    return route.size() >= t.size() && route.compare(route.size() - t.size(), t.size(), t) == 0;
  };
  // Staff reading residents' data: a booking or a list of them, through the
  // API or the pages (an agent's week names the residents).
  bool personal_read =
      !write && (route.rfind("/api/v1/bookings/", 0) == 0 || ends_with("/bookings") ||
                 route == "/espace" || route.rfind("/espace/rendez-vous/{id}", 0) == 0);
  if (!write && !personal_read) return;
  AuditEntry e;
  e.at = clock_.now();
  e.account_id = request.staff->account_id();
  e.address = client_address(request);
  e.action = route == "/api/v1/residents/export"  ? "export_resident_data"
             : route == "/api/v1/residents/erase" ? "erase_resident_data"
             : write                              ? "write"
                                                  : "read_personal_data";
  e.route = request.method + " " + route;
  e.target = route_ids(route, request.path);
  e.outcome = status;
  store_.write([&](StoreWriter& tx) { tx.accounts().append_audit(e); });
}

Json App::create_account(Account a, bool first_token) {
  Json out;
  store_.write([&](StoreWriter& tx) {
    if (!a.email.empty() && tx.accounts().account_by_email(a.email))
      throw ClientError(ErrorCode::kEmailTaken, "another account has this email", "email");
    std::vector<Id> agent_orgs = agent_organisations(a.memberships);
    if (!a.agent_id && !agent_orgs.empty()) {
      // An agent membership without an agenda: the person's agenda is made here.
      Agent agent;
      agent.name = a.name;
      agent.email = a.email;
      agent.phone = a.phone;
      agent.organisation_ids = agent_orgs;
      agent.ics_secret = new_token(random_);
      a.agent_id = tx.directory().insert_agent(agent);
    }
    a.status = a.email.empty() ? AccountStatus::kActive : AccountStatus::kInvited;
    a.created_at = clock_.now();
    a.id = tx.accounts().insert_account(a);
    out = account_json(a);
    if (!a.email.empty()) {
      std::string token = credentials_.issue_link(tx, a, LinkPurpose::kInvitation);
      // Without an SMTP server the administrator hands the link over.
      if (!options_.notifications.email)
        out["invitation_url"] = options_.public_url + kPasswordPage + "?token=" + token;
    }
    if (first_token)
      out["api_token"] = credentials_.create_token(tx, a.id, "first token", std::nullopt).token;
  });
  return out;
}

Json App::invite_account(const Staff& me, const Json& body) {
  if (!me.manages_people())
    throw ClientError(ErrorCode::kForbidden, "only administrators manage accounts");
  Fields f(body);
  Account a;
  a.name = f.text("name", 200);
  a.email = lower_ascii(checked_mailbox(f.text("email", 254), "email"));
  std::string phone = f.text_or("phone", "", 30);
  a.agent_id = f.opt_id("agent_id");
  std::string region;
  store_.read([&](StoreReader& s) {
    a.memberships = read_memberships(f, s, me);
    if (a.agent_id && !me.may_manage_agent(require_agent(s, *a.agent_id)))
      throw ClientError(ErrorCode::kForbidden, "you may not manage this agent", "agent_id");
    region = phone_region(s, a.memberships);
  });
  f.done();
  if (a.memberships.empty()) invalid_field("memberships", "must give at least one role");
  if (!phone.empty()) a.phone = checked_phone(phone, region, "phone");
  return create_account(a, false);
}

Json App::deactivate_account(const Staff& me, Id account_id) {
  Account a;
  store_.write([&](StoreWriter& tx) {
    a = managed_account(tx, me, account_id);
    if (a.id == me.account_id())
      throw ClientError(ErrorCode::kForbidden, "nobody deactivates their own account");
    credentials_.deactivate(tx, a);
  });
  return account_json(a);
}

Json App::resend_invitation(const Staff& me, Id account_id) {
  Json out;
  store_.write([&](StoreWriter& tx) {
    Account a = managed_account(tx, me, account_id);
    if (a.status != AccountStatus::kInvited || a.email.empty())
      throw ClientError(ErrorCode::kInvalidTransition,
                        "only invited accounts with an email get an invitation");
    std::string token = credentials_.issue_link(tx, a, LinkPurpose::kInvitation);
    out = account_json(a);
    if (!options_.notifications.email)
      out["invitation_url"] = options_.public_url + kPasswordPage + "?token=" + token;
  });
  return out;
}

void App::add_account_routes() {
  // Signing in and out.
  router_.add("POST", "/api/v1/auth/sign-in", [this](const HttpRequest& r, const PathParams&) {
    Json body = parse_json_object(r);
    Fields f(body);
    std::string email = f.text("email", 254);
    std::string password = f.text_or("password", "", 1024);
    f.done();
    NewSession s = credentials_.sign_in(email, password, client_address(r));
    Json out;
    store_.read([&](StoreReader& st) {
      if (auto a = st.accounts().account(s.session.account_id)) out = account_json(*a);
    });
    HttpResponse resp = json_response(200, out);
    resp.headers.emplace_back("Set-Cookie", session_cookie(s.token));
    return resp;
  });
  router_.add("POST", "/api/v1/auth/sign-out", [this](const HttpRequest& r, const PathParams&) {
    require_staff(r);
    if (r.session_id) credentials_.sign_out(*r.session_id);
    HttpResponse resp{204, "application/json", "", {}};
    resp.headers.emplace_back("Set-Cookie", session_cookie(""));
    return resp;
  });
  router_.add("POST", "/api/v1/auth/password", [this](const HttpRequest& r, const PathParams&) {
    Json body = parse_json_object(r);
    Fields f(body);
    std::string token = f.text("token", 200);
    std::string password = f.text_or("password", "", 1024);
    f.done();
    Id id = credentials_.set_password(token, password, client_address(r));
    return json_response(200, {{"account_id", id}});
  });
  router_.add("POST", "/api/v1/auth/password-reset",
              [this](const HttpRequest& r, const PathParams&) {
                if (auto limited = over_limit(reset_limiter_, r, "too many requests, retry later"))
                  return *limited;
                Json body = parse_json_object(r);
                Fields f(body);
                std::string email = f.text("email", 254);
                f.done();
                credentials_.request_reset(email, client_address(r));
                // The same answer whether or not an account has this address.
                return json_response(202, {{"status",
                                            "if an account has this address, a link "
                                            "to choose a new password was sent to it"}});
              });
  // One's own account and API tokens.
  router_.add("GET", "/api/v1/me", [this](const HttpRequest& r, const PathParams&) {
    const Staff& me = require_staff(r);
    Json out;
    store_.read([&](StoreReader& s) {
      if (auto a = s.accounts().account(me.account_id())) out = account_json(*a);
    });
    return json_response(200, out);
  });
  router_.add("GET", "/api/v1/me/tokens", [this](const HttpRequest& r, const PathParams&) {
    const Staff& me = require_staff(r);
    Json out = Json::array();
    store_.read([&](StoreReader& s) {
      for (const ApiToken& t : s.accounts().tokens_of(me.account_id()))
        out.push_back(token_json(t));
    });
    return json_response(200, out);
  });
  router_.add("POST", "/api/v1/me/tokens", [this](const HttpRequest& r, const PathParams&) {
    const Staff& me = require_staff(r);
    Json body = parse_json_object(r);
    Fields f(body);
    std::string name = f.text("name", 100);
    std::optional<Instant> expires = f.opt_instant("expires_at");
    f.done();
    if (expires && *expires <= clock_.now()) invalid_field("expires_at", "must be in the future");
    NewToken t;
    store_.write([&](StoreWriter& tx) {
      t = credentials_.create_token(tx, me.account_id(), name, expires);
    });
    Json out = token_json(t.info);
    out["token"] = t.token;  // shown once
    return json_response(201, out);
  });
  router_.add("DELETE", "/api/v1/me/tokens/{id}",
              [this](const HttpRequest& r, const PathParams& p) {
                const Staff& me = require_staff(r);
                Id id = p.id(0);
                store_.write([&](StoreWriter& tx) {
                  auto tokens = tx.accounts().tokens_of(me.account_id());
                  if (std::none_of(tokens.begin(), tokens.end(),
                                   [&](const ApiToken& t) { return t.id == id; }))
                    throw ClientError(ErrorCode::kNotFound, "token not found");
                  tx.accounts().revoke_token(id, clock_.now());
                });
                return HttpResponse{204, "application/json", "", {}};
              });

  // Territories: created by administrators; each administrator sees theirs.
  router_.add("POST", "/api/v1/territories", [this](const HttpRequest& r, const PathParams&) {
    require_admin(require_staff(r));
    Json body = parse_json_object(r);
    Fields f(body);
    Territory t;
    t.name = f.text("name", 200);
    f.done();
    t.created_at = clock_.now();
    store_.write([&](StoreWriter& tx) { t.id = tx.accounts().insert_territory(t); });
    return json_response(201, territory_json(t));
  });
  router_.add("GET", "/api/v1/territories", [this](const HttpRequest& r, const PathParams&) {
    const Staff& me = require_staff(r);
    Json out = Json::array();
    store_.read([&](StoreReader& s) {
      for (const Territory& t : s.accounts().territories())
        if (me.administers_territory(t.id)) out.push_back(territory_json(t));
    });
    return json_response(200, out);
  });
  router_.add("PUT", "/api/v1/organisations/{org}/territory",
              [this](const HttpRequest& r, const PathParams& p) {
                require_admin(require_staff(r));
                Id org = p.id(0);
                Json body = parse_json_object(r);
                Fields f(body);
                std::optional<Id> territory = f.opt_id("territory_id");
                f.done();
                Organisation o;
                store_.write([&](StoreWriter& tx) {
                  o = require_organisation(tx, org);
                  if (territory && !tx.accounts().territory(*territory))
                    invalid_field("territory_id", "no such territory");
                  tx.accounts().set_organisation_territory(org, territory);
                  o.territory_id = territory;
                });
                return json_response(200, to_json(o));
              });

  // Accounts, managed by administrators within what they administer.
  router_.add("POST", "/api/v1/accounts", [this](const HttpRequest& r, const PathParams&) {
    // Who asks, and may they, before what they send (as before the pages).
    const Staff& me = require_staff(r);
    if (!me.manages_people())
      throw ClientError(ErrorCode::kForbidden, "only administrators manage accounts");
    Json body = parse_json_object(r);
    return json_response(201, invite_account(me, body));
  });
  router_.add("GET", "/api/v1/accounts", [this](const HttpRequest& r, const PathParams&) {
    const Staff& me = require_staff(r);
    AccountFilter filter;
    filter.organisation_id = id_param(r, "organisation_id");
    filter.territory_id = id_param(r, "territory_id");
    if (const std::string* status = r.param("status")) {
      filter.status = parse_account_status(*status);
      if (!filter.status) invalid_field("status", "must be invited, active or deactivated");
    }
    filter.after_id = id_param(r, "after").value_or(0);
    filter.limit = static_cast<size_t>(int_param(r, "limit", 50, 1, 200));
    // Administrators of a part see that part only, and say which.
    bool allowed = me.is_admin() ||
                   (filter.organisation_id && me.administers(*filter.organisation_id)) ||
                   (filter.territory_id && me.administers_territory(*filter.territory_id));
    if (!allowed)
      throw ClientError(ErrorCode::kForbidden,
                        "name an organisation_id or territory_id that you administer");
    Json items = Json::array();
    Id last = 0;
    size_t count = 0;
    store_.read([&](StoreReader& s) {
      for (const Account& a : s.accounts().accounts(filter)) {
        items.push_back(account_json(a));
        last = a.id;
        ++count;
      }
    });
    Json out = {{"items", items}};
    out["next_after"] = count == filter.limit ? Json(last) : Json(nullptr);
    return json_response(200, out);
  });
  router_.add("GET", "/api/v1/accounts/{id}", [this](const HttpRequest& r, const PathParams& p) {
    const Staff& me = require_staff(r);
    Json out;
    store_.read([&](StoreReader& s) { out = account_json(managed_account(s, me, p.id(0))); });
    return json_response(200, out);
  });
  router_.add("PATCH", "/api/v1/accounts/{id}", [this](const HttpRequest& r, const PathParams& p) {
    const Staff& me = require_staff(r);
    Json body = parse_json_object(r);
    Account a;
    store_.write([&](StoreWriter& tx) {
      a = managed_account(tx, me, p.id(0));
      Fields f(body);
      if (auto name = f.opt_text("name", 200)) a.name = *name;
      if (body.contains("memberships")) {
        a.memberships = read_memberships(f, tx, me);
        if (a.memberships.empty()) invalid_field("memberships", "must give at least one role");
      }
      if (auto phone = f.opt_text("phone", 30))
        a.phone =
            phone->empty() ? "" : checked_phone(*phone, phone_region(tx, a.memberships), "phone");
      f.done();
      if (a.id == me.account_id() && body.contains("memberships"))
        throw ClientError(ErrorCode::kForbidden, "nobody changes their own rights", "memberships");
      tx.accounts().update_account(a);
    });
    return json_response(200, account_json(a));
  });
  router_.add("POST", "/api/v1/accounts/{id}/deactivate",
              [this](const HttpRequest& r, const PathParams& p) {
                return json_response(200, deactivate_account(require_staff(r), p.id(0)));
              });
  router_.add("POST", "/api/v1/accounts/{id}/invitation",
              [this](const HttpRequest& r, const PathParams& p) {
                return json_response(200, resend_invitation(require_staff(r), p.id(0)));
              });

  // The audit log, for the department's administrators.
  router_.add("GET", "/api/v1/audit", [this](const HttpRequest& r, const PathParams&) {
    require_admin(require_staff(r));
    AuditFilter filter;
    filter.account_id = id_param(r, "account_id");
    if (r.param("from")) filter.from = instant_param(r, "from", {});
    if (r.param("to")) filter.to = instant_param(r, "to", {});
    if (const std::string* action = r.param("action")) filter.action = action->substr(0, 40);
    if (const std::string* target = r.param("target")) filter.target = target->substr(0, 100);
    filter.before_id = id_param(r, "before").value_or(0);
    filter.limit = static_cast<size_t>(int_param(r, "limit", 100, 1, 500));
    Json items = Json::array();
    store_.read([&](StoreReader& s) {
      for (const AuditEntry& e : s.accounts().audit(filter))
        items.push_back({{"id", e.id},
                         {"at", format_rfc3339(e.at, audit_zone())},
                         {"account_id", e.account_id ? Json(*e.account_id) : Json(nullptr)},
                         {"address", e.address},
                         {"action", e.action},
                         {"route", e.route},
                         {"target", e.target},
                         {"outcome", e.outcome}});
    });
    Json out = {{"items", items}};
    out["next_before"] = items.size() == filter.limit ? items.back()["id"] : Json(nullptr);
    return json_response(200, out);
  });
}

}  // namespace rdv
