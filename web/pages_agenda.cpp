// An agent's own agenda beyond their openings: absences, the address of their
// feed, and the calendars they subscribe to (with how their last read went).
// The rules are the API's: create_absence, remove_absence, renew_feed, the
// calendar sync's subscribe and refresh.
#include <functional>

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

constexpr const char* kAbsences = "/espace/absences";
constexpr const char* kCalendars = "/espace/agendas";

std::string value_of(const std::map<std::string, std::string>& values, const char* name) {
  auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

// "du lundi 7 décembre à 9 h 00 au mardi 8 décembre à 12 h 00", shorter
// when both ends fall on one day or cover whole days.
std::string period_text(const RepeatingPeriod& p) {
  auto first_day = date::floor<date::days>(p.start);
  auto last_day = date::floor<date::days>(p.end - std::chrono::minutes{1});
  bool whole_days =
      p.start == LocalDateTime{first_day} && p.end == LocalDateTime{date::floor<date::days>(p.end)};
  if (whole_days)
    return first_day == last_day
               ? "le " + french_day(p.start)
               : "du " + french_day(p.start) + " au " + french_day(LocalDateTime{last_day});
  if (first_day == last_day)
    return "le " + french_day(p.start) + ", de " + french_time(p.start) + " à " +
           french_time(p.end);
  return "du " + french_day(p.start) + " à " + french_time(p.start) + " au " + french_day(p.end) +
         " à " + french_time(p.end);
}

// The signed-in agent, or nullopt (the page then sends them to sign in).
std::optional<Id> agent_of(const HttpRequest& r) {
  if (!r.staff) return std::nullopt;
  return r.staff->agent_id();
}

HttpResponse sign_in_first(const char* path) {
  return see_other(std::string("/connexion?next=") + url_encode(path));
}

}  // namespace

HttpResponse App::absences_page(const HttpRequest& r, int status,
                                const std::map<std::string, std::string>& values,
                                const std::vector<std::pair<std::string, std::string>>& errors) {
  auto agent_id = agent_of(r);
  if (!agent_id) return see_other("/espace");
  PageData d = form_errors(errors);
  store_.read([&](StoreReader& s) {
    Agent agent = require_agent(s, *agent_id);
    Instant now = clock_.now();
    list absences;
    for (const Absence& a : s.agenda().absences_of({agent.id}, kAllTime)) {
      // Past one-off absences are history: the page shows what is ahead.
      bool repeats = !a.period.rrule.empty();
      if (!repeats && to_instant(a.period.end, a.period.zone) <= now) continue;
      PageData item;
      item.set("id", std::to_string(a.id));
      item.set("when", period_text(a.period));
      item.set("weekly", repeats);
      set_text(item, "reason", a.reason);
      absences.push_back(item);
    }
    d.set("absences", absences);
    d.set("has_absences", !absences.empty());
  });
  for (const char* name : {"from", "from_time", "to", "to_time", "reason"})
    d.set(name, value_of(values, name));
  d.set("weekly_checked", value_of(values, "weekly") == "oui");
  d.set("added", r.param("ajoute") != nullptr);
  d.set("removed", r.param("retire") != nullptr);
  return form_page(r, status, "Mes absences", "absences", d);
}

HttpResponse App::calendars_page(const HttpRequest& r, int status, const std::string& url,
                                 const std::vector<std::pair<std::string, std::string>>& errors) {
  auto agent_id = agent_of(r);
  if (!agent_id) return see_other("/espace");
  PageData d = form_errors(errors);
  store_.read([&](StoreReader& s) {
    Agent agent = require_agent(s, *agent_id);
    Zone zone = agent_zone(s, agent);
    d.set("feed_url", feed_url(agent));
    list calendars;
    for (const ExternalCalendar& c : s.calendars().of_agent(agent.id)) {
      PageData item;
      item.set("id", std::to_string(c.id));
      item.set("url", c.url);
      item.set("availability", c.purpose == CalendarPurpose::kAvailability);
      set_text(item, "read_at", c.last_success_at ? french_moment(*c.last_success_at, zone) : "");
      // The technical detail is the administrators' (API); the agent reads
      // that it failed and what to check.
      item.set("failing", !c.last_error.empty());
      set_text(item, "warnings", c.warnings.empty() ? "" : std::to_string(c.warnings.size()));
      item.set("next_at", french_moment(c.next_fetch_at, zone));
      calendars.push_back(item);
    }
    d.set("calendars", calendars);
    d.set("has_calendars", !calendars.empty());
  });
  d.set("url", url);
  d.set("renewed", r.param("nouvelle-adresse") != nullptr);
  d.set("added", r.param("ajoute") != nullptr);
  d.set("refreshed", r.param("relu") != nullptr);
  d.set("removed", r.param("retire") != nullptr);
  return form_page(r, status, "Mes agendas", "calendars", d);
}

void App::add_agenda_pages() {
  // A form of the agent's own pages: its CSRF token checked, then `act` for
  // the signed-in agent (others are sent to their page).
  using AgentAction = std::function<HttpResponse(const HttpRequest&, const PathParams&, Id agent,
                                                 std::map<std::string, std::string>& form)>;
  auto agent_form = [this](AgentAction act) {
    return [this, act](const HttpRequest& r, const PathParams& p) {
      auto form = parse_query(r.body);
      if (!form_ok(r, form["csrf"])) return expired_form_page();
      auto agent_id = agent_of(r);
      if (!agent_id) return see_other("/espace");
      return act(r, p, *agent_id, form);
    };
  };

  router_.add("GET", kAbsences, [this](const HttpRequest& r, const PathParams&) {
    if (!r.staff) return sign_in_first(kAbsences);
    return absences_page(r, 200, {}, {});
  });

  router_.add(
      "POST", kAbsences,
      agent_form([this](const HttpRequest& r, const PathParams&, Id agent_id,
                        std::map<std::string, std::string>& form) {
        std::map<std::string, std::string> values;
        for (const char* name : {"from", "from_time", "to", "to_time", "weekly"})
          values[name] = form[name].substr(0, 40);
        values["reason"] = form["reason"].substr(0, 2000);  // the API says when it is too long
        std::vector<std::pair<std::string, std::string>> errors;
        auto from = parse_local_date(values["from"]);
        auto to = parse_local_date(values["to"].empty() ? values["from"] : values["to"]);
        if (!from) errors.push_back({"from", "Indiquez le premier jour d'absence."});
        if (!to) errors.push_back({"to", "Indiquez le dernier jour d'absence, ou laissez vide."});
        auto time_of = [&](const char* name) -> std::optional<std::string> {
          const std::string& t = values[name];
          if (t.empty()) return std::string();
          if (t.size() != 5 || t[2] != ':') return std::nullopt;
          return t;
        };
        auto from_time = time_of("from_time"), to_time = time_of("to_time");
        if (!from_time || !to_time)
          errors.push_back({"from_time", "Indiquez les heures comme 09:00, ou laissez vide."});
        if (!errors.empty()) return absences_page(r, 400, values, errors);
        // Without hours, whole days: from the first day's midnight to the one
        // after the last day.
        std::string start = values["from"] + "T" + (from_time->empty() ? "00:00" : *from_time);
        std::string end =
            to_time->empty()
                ? format_local(LocalDateTime{*to + date::days{1}}).substr(0, 10) + "T00:00"
                : format_local(LocalDateTime{*to}).substr(0, 10) + "T" + *to_time;
        Json body = {{"start", start}, {"end", end}, {"reason", values["reason"]}};
        if (values["weekly"] == "oui") body["rrule"] = "FREQ=WEEKLY";
        try {
          create_absence(agent_id, body);
        } catch (const ClientError& e) {
          if (e.field() == "reason")
            errors.push_back({"reason", "Le motif contient des caractères refusés."});
          else if (e.code() == ErrorCode::kNonexistentLocalTime)
            errors.push_back(
                {"from_time", "Cette heure n'existe pas ce jour-là (changement d'heure)."});
          else if (e.code() == ErrorCode::kInvalidTimeRange)
            errors.push_back(
                {"to", "La fin doit suivre le début, et une absence dure au plus un an."});
          else
            errors.push_back(
                {"from", "Cette absence ne peut pas être enregistrée : vérifiez les dates."});
          return absences_page(r, 400, values, errors);
        }
        return see_other(std::string(kAbsences) + "?ajoute=1");
      }));

  router_.add("POST", "/espace/absences/{id}/retirer",
              agent_form([this](const HttpRequest&, const PathParams& p, Id agent_id,
                                std::map<std::string, std::string>&) {
                remove_absence(agent_id, p.id(0));
                return see_other(std::string(kAbsences) + "?retire=1");
              }));

  router_.add("GET", kCalendars, [this](const HttpRequest& r, const PathParams&) {
    if (!r.staff) return sign_in_first(kCalendars);
    return calendars_page(r, 200, "", {});
  });

  router_.add("POST", "/espace/agendas/adresse",
              agent_form([this](const HttpRequest&, const PathParams&, Id agent_id,
                                std::map<std::string, std::string>&) {
                Agent agent;
                store_.read([&](StoreReader& s) { agent = require_agent(s, agent_id); });
                renew_feed(agent);
                return see_other(std::string(kCalendars) + "?nouvelle-adresse=1");
              }));

  router_.add(
      "POST", kCalendars,
      agent_form([this](const HttpRequest& r, const PathParams&, Id agent_id,
                        std::map<std::string, std::string>& form) {
        std::string url = form["url"].substr(0, 2000);
        auto purpose = form["purpose"] == "availability" ? CalendarPurpose::kAvailability
                                                         : CalendarPurpose::kBusy;
        if (url.empty())
          return calendars_page(r, 400, url, {{"url", "Indiquez l'adresse de votre agenda."}});
        try {
          sync_.subscribe(agent_id, url, purpose);
        } catch (const ClientError&) {
          return calendars_page(
              r, 400, url,
              {{"url",
                "Cette adresse ne peut pas être ajoutée : donnez l'adresse complète de l'agenda au "
                "format iCal (elle commence par https:// et finit souvent par .ics), joignable "
                "depuis "
                "Internet. Le nombre d'agendas suivis est limité : retirez-en un si besoin."}});
        }
        return see_other(std::string(kCalendars) + "?ajoute=1");
      }));

  router_.add("POST", "/espace/agendas/{id}/relire",
              agent_form([this](const HttpRequest&, const PathParams& p, Id agent_id,
                                std::map<std::string, std::string>&) {
                store_.read([&](StoreReader& s) { own_calendar(s, agent_id, p.id(0)); });
                sync_.refresh(p.id(0));
                return see_other(std::string(kCalendars) + "?relu=1");
              }));

  router_.add("POST", "/espace/agendas/{id}/retirer",
              agent_form([this](const HttpRequest&, const PathParams& p, Id agent_id,
                                std::map<std::string, std::string>&) {
                remove_calendar(agent_id, p.id(0));
                return see_other(std::string(kCalendars) + "?retire=1");
              }));
}

}  // namespace rdv
