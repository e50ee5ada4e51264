#include "render.h"

#include <map>
#include <stdexcept>

#include "domain/french_dates.h"
#include "storage/require.h"

namespace rdv {

const std::map<std::string, std::string>& web_assets();  // generated

namespace {

const std::string& template_text(const std::string& name) {
  auto it = web_assets().find("templates/" + name + ".mustache");
  if (it == web_assets().end()) throw std::logic_error("no template " + name);
  return it->second;
}

}  // namespace

std::string render_template(const std::string& name, const PageData& data) {
  kainjow::mustache::mustache tmpl(template_text(name));
  if (!tmpl.is_valid()) throw std::logic_error("template " + name + ": " + tmpl.error_message());
  // Templates named _something are the partials ({{> _errors}}).
  PageData with_partials = data;
  for (const auto& [path, text] : web_assets()) {
    const std::string prefix = "templates/_", suffix = ".mustache";
    if (path.rfind(prefix, 0) != 0) continue;
    std::string partial = path.substr(10, path.size() - 10 - suffix.size());
    const std::string* body = &text;
    with_partials.set(partial, kainjow::mustache::partial([body] { return *body; }));
  }
  std::string out = tmpl.render(with_partials);
  if (!tmpl.is_valid()) throw std::logic_error("template " + name + ": " + tmpl.error_message());
  return out;
}

HttpResponse render_page(int status, const std::string& title, const std::string& name,
                         PageData data) {
  data.set("title", title);
  // A form sent back with mistakes says so first (screen readers read the title).
  data.set("error_title", status == 400);
  PageData layout = data;
  layout.set("content", render_template(name, data));
  return {status, "text/html; charset=utf-8", render_template("layout", layout), {}};
}

PageData form_errors(const std::vector<std::pair<std::string, std::string>>& errors) {
  PageData d;
  kainjow::mustache::list items;
  for (const auto& [field, message] : errors) {
    PageData e;
    e.set("field", field);
    e.set("message", message);
    items.push_back(e);
    d.set(field + "_error", message);
  }
  d.set("errors", items);
  d.set("has_errors", !errors.empty());
  d.set("error_count_text", errors.size() == 1 ? std::string("une erreur")
                                               : std::to_string(errors.size()) + " erreurs");
  return d;
}

void DayGroups::add(LocalDateTime day, PageData item) {
  auto& entry = days_[format_local(day).substr(0, 10)];
  if (entry.first.empty()) entry.first = french_day(day);
  entry.second.push_back(std::move(item));
}

kainjow::mustache::list DayGroups::days(const std::string& items_name) const {
  kainjow::mustache::list out;
  for (const auto& [key, day] : days_) {
    PageData entry;
    entry.set("key", key);
    entry.set("label", day.first);
    entry.set(items_name, day.second);
    out.push_back(entry);
  }
  return out;
}

void set_text(PageData& d, const std::string& name, const std::string& value) {
  if (value.empty())
    d.set(name, false);
  else
    d.set(name, value);
}

BookingContext set_booking_facts(PageData& d, StoreReader& s, const Booking& b) {
  BookingContext c{require_service(s, b.service_id), std::nullopt, s.place(b.place_id), nullptr};
  c.organisation = s.organisation(c.service.organisation_id);
  c.zone = date::locate_zone(c.place ? c.place->timezone : "Europe/Paris");
  d.set("service", c.service.name);
  set_text(d, "organisation", c.organisation ? c.organisation->name : "");
  d.set("when", french_moment(b.start, c.zone));
  set_text(d, "zone", zone_label(c.zone));
  d.set("mode", mode_label(b.mode));
  set_text(d, "place", b.mode == Mode::kInPerson && c.place ? place_line(*c.place) : "");
  d.set("resident", b.resident.first_name + " " + b.resident.last_name);
  kainjow::mustache::list docs;
  for (const auto& doc : c.service.documents_to_bring) docs.push_back(doc);
  d.set("documents", docs);
  d.set("has_documents", !c.service.documents_to_bring.empty());
  return c;
}

HttpResponse message_page(int status, const std::string& title, std::vector<std::string> lines,
                          const std::string& link_url, const std::string& link_text) {
  PageData d;
  kainjow::mustache::list paragraphs;
  for (auto& l : lines) paragraphs.push_back(l);
  d.set("paragraphs", paragraphs);
  if (!link_url.empty()) {
    d.set("link_url", link_url);
    d.set("link_text", link_text);
  }
  return render_page(status, title, "message", d);
}

HttpResponse with_cookie(HttpResponse r, const std::string& cookie) {
  if (!cookie.empty()) r.headers.emplace_back("Set-Cookie", cookie);
  return r;
}

std::string param(const HttpRequest& r, const char* name) {
  const std::string* v = r.param(name);
  return v ? v->substr(0, 500) : "";
}

// "2026-12-08" of a local date.
std::string day_key(LocalDateTime t) { return format_local(t).substr(0, 10); }

// The first day shown: ?semaine=YYYY-MM-DD, not before today.
date::local_days first_day(const HttpRequest& r, Instant now, Zone zone) {
  auto today = date::floor<date::days>(to_local(now, zone));
  if (auto d = parse_local_date(param(r, "semaine")); d && *d > today) return *d;
  return today;
}

std::string role_label(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "administrateur du département";
    case Role::kTerritoryAdmin:
      return "administrateur de territoire";
    case Role::kOrgAdmin:
      return "administrateur de l'organisation";
    case Role::kAgent:
      return "agent";
    case Role::kDesk:
      return "accueil France Services";
    case Role::kObserver:
      return "observateur (statistiques)";
  }
  return "";
}

HttpResponse see_other(const std::string& location) {
  return {303, "text/plain", "", {{"Location", location}}};
}

std::string mode_label(Mode m) {
  switch (m) {
    case Mode::kInPerson:
      return "Sur place";
    case Mode::kPhone:
      return "Par téléphone";
    case Mode::kVideo:
      return "En visio";
  }
  return "";
}

const std::string* static_asset(const std::string& name) {
  auto it = web_assets().find("static/" + name);
  return it == web_assets().end() ? nullptr : &it->second;
}

}  // namespace rdv
