// Pages for signed-in staff: their page (an agent's week, a desk's bookings),
// a booking's details, its outcome and summary, its printed confirmation and
// move, and the agent's openings. Rights are the API's own (Staff).
#include <algorithm>
#include <map>

#include "accounts/credentials.h"
#include "app.h"
#include "auth.h"
#include "booking/lifecycle.h"
#include "booking/mandate.h"
#include "calendar/recurrence.h"
#include "crypto/link_tokens.h"
#include "csrf.h"
#include "domain/error.h"
#include "domain/french_dates.h"
#include "domain/text.h"
#include "net/url.h"
#include "render.h"
#include "storage/require.h"

namespace rdv {
namespace {

using kainjow::mustache::list;

constexpr const char* kStaffHome = "/espace";

// One entry of an agent's week, in time order within its day.
struct WeekEntry {
  Instant start, end;
  PageData item;
};

// The agent's week day by day: bookings (a group session as one entry with
// its seats taken), the opening hours, absences and busy time from their
// own calendars.
kainjow::mustache::list agent_week(StoreReader& s, const Agent& agent, TimeRange week, Zone zone,
                                   const CalendarSync& sync) {
  std::vector<WeekEntry> entries;
  auto entry = [&](Instant start, Instant end, const char* kind, const std::string& what) {
    PageData item;
    item.set("time", french_time(to_local(start, zone)) + " – " + french_time(to_local(end, zone)));
    item.set("kind", std::string(kind));
    set_text(item, "what", what);
    set_text(item, "url", "");
    set_text(item, "detail", "");
    item.set("cancelled", false);
    entries.push_back({start, end, item});
    return &entries.back().item;
  };
  std::map<Id, std::optional<Service>> services;
  auto service = [&](Id id) -> const std::optional<Service>& {
    if (!services.count(id)) services[id] = s.service(id);
    return services[id];
  };
  // Group sessions: the bookings of a service with several seats at one time.
  std::map<std::pair<Id, Instant>, std::vector<std::string>> sessions;
  for (const Booking& b : s.bookings().of_agent(agent.id, week, true)) {
    const auto& svc = service(b.service_id);
    std::string name = svc ? svc->name : "";
    std::string person = b.resident.first_name + " " + b.resident.last_name;
    if (svc && svc->capacity > 1) {
      if (b.status != BookingStatus::kCancelled)
        sessions[{b.service_id, b.start}].push_back(person);
      continue;
    }
    PageData* item = entry(b.start, b.end, "Rendez-vous", name + " – " + person);
    item->set("url", "/espace/rendez-vous/" + std::to_string(b.id));
    item->set("detail", mode_label(b.mode));
    item->set("cancelled", b.status == BookingStatus::kCancelled);
  }
  for (const auto& [key, people] : sessions) {
    const Service& svc = *service(key.first);
    std::string names;
    for (const auto& p : people) names += (names.empty() ? "" : ", ") + p;
    PageData* item = entry(key.second, key.second + std::chrono::minutes{svc.duration_minutes},
                           "Atelier", svc.name);
    item->set("detail", std::to_string(people.size()) + " inscrit(s) sur " +
                            std::to_string(svc.capacity) + " places : " + names);
  }
  for (const Opening& o : s.agenda().agent_openings(agent.id, week)) {
    auto place = s.place(o.place_id);
    for (const TimeRange& t : occurrences(o.period, week))
      entry(t.start, t.end, "Créneau ouvert", place ? place->name : "");
  }
  for (const Absence& a : s.agenda().absences_of({agent.id}, week))
    for (const TimeRange& t : occurrences(a.period, week))
      entry(t.start, t.end, "Absence", a.reason);
  for (const BusyInterval& b : sync.busy(s, agent.id, week))
    if (b.source == "calendar") entry(b.range.start, b.range.end, "Occupé", "mon agenda");
  std::stable_sort(entries.begin(), entries.end(),
                   [](const WeekEntry& a, const WeekEntry& b) { return a.start < b.start; });
  DayGroups days;
  for (auto& e : entries) days.add(to_local(e.start, zone), std::move(e.item));
  return days.days("entries");
}

}  // namespace

void App::add_staff_pages() {
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
        // Administrators and observers: their organisations and statistics.
        if (m.role != Role::kAgent && m.role != Role::kDesk) d.set("administers", true);
      }
      // A desk's coming bookings that it may still act on (mandate in force).
      BookingFilter made;
      made.booked_by_account_id = me.account_id();
      made.status = BookingStatus::kConfirmed;
      made.from = clock_.now();
      made.limit = 50;
      list made_list;
      for (const Booking& b : s.bookings().list(made)) {
        if (!may_manage_booking(s, me, b, clock_.now())) continue;
        auto service = s.service(b.service_id);
        auto place = s.place(b.place_id);
        PageData item;
        item.set("id", std::to_string(b.id));
        item.set("when", french_moment(
                             b.start, date::locate_zone(place ? place->timezone : "Europe/Paris")));
        item.set("service", service ? service->name : "");
        item.set("resident", b.resident.first_name + " " + b.resident.last_name);
        made_list.push_back(item);
      }
      d.set("has_made", !made_list.empty());
      d.set("made", made_list);
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
      d.set("days", agent_week(s, agent, week, zone, sync_));
      d.set("agent", true);
      d.set("week_from", french_day(LocalDateTime{monday}));
      d.set("week_to", french_day(LocalDateTime{monday + date::days{6}}));
      auto week_url = [](date::local_days m) {
        return std::string(kStaffHome) + "?semaine=" + format_local(LocalDateTime{m}).substr(0, 10);
      };
      d.set("previous_url", week_url(monday - date::days{7}));
      d.set("next_url", week_url(monday + date::days{7}));
    });
    if (r.param("reserve")) d.set("booked", true);
    if (r.param("annule")) d.set("cancelled_one", true);
    return form_page(r, 200, "Mon espace", "staff_home", d);
  });
}

// The agent's openings, and the form to open one (one-off or weekly).
HttpResponse App::openings_page(const HttpRequest& r, int status,
                                const std::map<std::string, std::string>& values,
                                const std::vector<std::string>& chosen_services,
                                const std::vector<std::string>& chosen_modes,
                                const std::vector<std::pair<std::string, std::string>>& errors) {
  if (!r.staff || !r.staff->agent_id()) return see_other(kStaffHome);
  PageData d = form_errors(errors);
  auto value = [&](const char* name) {
    auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  };
  auto chosen = [](const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  store_.read([&](StoreReader& s) {
    Agent agent = require_agent(s, *r.staff->agent_id());
    std::map<Id, std::string> place_names, service_names;
    list places, services;
    for (const Place& p : s.directory().places_of(agent.organisation_ids)) {
      place_names[p.id] = p.name;
      PageData pd;
      pd.set("id", std::to_string(p.id));
      pd.set("name", p.name + (p.city.empty() ? "" : ", " + p.city));
      pd.set("selected", value("place") == std::to_string(p.id));
      places.push_back(pd);
    }
    for (const Service& sv : s.directory().services_of(agent.organisation_ids)) {
      service_names[sv.id] = sv.name;
      PageData sd;
      sd.set("id", std::to_string(sv.id));
      sd.set("name", sv.name);
      sd.set("group", sv.capacity > 1);
      sd.set("capacity", std::to_string(sv.capacity));
      sd.set("checked", chosen(chosen_services, std::to_string(sv.id)));
      services.push_back(sd);
    }
    d.set("places", places);
    d.set("services", services);
    list openings;
    for (const Opening& o : s.agenda().agent_openings(agent.id, kAllTime)) {
      PageData od;
      od.set("id", std::to_string(o.id));
      od.set("when", french_day(o.period.start) + ", " + french_time(o.period.start) + " – " +
                         french_time(o.period.end));
      od.set("weekly", o.period.rrule.rfind("FREQ=WEEKLY", 0) == 0);
      std::string names;
      for (Id id : o.service_ids) names += (names.empty() ? "" : ", ") + service_names[id];
      od.set("services", names);
      od.set("place", place_names[o.place_id]);
      std::string modes;
      for (Mode m : o.modes.list()) modes += (modes.empty() ? "" : ", ") + mode_label(m);
      od.set("modes", modes);
      openings.push_back(od);
    }
    d.set("openings", openings);
    d.set("has_openings", !openings.empty());
  });
  list modes;
  for (Mode m : {Mode::kInPerson, Mode::kPhone, Mode::kVideo}) {
    PageData md;
    md.set("value", std::string(mode_name(m)));
    md.set("label", mode_label(m));
    md.set("checked", chosen(chosen_modes, std::string(mode_name(m))));
    modes.push_back(md);
  }
  d.set("modes", modes);
  d.set("day", value("day"));
  d.set("start", value("start"));
  d.set("end", value("end"));
  d.set("weekly_checked", value("weekly") == "oui");
  d.set("added", r.param("ajoute") != nullptr);
  d.set("removed", r.param("retire") != nullptr);
  d.set("outside", r.param("hors") != nullptr);
  return form_page(r, status, "Mes créneaux", "openings", d);
}

// A booking as its agent (or who may act on it) sees it: the person's
// contact, and once the visit has started, its outcome and summary.
HttpResponse App::staff_booking_page(const HttpRequest& r, Id id, const std::string& notice) {
  if (!r.staff) return see_other("/connexion?next=%2Fespace");
  PageData d;
  store_.read([&](StoreReader& s) {
    Booking b = require_booking(s, id);
    if (!may_manage_booking(s, *r.staff, b, clock_.now()))
      throw ClientError(ErrorCode::kForbidden, "not this person's booking");
    Service service = set_booking_facts(d, s, b).service;
    set_text(d, "email", b.resident.email);
    set_text(d, "phone", b.resident.phone);
    set_text(d, "notes", b.notes);
    if (auto m = Mandate::from_json(b.mandate_json))
      d.set("mandate", std::string("accord ") + (m->kind == "written" ? "écrit" : "oral") +
                           (m->withdrawn_at ? ", retiré" : ""));
    static const std::map<BookingStatus, const char*> statuses = {
        {BookingStatus::kConfirmed, "Confirmé"},
        {BookingStatus::kCancelled, "Annulé"},
        {BookingStatus::kDone, "Fait"},
        {BookingStatus::kNoShow, "Personne absente"}};
    d.set("status", statuses.at(b.status));
    set_text(d, "summary", b.summary);
    // What the life cycle allows now (booking/lifecycle.h).
    auto allowed = [&](BookingAction action) {
      return allows(b, service, action, Actor::kStaff, clock_.now());
    };
    d.set("can_move", allowed(BookingAction::kReschedule));
    d.set("can_cancel", allowed(BookingAction::kCancel));
    d.set("confirmed", b.status == BookingStatus::kConfirmed);
    bool can_mark = allowed(BookingAction::kMarkDone) || allowed(BookingAction::kMarkNoShow);
    bool can_summarise = allowed(BookingAction::kRecordSummary);
    d.set("can_record", can_mark || can_summarise);
    d.set("can_mark", can_mark);
    d.set("can_summarise", can_summarise);
  });
  if (!notice.empty()) d.set("done_notice", notice);
  d.set("action", "/espace/rendez-vous/" + std::to_string(id));
  return form_page(r, 200, "Rendez-vous", "staff_booking", d);
}

void App::add_agent_pages() {
  router_.add("GET", "/espace/rendez-vous/{id}", [this](const HttpRequest& r, const PathParams& p) {
    std::string notice = r.param("fait")      ? "Le compte rendu est enregistré et envoyé."
                         : r.param("statut")  ? "L'issue du rendez-vous est enregistrée."
                         : r.param("deplace") ? "Le rendez-vous est déplacé ; la personne en est "
                                                "prévenue."
                                              : "";
    return staff_booking_page(r, p.id(0), notice);
  });
  // After the visit: came or not, and the written summary (the core's life cycle).
  auto acting_on = [this](const HttpRequest& r, Id id) {
    store_.read([&](StoreReader& s) {
      if (!r.staff || !may_manage_booking(s, *r.staff, require_booking(s, id), clock_.now()))
        throw ClientError(ErrorCode::kForbidden, "not this person's booking");
    });
  };
  // The confirmation to hand to a visitor, on paper: what, when, where, what
  // to bring, and the address of the page to move or cancel it.
  router_.add("GET", "/espace/rendez-vous/{id}/confirmation",
              [this, acting_on](const HttpRequest& r, const PathParams& p) {
                if (!r.staff) return see_other("/connexion?next=%2Fespace");
                Id id = p.id(0);
                acting_on(r, id);
                PageData d;
                store_.read([&](StoreReader& s) {
                  Booking b = require_booking(s, id);
                  set_booking_facts(d, s, b);
                  d.set("cancelled", b.status == BookingStatus::kCancelled);
                  // Not the visitor's manage link: with it one acts as the resident,
                  // for good (it cannot be revoked). It reaches them by email or SMS.
                  set_text(d, "contact",
                           !b.resident.email.empty()   ? "par courriel"
                           : !b.resident.phone.empty() ? "par SMS"
                                                       : "");
                });
                d.set("back_url", "/espace/rendez-vous/" + std::to_string(id));
                return render_page(200, "Confirmation de rendez-vous", "print", d);
              });

  // Staff move a booking for the person (a desk: one it made, mandate in force).
  router_.add("GET", "/espace/rendez-vous/{id}/deplacer",
              [this, acting_on](const HttpRequest& r, const PathParams& p) {
                if (!r.staff) return see_other("/connexion?next=%2Fespace");
                acting_on(r, p.id(0));
                return move_page(r, p.id(0), MoveBy::kStaff, "", "");
              });
  router_.add("POST", "/espace/rendez-vous/{id}/deplacer",
              [this, acting_on](const HttpRequest& r, const PathParams& p) {
                auto form = parse_query(r.body);
                if (!form_ok(r, form["csrf"])) return expired_form_page();
                Id id = p.id(0);
                acting_on(r, id);
                auto start = parse_rfc3339(form["start"]);
                if (!start)
                  return move_page(r, id, MoveBy::kStaff, "",
                                   "Choisissez un créneau dans la liste.");
                try {
                  bookings_.reschedule(id, *start, std::nullopt, Actor::kStaff);
                } catch (const ClientError& e) {
                  if (e.code() != ErrorCode::kSlotUnavailable) throw;
                  return move_page(r, id, MoveBy::kStaff, "",
                                   "Ce créneau vient d'être pris. Choisissez-en un autre parmi "
                                   "les créneaux libres.");
                }
                return see_other("/espace/rendez-vous/" + std::to_string(id) + "?deplace=1");
              });

  router_.add("POST", "/espace/rendez-vous/{id}/statut",
              [this, acting_on](const HttpRequest& r, const PathParams& p) {
                auto form = parse_query(r.body);
                if (!form_ok(r, form["csrf"])) return expired_form_page();
                Id id = p.id(0);
                acting_on(r, id);
                bookings_.mark(
                    id, form["status"] == "noshow" ? BookingStatus::kNoShow : BookingStatus::kDone);
                return see_other("/espace/rendez-vous/" + std::to_string(id) + "?statut=1");
              });
  router_.add("POST", "/espace/rendez-vous/{id}/compte-rendu",
              [this, acting_on](const HttpRequest& r, const PathParams& p) {
                auto form = parse_query(r.body);
                if (!form_ok(r, form["csrf"])) return expired_form_page();
                Id id = p.id(0);
                acting_on(r, id);
                std::string summary = form["summary"].substr(0, 5000);
                check_text(summary, TextKind::kMultiLine, "summary");
                if (summary.empty()) invalid_field("summary", "is empty");
                bookings_.record_summary(id, summary);
                return see_other("/espace/rendez-vous/" + std::to_string(id) + "?fait=1");
              });

  // Staff cancel a booking they may act on (a desk: one it made, mandate in force).
  router_.add("POST", "/espace/rendez-vous/{id}/annuler",
              [this](const HttpRequest& r, const PathParams& p) {
                auto form = parse_query(r.body);
                if (!form_ok(r, form["csrf"])) return expired_form_page();
                if (!r.staff) return see_other("/connexion");
                Id id = p.id(0);
                store_.read([&](StoreReader& s) {
                  if (!may_manage_booking(s, *r.staff, require_booking(s, id), clock_.now()))
                    throw ClientError(ErrorCode::kForbidden, "not yours to cancel");
                });
                bookings_.cancel(id, Actor::kStaff, "");
                return see_other(std::string(kStaffHome) + "?annule=1");
              });

  router_.add("GET", "/espace/creneaux", [this](const HttpRequest& r, const PathParams&) {
    if (!r.staff) return see_other("/connexion?next=%2Fespace%2Fcreneaux");
    return openings_page(r, 200, {}, {}, {}, {});
  });

  router_.add("POST", "/espace/creneaux", [this](const HttpRequest& r, const PathParams&) {
    auto form = parse_query(r.body);
    if (!form_ok(r, form["csrf"])) return expired_form_page();
    if (!r.staff || !r.staff->agent_id()) return see_other(kStaffHome);
    std::map<std::string, std::string> values;
    for (const char* name : {"place", "day", "start", "end", "weekly"})
      values[name] = form[name].substr(0, 40);
    auto services = form_values(r.body, "service");
    auto modes = form_values(r.body, "mode");
    std::vector<std::pair<std::string, std::string>> errors;
    if (services.empty()) errors.push_back({"services", "Cochez au moins une démarche."});
    if (!parse_local_date(values["day"])) errors.push_back({"day", "Choisissez le jour."});
    if (values["start"].size() != 5 || values["end"].size() != 5)
      errors.push_back({"start", "Indiquez l'heure de début et de fin, comme 09:00 et 12:00."});
    if (!errors.empty()) return openings_page(r, 400, values, services, modes, errors);
    Json body = {{"place_id", std::atoll(values["place"].c_str())},
                 {"service_ids", Json::array()},
                 {"start", values["day"] + "T" + values["start"]},
                 {"end", values["day"] + "T" + values["end"]}};
    for (const auto& id : services) body["service_ids"].push_back(std::atoll(id.c_str()));
    if (!modes.empty()) body["modes"] = modes;
    if (values["weekly"] == "oui") body["rrule"] = "FREQ=WEEKLY";
    try {
      create_opening(*r.staff->agent_id(), body);
    } catch (const ClientError& e) {
      std::string field = e.field();
      if (e.code() == ErrorCode::kInvalidTimeRange ||
          e.code() == ErrorCode::kNonexistentLocalTime || field == "start" || field == "end")
        errors.push_back({"start",
                          "Ces heures ne conviennent pas : la fin doit suivre le début, le "
                          "même jour."});
      else if (field == "place_id")
        errors.push_back({"place", "Choisissez un lieu de votre organisation."});
      else if (field == "service_ids")
        errors.push_back({"services", "Choisissez des démarches de votre organisation."});
      else
        errors.push_back({"services",
                          "Ce créneau ne peut pas être ouvert : vérifiez les "
                          "démarches, le lieu et les modes choisis."});
      return openings_page(r, 400, values, services, modes, errors);
    }
    return see_other("/espace/creneaux?ajoute=1");
  });

  router_.add("POST", "/espace/creneaux/{id}/retirer",
              [this](const HttpRequest& r, const PathParams& p) {
                auto form = parse_query(r.body);
                if (!form_ok(r, form["csrf"])) return expired_form_page();
                if (!r.staff || !r.staff->agent_id()) return see_other(kStaffHome);
                std::vector<Id> outside = remove_opening(*r.staff->agent_id(), p.id(0));
                return see_other(std::string("/espace/creneaux?retire=1") +
                                 (outside.empty() ? "" : "&hors=1"));
              });
}

}  // namespace rdv
