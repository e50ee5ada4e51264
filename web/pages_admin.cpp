// The administrators' pages: the organisations one administers or observes,
// and an organisation's page (places, services, people, video provider,
// webhooks, survey results) with the ways to its forms. Rights are the
// API's (Staff, require_org_admin); the forms live in pages_admin_*.cpp.
#include "pages_admin.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "app.h"
#include "auth.h"
#include "domain/events.h"
#include "net/url.h"
#include "storage/require.h"

namespace rdv {

using kainjow::mustache::list;

std::string admin_org_path(Id org, const std::string& tail) {
  return "/espace/admin/organisations/" + std::to_string(org) + tail;
}

namespace {

std::string trimmed(const std::string& s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

std::vector<std::string> split_items(const std::string& text, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    std::string item = trimmed(text.substr(start, end - start));
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

// The integer the text spells, if it is one (digits, an optional minus).
std::optional<long long> integer_of(const std::string& text) {
  std::string t = trimmed(text);
  if (t.empty() || t.size() > 12) return std::nullopt;
  size_t digits = t[0] == '-' ? 1 : 0;
  if (digits == t.size() || t.find_first_not_of("0123456789", digits) != std::string::npos)
    return std::nullopt;
  return std::stoll(t);
}

}  // namespace

void put_integer(Json& body, const char* name, const std::string& text) {
  if (trimmed(text).empty()) return;
  if (auto n = integer_of(text))
    body[name] = *n;
  else
    body[name] = text;  // refused by the API's check, by its name
}

void put_number(Json& body, const char* name, const std::string& text) {
  std::string t = trimmed(text);
  if (t.empty()) return;
  std::replace(t.begin(), t.end(), ',', '.');  // "44,84" as written in French
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end && *end == '\0' && t.find_first_not_of("-+.0123456789") == std::string::npos)
    body[name] = v;
  else
    body[name] = text;
}

void put_list(Json& body, const char* name, const std::string& text, char separator) {
  body[name] = split_items(text, separator);
}

void put_integer_list(Json& body, const char* name, const std::string& text) {
  Json items = Json::array();
  for (const std::string& item : split_items(text, ','))
    if (auto n = integer_of(item))
      items.push_back(*n);
    else
      items.push_back(item);
  body[name] = items;
}

FormErrors every_refusal(Json body, const std::function<void(const Json&)>& check,
                         const std::function<std::string(const std::string&)>& french,
                         const std::string& fallback_field, const Json& stand_ins) {
  // A field refused is left out; a required one, refused again, gets a
  // stand-in that its kind accepts (the caller's, or one of these), so that
  // the fields after it are checked too.
  static const Json kStandIns[] = {"x", 60, Json::array({"x"})};
  FormErrors out;
  std::map<std::string, size_t> stand_in;  // the next one to try, per field
  for (int round = 0; round < 40; ++round) {
    try {
      check(body);
      break;
    } catch (const ClientError& e) {
      std::string field = e.field();
      // "memberships[0].role": the form's field is the last name.
      if (auto dot = field.rfind('.'); dot != std::string::npos) field = field.substr(dot + 1);
      if (field.empty()) {
        out.push_back({fallback_field, french(field)});
        break;
      }
      bool first = stand_in.count(field) == 0;
      if (first) out.push_back({field, french(field)});
      if (first && body.contains(field)) {
        stand_in[field] = 0;
        body.erase(field);
        continue;
      }
      size_t& next = stand_in[field];
      if (next == 0 && stand_ins.contains(field)) {
        body[field] = stand_ins[field];
        next = std::size(kStandIns);  // the caller's is the last try
        continue;
      }
      if (next >= std::size(kStandIns)) break;
      body[field] = kStandIns[next++];
    }
  }
  return out;
}

std::string account_status_fr(AccountStatus s) {
  switch (s) {
    case AccountStatus::kInvited:
      return "invitation envoyée";
    case AccountStatus::kActive:
      return "actif";
    case AccountStatus::kDeactivated:
      return "désactivé";
  }
  return "";
}

void set_values(PageData& d, const std::map<std::string, std::string>& values) {
  for (const auto& [name, value] : values) d.set(name, value);
}

namespace {

// The notices of the organisation's page after a form (never text from the query).
const std::map<std::string, std::string> kDone = {
    {"lieu-ajoute", "Le lieu est ajouté."},
    {"lieu-modifie", "Le lieu est modifié."},
    {"lieu-supprime", "Le lieu est supprimé."},
    {"demarche-ajoutee", "La démarche est ajoutée : elle peut être proposée dans les créneaux."},
    {"demarche-modifiee", "La démarche est modifiée."},
    {"demarche-supprimee", "La démarche est supprimée."},
    {"demarche-archivee",
     "La démarche a des rendez-vous : elle est archivée (plus proposée, ses rendez-vous sont "
     "gardés)."},
    {"invitation", "L'invitation est envoyée par courriel."},
    {"invitation-renvoyee", "Une nouvelle invitation est envoyée par courriel."},
    {"desactive", "Le compte est désactivé : la personne ne peut plus se connecter."},
    {"visio", "La visio est réglée."},
    {"webhook-ajoute", "Le webhook est ajouté."},
    {"webhook-supprime", "Le webhook est supprimé."},
};
const std::map<std::string, std::string> kRefused = {
    {"lieu-utilise",
     "Ce lieu n'est pas supprimé : des créneaux ou des rendez-vous y sont encore. Retirez-les ou "
     "déplacez-les d'abord."},
    {"compte",
     "Ce compte n'a pas été modifié : vous ne pouvez pas agir sur votre propre compte ni sur "
     "celui d'une personne qui a plus de droits que vous."},
    {"invitation",
     "Seule une personne qui n'a pas encore choisi son mot de passe reçoit une "
     "nouvelle invitation."},
};

}  // namespace

std::string french_rating(double rating) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f", rating);
  std::string s = buf;
  std::replace(s.begin(), s.end(), '.', ',');
  return s + " sur 5";
}

std::string french_share(double share) {
  return std::to_string(static_cast<int>(share * 100 + 0.5)) + " %";
}

std::string event_label_fr(WebhookEvent e) {
  switch (e) {
    case WebhookEvent::kCreated:
      return "rendez-vous pris";
    case WebhookEvent::kCancelled:
      return "rendez-vous annulé";
    case WebhookEvent::kRescheduled:
      return "rendez-vous déplacé";
    case WebhookEvent::kReassigned:
      return "rendez-vous confié à un autre agent";
    case WebhookEvent::kDone:
      return "issue du rendez-vous";
  }
  return "";
}

std::string video_provider_fr(VideoProvider p) {
  switch (p) {
    case VideoProvider::kNone:
      return "Pas de visio";
    case VideoProvider::kJitsi:
      return "Jitsi (avec jeton JWT)";
    case VideoProvider::kBbb:
      return "BigBlueButton";
    case VideoProvider::kTemplate:
      return "Adresse à compléter (modèle)";
  }
  return "";
}

std::vector<Organisation> observed_organisations(StoreReader& s, const Staff& me) {
  std::vector<Organisation> out;
  Id after = 0;
  for (int page = 0; page < 100; ++page) {
    auto orgs = s.directory().organisations(std::nullopt, true, after, 500);
    for (const Organisation& o : orgs)
      if (me.observes(o.id)) out.push_back(o);
    if (orgs.size() < 500) break;
    after = orgs.back().id;
  }
  return out;
}

std::optional<Organisation> App::administered(const HttpRequest& r, Id org, HttpResponse& go) {
  if (!r.staff) {
    go = see_other("/connexion?next=" + url_encode(r.path));
    return std::nullopt;
  }
  Organisation o;
  store_.read([&](StoreReader& s) {
    o = require_organisation(s, org);
    require_org_admin(*r.staff, org);
  });
  return o;
}

HttpResponse App::organisation_admin_page(const HttpRequest& r, const Organisation& org) {
  PageData d;
  const Staff& me = *r.staff;
  if (auto done = r.param("fait"); done && kDone.count(*done)) d.set("done", kDone.at(*done));
  if (auto refused = r.param("refus"); refused && kRefused.count(*refused))
    d.set("refused", kRefused.at(*refused));
  d.set("org_path", admin_org_path(org.id));
  d.set("org_id", std::to_string(org.id));
  d.set("archived", org.archived);
  Json surveys = survey_results(org.id);
  store_.read([&](StoreReader& s) {
    list places;
    for (const Place& p : s.directory().places_of({org.id})) {
      PageData pd;
      pd.set("id", std::to_string(p.id));
      pd.set("name", p.name);
      std::string where = p.address;
      if (!p.postcode.empty() || !p.city.empty())
        where +=
            (where.empty() ? "" : ", ") + p.postcode + (p.postcode.empty() ? "" : " ") + p.city;
      set_text(pd, "where", where);
      places.push_back(pd);
    }
    d.set("places", places);
    d.set("has_places", !places.empty());
    list services;
    for (const Service& sv : s.directory().services_of({org.id})) {
      PageData sd;
      sd.set("id", std::to_string(sv.id));
      sd.set("name", sv.name);
      sd.set("duration", std::to_string(sv.duration_minutes));
      std::string modes;
      for (Mode m : sv.modes.list()) modes += (modes.empty() ? "" : ", ") + mode_label(m);
      sd.set("modes", modes);
      sd.set("group", sv.capacity > 1);
      sd.set("capacity", std::to_string(sv.capacity));
      sd.set("archived", sv.archived);
      services.push_back(sd);
    }
    d.set("services", services);
    d.set("has_services", !services.empty());
    AccountFilter filter;
    filter.organisation_id = org.id;
    filter.limit = 500;
    list people;
    for (const Account& a : s.accounts().accounts(filter)) {
      PageData ad;
      ad.set("id", std::to_string(a.id));
      ad.set("name", a.name);
      ad.set("email", a.email);
      std::string roles;
      for (const Membership& m : a.memberships)
        if (m.organisation_id == org.id || m.role == Role::kAdmin)
          roles += (roles.empty() ? "" : ", ") + role_label(m.role);
      ad.set("roles", roles);
      ad.set("status", account_status_fr(a.status));
      bool manageable = me.may_manage_account(a) && a.id != me.account_id();
      ad.set("may_deactivate", manageable && a.status != AccountStatus::kDeactivated);
      ad.set("may_reinvite", manageable && a.status == AccountStatus::kInvited && !a.email.empty());
      people.push_back(ad);
    }
    d.set("people", people);
    d.set("has_people", !people.empty());
    list hooks;
    for (const Webhook& w : s.directory().webhooks_of(org.id)) {
      PageData wd;
      wd.set("id", std::to_string(w.id));
      wd.set("url", w.url);  // the secret stays in the store
      std::string events;
      for (WebhookEvent e : w.events) events += (events.empty() ? "" : ", ") + event_label_fr(e);
      wd.set("events", events);
      hooks.push_back(wd);
    }
    d.set("webhooks", hooks);
    d.set("has_webhooks", !hooks.empty());
  });
  d.set("video_provider", video_provider_fr(org.video.provider));
  d.set("video_set", org.video.provider != VideoProvider::kNone);
  set_text(d, "video_url", org.video.url);
  d.set("video_secret_set", !org.video.secret.empty());
  list survey_lines;
  for (const Json& line : surveys) {
    PageData sd;
    sd.set("service", line["service"].get<std::string>());
    sd.set("answers", std::to_string(line["answers"].get<int>()));
    sd.set("rating", french_rating(line["average_rating"].get<double>()));
    sd.set("solved", french_share(line["solved_rate"].get<double>()));
    survey_lines.push_back(sd);
  }
  d.set("surveys", survey_lines);
  d.set("has_surveys", !survey_lines.empty());
  return form_page(r, 200, org.name, "admin_organisation", d);
}

void App::add_admin_pages() {
  // The organisations this person administers or observes.
  router_.add("GET", "/espace/admin", [this](const HttpRequest& r, const PathParams&) {
    if (!r.staff) return see_other("/connexion?next=%2Fespace%2Fadmin");
    const Staff& me = *r.staff;
    list administered, observed;
    store_.read([&](StoreReader& s) {
      for (const Organisation& o : observed_organisations(s, me)) {
        PageData od;
        od.set("name", o.name);
        od.set("id", std::to_string(o.id));
        od.set("path", admin_org_path(o.id));
        od.set("archived", o.archived);
        (me.administers(o.id) ? administered : observed).push_back(od);
      }
    });
    if (administered.empty() && observed.empty())
      throw ClientError(ErrorCode::kForbidden, "administrators and observers only");
    PageData d;
    d.set("administered", administered);
    d.set("has_administered", !administered.empty());
    d.set("observed", observed);
    d.set("has_observed", !observed.empty());
    return render_page(200, "Administration", "admin_home", d);
  });

  router_.add("GET", "/espace/admin/organisations/{org}",
              [this](const HttpRequest& r, const PathParams& p) {
                HttpResponse go;
                auto org = administered(r, p.id(0), go);
                return org ? organisation_admin_page(r, *org) : go;
              });

  add_admin_directory_pages();
  add_admin_people_pages();
  add_statistics_pages();
}

}  // namespace rdv
