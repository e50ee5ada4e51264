// Pages for staff: signing in and out (password, or the single sign-on
// provider when one is configured), a forgotten password, and the agent's
// week. Credentials and rights are the API's own (Credentials, Staff).
#include <map>

#include "app.h"
#include "auth.h"
#include "csrf.h"
#include "domain/error.h"
#include "domain/french_dates.h"
#include "net/url.h"
#include "render.h"
#include "storage/require.h"

namespace rdv {
namespace {

using kainjow::mustache::list;

constexpr const char* kStaffHome = "/espace";

std::string role_label(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "administrateur du département";
    case Role::kTerritoryAdmin:
      return "administrateur de territoire";
    case Role::kOrgAdmin:
      return "administrateur";
    case Role::kAgent:
      return "agent";
    case Role::kDesk:
      return "accueil France Services";
    case Role::kObserver:
      return "observateur";
  }
  return "";
}

// A path of ours to go back to after signing in ("/espace" otherwise).
std::string local_next(const std::string& next) {
  if (next.empty() || next[0] != '/' || (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) ||
      next.find_first_of("\r\n\t\\ ") != std::string::npos || next.size() > 500)
    return kStaffHome;
  return next;
}

HttpResponse see_other(const std::string& location) {
  return {303, "text/plain", "", {{"Location", location}}};
}

}  // namespace

HttpResponse App::sign_in_page(const HttpRequest& r, int status, const std::string& email,
                               const std::string& next, const std::string& problem) {
  PageData d;
  CsrfToken csrf = csrf_token(r, links_, random_, options_.public_url.rfind("https://", 0) == 0);
  d.set("csrf", csrf.field);
  d.set("email", email);
  d.set("next", local_next(next));
  if (!problem.empty()) d.set("problem", problem);
  if (r.param("sortie")) d.set("notice", "Vous êtes déconnecté.");
  if (sso_) {
    d.set("sso", true);
    d.set("sso_url", "/api/v1/auth/oidc?next=" + url_encode(local_next(next)));
  }
  HttpResponse page = render_page(status, "Connexion", "signin", d);
  if (!csrf.set_cookie.empty()) page.headers.emplace_back("Set-Cookie", csrf.set_cookie);
  return page;
}

void App::add_staff_pages() {
  router_.add("GET", "/connexion", [this](const HttpRequest& r, const PathParams&) {
    std::string next = r.param("next") ? *r.param("next") : "";
    if (r.staff) return see_other(local_next(next));
    return sign_in_page(r, 200, "", next, "");
  });

  router_.add("POST", "/connexion", [this](const HttpRequest& r, const PathParams&) {
    auto form = parse_query(r.body);
    std::string email = form["email"].substr(0, 254), next = form["next"];
    if (!csrf_ok(r, form["csrf"], links_) || !same_site(r)) return expired_form_page();
    try {
      NewSession s =
          credentials_.sign_in(email, form["password"].substr(0, 1024), client_address(r));
      HttpResponse go = see_other(local_next(next));
      go.headers.emplace_back("Set-Cookie", session_cookie(s.token));
      return go;
    } catch (const TooManyAttempts& e) {
      HttpResponse page =
          sign_in_page(r, 429, email, next,
                       "Trop d'essais ont échoué. Réessayez dans " + std::to_string(e.retry_after) +
                           " secondes, ou demandez un nouveau mot de passe.");
      page.headers.emplace_back("Retry-After", std::to_string(e.retry_after));
      return page;
    } catch (const ClientError&) {
      return sign_in_page(r, 401, email, next, "Adresse électronique ou mot de passe incorrect.");
    }
  });

  router_.add("POST", "/deconnexion", [this](const HttpRequest& r, const PathParams&) {
    auto form = parse_query(r.body);
    if (!csrf_ok(r, form["csrf"], links_) || !same_site(r)) return expired_form_page();
    if (r.session_id) credentials_.sign_out(*r.session_id);
    HttpResponse go = see_other("/connexion?sortie=1");
    go.headers.emplace_back("Set-Cookie", session_cookie(""));
    return go;
  });

  router_.add("GET", "/mot-de-passe-oublie", [this](const HttpRequest& r, const PathParams&) {
    PageData d;
    CsrfToken csrf = csrf_token(r, links_, random_, options_.public_url.rfind("https://", 0) == 0);
    d.set("csrf", csrf.field);
    d.set("sent", false);
    HttpResponse page = render_page(200, "Mot de passe oublié", "forgot", d);
    if (!csrf.set_cookie.empty()) page.headers.emplace_back("Set-Cookie", csrf.set_cookie);
    return page;
  });

  router_.add("POST", "/mot-de-passe-oublie", [this](const HttpRequest& r, const PathParams&) {
    auto form = parse_query(r.body);
    if (!csrf_ok(r, form["csrf"], links_) || !same_site(r)) return expired_form_page();
    if (auto limited = over_limit(reset_limiter_, r, "too many requests"))
      return error_page(*limited);
    // The same answer whether the address has an account or not.
    credentials_.request_reset(form["email"].substr(0, 254), client_address(r));
    PageData d;
    d.set("sent", true);
    return render_page(200, "Mot de passe oublié", "forgot", d);
  });

  // The staff member's page: who they are, and an agent's week.
  router_.add("GET", kStaffHome, [this](const HttpRequest& r, const PathParams&) {
    if (!r.staff) return see_other("/connexion?next=" + url_encode(kStaffHome));
    const Staff& me = *r.staff;
    PageData d;
    store_.read([&](StoreReader& s) {
      auto account = s.accounts().account(me.account_id());
      d.set("name", account ? account->name : "");
      std::string roles;
      for (const Membership& m : account ? account->memberships : std::vector<Membership>{}) {
        std::string where;
        if (m.organisation_id)
          if (auto o = s.organisation(*m.organisation_id)) where = " – " + o->name;
        roles += (roles.empty() ? "" : ", ") + role_label(m.role) + where;
        if (m.role == Role::kDesk) d.set("desk", true);
      }
      d.set("roles", roles);
      if (!account || !account->agent_id) return;
      Agent agent = require_agent(s, *account->agent_id);
      Zone zone = agent_zone(s, agent);
      auto today = date::floor<date::days>(to_local(clock_.now(), zone));
      auto monday = today - (date::weekday{today} - date::Monday);
      if (auto asked = parse_local_date(r.param("semaine") ? *r.param("semaine") : ""))
        monday = *asked - (date::weekday{*asked} - date::Monday);
      TimeRange week{to_instant(LocalDateTime{monday}, zone),
                     to_instant(LocalDateTime{monday + date::days{7}}, zone)};
      std::map<std::string, std::pair<std::string, list>> days;
      std::map<Id, std::string> service_names;
      for (const Booking& b : s.agent_bookings(agent.id, week, true)) {
        LocalDateTime local = to_local(b.start, zone);
        auto& day = days[format_local(local).substr(0, 10)];
        day.first = french_day(local);
        if (!service_names.count(b.service_id)) {
          auto svc = s.service(b.service_id);
          service_names[b.service_id] = svc ? svc->name : "";
        }
        PageData item;
        item.set("time", french_time(local));
        item.set("service", service_names[b.service_id]);
        item.set("resident", b.resident.first_name + " " + b.resident.last_name);
        item.set("mode", std::string(b.mode == Mode::kInPerson ? "sur place"
                                     : b.mode == Mode::kPhone  ? "téléphone"
                                                               : "visio"));
        item.set("cancelled", b.status == BookingStatus::kCancelled);
        day.second.push_back(item);
      }
      list day_list;
      for (auto& [key, day] : days) {
        PageData entry;
        entry.set("key", key);
        entry.set("label", day.first);
        entry.set("bookings", day.second);
        day_list.push_back(entry);
      }
      d.set("agent", true);
      d.set("days", day_list);
      d.set("has_days", !days.empty());
      d.set("week_from", french_day(LocalDateTime{monday}));
      d.set("week_to", french_day(LocalDateTime{monday + date::days{6}}));
      auto week_url = [](date::local_days m) {
        return std::string(kStaffHome) + "?semaine=" + format_local(LocalDateTime{m}).substr(0, 10);
      };
      d.set("previous_url", week_url(monday - date::days{7}));
      d.set("next_url", week_url(monday + date::days{7}));
    });
    CsrfToken csrf = csrf_token(r, links_, random_, options_.public_url.rfind("https://", 0) == 0);
    d.set("csrf", csrf.field);
    HttpResponse page = render_page(200, "Mon espace", "staff_home", d);
    if (!csrf.set_cookie.empty()) page.headers.emplace_back("Set-Cookie", csrf.set_cookie);
    return page;
  });
}

}  // namespace rdv
