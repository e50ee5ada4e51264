// The statistics page of observers and administrators: per organisation and
// service, how many bookings were made over a period, by status and by
// channel, and the survey results. Counts only: nobody's name, contact or
// notes. The numbers are those of GET /api/v1/organisations/{org}/stats.
#include "app.h"
#include "auth.h"
#include "domain/french_dates.h"
#include "domain/time.h"
#include "net/url.h"
#include "pages_admin.h"

namespace rdv {
namespace {

using kainjow::mustache::list;

constexpr const char* kStatsPath = "/espace/statistiques";
constexpr size_t kMaxOrganisations = 50;  // one page; narrow it with the organisation field

std::string count(const Json& j, const char* group, const char* name) {
  return std::to_string(j[group][name].get<int>());
}

// A line of counts of the page: by status, by channel.
PageData count_line(const std::string& label, const Json& bookings) {
  PageData d;
  d.set("label", label);
  d.set("total", std::to_string(bookings["total"].get<int>()));
  d.set("confirmed", count(bookings, "by_status", "confirmed"));
  d.set("cancelled", count(bookings, "by_status", "cancelled"));
  d.set("done", count(bookings, "by_status", "done"));
  d.set("noshow", count(bookings, "by_status", "noshow"));
  d.set("resident", count(bookings, "by_channel", "resident"));
  d.set("desk", count(bookings, "by_channel", "desk"));
  d.set("agent", count(bookings, "by_channel", "agent"));
  return d;
}

}  // namespace

HttpResponse App::statistics_page(const HttpRequest& r) {
  if (!r.staff) return see_other("/connexion?next=%2Fespace%2Fstatistiques");
  const Staff& me = *r.staff;
  std::vector<Organisation> orgs;
  store_.read([&](StoreReader& s) { orgs = observed_organisations(s, me); });
  if (orgs.empty()) throw ClientError(ErrorCode::kForbidden, "observers and administrators only");

  // The period: days from `du` to `au` included, the last 30 days by default.
  std::string chosen = r.param("organisation") ? r.param("organisation")->substr(0, 20) : "";
  Zone form_zone = zone_named(orgs.front().timezone);
  auto today = date::floor<date::days>(to_local(clock_.now(), form_zone));
  std::string du = r.param("du") ? r.param("du")->substr(0, 20) : "";
  std::string au = r.param("au") ? r.param("au")->substr(0, 20) : "";
  auto to_day = au.empty() ? std::optional(today) : parse_local_date(au);
  auto from_day = du.empty() ? std::optional(today - date::days{30}) : parse_local_date(du);
  FormErrors errors;
  if (!from_day) errors.push_back({"du", "Indiquez la date de début, comme 2026-01-31."});
  if (!to_day) errors.push_back({"au", "Indiquez la date de fin, comme 2026-02-28."});
  if (du.empty() && from_day) du = format_local(LocalDateTime{*from_day}).substr(0, 10);
  if (au.empty() && to_day) au = format_local(LocalDateTime{*to_day}).substr(0, 10);

  bool truncated = false;
  list org_items, choices;
  for (const Organisation& o : orgs) {
    PageData c;
    c.set("id", std::to_string(o.id));
    c.set("name", o.name);
    c.set("selected", chosen == std::to_string(o.id));
    choices.push_back(c);
  }
  for (const Organisation& o : orgs) {
    if (!errors.empty()) break;
    if (!chosen.empty() && chosen != std::to_string(o.id)) continue;
    if (org_items.size() == kMaxOrganisations) {
      truncated = true;
      break;
    }
    Zone zone = zone_named(o.timezone);
    TimeRange made{to_instant(LocalDateTime{*from_day}, zone),
                   to_instant(LocalDateTime{*to_day + date::days{1}}, zone)};
    Json stats;
    try {
      stats = organisation_stats(o.id, made);
    } catch (const ClientError& e) {
      errors.push_back({e.field() == "from" ? "du" : "au",
                        e.field() == "from"
                            ? "Choisissez une période de cinq ans au plus."
                            : "La date de fin doit suivre la date de début, ou être la même."});
      break;
    }
    PageData od;
    od.set("name", o.name);
    od.set("id", std::to_string(o.id));
    list lines, surveys;
    for (const Json& sv : stats["services"]) {
      std::string name = sv["service"].get<std::string>();
      lines.push_back(count_line(name, sv["bookings"]));
      const Json& survey = sv["survey"];
      if (survey["answers"].get<int>() == 0) continue;
      PageData sd;
      sd.set("service", name);
      sd.set("answers", std::to_string(survey["answers"].get<int>()));
      sd.set("rating", french_rating(survey["average_rating"].get<double>()));
      sd.set("solved", french_share(survey["solved_rate"].get<double>()));
      surveys.push_back(sd);
    }
    od.set("lines", lines);
    od.set("has_lines", !lines.empty());
    od.set("totals", count_line("Total", stats["totals"]));
    od.set("surveys", surveys);
    od.set("has_surveys", !surveys.empty());
    org_items.push_back(od);
  }
  PageData page_data = form_errors(errors);
  page_data.set("organisations", org_items);
  page_data.set("choices", choices);
  page_data.set("several", orgs.size() > 1);
  page_data.set("all_selected", chosen.empty());
  page_data.set("du", du);
  page_data.set("au", au);
  if (errors.empty() && from_day && to_day)
    page_data.set("period",
                  "du " + french_date(to_instant(LocalDateTime{*from_day}, form_zone), form_zone) +
                      " au " +
                      french_date(to_instant(LocalDateTime{*to_day}, form_zone), form_zone));
  page_data.set("truncated", truncated);
  return render_page(errors.empty() ? 200 : 400, "Statistiques", "admin_stats", page_data);
}

void App::add_statistics_pages() {
  router_.add("GET", kStatsPath,
              [this](const HttpRequest& r, const PathParams&) { return statistics_page(r); });
}

}  // namespace rdv
