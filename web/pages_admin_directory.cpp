// An organisation's places and services, added, changed and removed by its
// administrators through forms. The bodies go to the API's own functions
// (create_place, update_service, ...) and their checks (directory_fields.h).
#include <algorithm>

#include "app.h"
#include "auth.h"
#include "directory_fields.h"
#include "pages_admin.h"
#include "storage/require.h"

namespace rdv {
namespace {

using kainjow::mustache::list;

const char* const kPlaceFields[] = {"name",          "address",  "postcode",
                                    "city",          "timezone", "accessibility",
                                    "opening_hours", "latitude", "longitude"};
const char* const kServiceFields[] = {"name",
                                      "description",
                                      "keywords",
                                      "documents_to_bring",
                                      "duration_minutes",
                                      "slot_step_minutes",
                                      "capacity",
                                      "min_notice_minutes",
                                      "horizon_days",
                                      "buffer_before_minutes",
                                      "buffer_after_minutes",
                                      "cancel_until_minutes",
                                      "reminders_minutes"};

// The zones of the department and of overseas France; a stored other one is kept.
const char* const kZones[] = {"Europe/Paris",       "America/Cayenne",  "America/Guadeloupe",
                              "America/Martinique", "America/Miquelon", "Indian/Reunion",
                              "Indian/Mayotte",     "Pacific/Noumea",   "Pacific/Tahiti",
                              "Pacific/Wallis"};

// Who may book a service (its bookable_by), in the form's words.
const std::pair<const char*, const char*> kBookers[] = {
    {"public", "Les usagers, en ligne"},
    {"desk", "L'accueil France Services, pour un visiteur"},
    {"agent", "Les agents de l'organisation"}};

// What a form sent, its line breaks as stored.
template <size_t N>
FormValues read_form(const std::map<std::string, std::string>& form, const char* const (&names)[N],
                     size_t max_len) {
  FormValues out;
  for (const char* name : names) {
    auto it = form.find(name);
    std::string v = it == form.end() ? "" : it->second.substr(0, max_len);
    for (size_t at; (at = v.find("\r\n")) != std::string::npos;) v.replace(at, 2, "\n");
    out[name] = v;
  }
  return out;
}

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

FormValues place_values(const Place& p) {
  auto number = [](const std::optional<double>& v) {
    if (!v) return std::string();
    std::string s = std::to_string(*v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    std::replace(s.begin(), s.end(), '.', ',');
    return s;
  };
  return {{"name", p.name},
          {"address", p.address},
          {"postcode", p.postcode},
          {"city", p.city},
          {"timezone", p.timezone},
          {"accessibility", p.accessibility},
          {"opening_hours", p.opening_hours},
          {"latitude", number(p.latitude)},
          {"longitude", number(p.longitude)}};
}

Json place_body(const FormValues& v) {
  Json b = Json::object();
  for (const char* name : {"name", "address", "postcode", "city", "accessibility", "opening_hours"})
    b[name] = v.at(name);
  if (!v.at("timezone").empty()) b["timezone"] = v.at("timezone");
  put_number(b, "latitude", v.at("latitude"));
  put_number(b, "longitude", v.at("longitude"));
  return b;
}

std::string place_problem(const std::string& field) {
  static const std::map<std::string, std::string> messages = {
      {"name", "Indiquez le nom du lieu (200 caractères au plus)."},
      {"address", "Vérifiez l'adresse : une ligne de 300 caractères au plus."},
      {"postcode", "Vérifiez le code postal : 10 caractères au plus."},
      {"city", "Vérifiez la commune : 100 caractères au plus."},
      {"timezone", "Choisissez un fuseau horaire de la liste."},
      {"accessibility", "Vérifiez le texte sur l'accessibilité : 1 000 caractères au plus."},
      {"opening_hours", "Vérifiez les horaires d'ouverture : 1 000 caractères au plus."},
      {"latitude", "Indiquez une latitude entre -90 et 90, comme 44,86."},
      {"longitude", "Indiquez une longitude entre -180 et 180, comme -0,53."}};
  auto it = messages.find(field);
  return it != messages.end() ? it->second
                              : "Ce lieu n'a pas pu être enregistré : vérifiez les champs.";
}

FormValues service_values(const Service& s) {
  std::vector<std::string> reminders;
  for (int m : s.reminders) reminders.push_back(std::to_string(m));
  return {{"name", s.name},
          {"description", s.description},
          {"keywords", joined(s.keywords, ", ")},
          {"documents_to_bring", joined(s.documents_to_bring, "\n")},
          {"duration_minutes", std::to_string(s.duration_minutes)},
          {"slot_step_minutes", std::to_string(s.slot_step_minutes)},
          {"capacity", std::to_string(s.capacity)},
          {"min_notice_minutes", std::to_string(s.min_notice_minutes)},
          {"horizon_days", std::to_string(s.horizon_days)},
          {"buffer_before_minutes", std::to_string(s.buffer_before_minutes)},
          {"buffer_after_minutes", std::to_string(s.buffer_after_minutes)},
          {"cancel_until_minutes", std::to_string(s.cancel_until_minutes)},
          {"reminders_minutes", joined(reminders, ", ")}};
}

std::vector<std::string> mode_names(ModeSet modes) {
  std::vector<std::string> out;
  for (Mode m : modes.list()) out.emplace_back(mode_name(m));
  return out;
}

Json service_body(const FormValues& v, const std::vector<std::string>& modes,
                  const std::vector<std::string>& bookable_by) {
  Json b = {{"name", v.at("name")}, {"description", v.at("description")}};
  put_list(b, "keywords", v.at("keywords"), ',');
  put_list(b, "documents_to_bring", v.at("documents_to_bring"), '\n');
  for (const char* name :
       {"duration_minutes", "slot_step_minutes", "capacity", "min_notice_minutes", "horizon_days",
        "buffer_before_minutes", "buffer_after_minutes", "cancel_until_minutes"})
    put_integer(b, name, v.at(name));
  put_integer_list(b, "reminders_minutes", v.at("reminders_minutes"));
  b["modes"] = modes;
  b["bookable_by"] = bookable_by;
  return b;
}

std::string service_problem(const std::string& field) {
  static const std::map<std::string, std::string> messages = {
      {"name", "Indiquez le nom de la démarche (200 caractères au plus)."},
      {"description", "Vérifiez la description : 4 000 caractères au plus."},
      {"keywords", "Vérifiez les mots-clés : séparés par des virgules, 50 au plus."},
      {"documents_to_bring",
       "Vérifiez les pièces à apporter : une par ligne, 50 au plus, de 500 caractères au plus."},
      {"duration_minutes", "Indiquez la durée en minutes, un nombre entre 5 et " +
                               std::to_string(kMaxServiceMinutes) + "."},
      {"slot_step_minutes",
       "Indiquez l'écart entre deux débuts de créneau en minutes, entre 0 et 720 (0 : la "
       "durée)."},
      {"modes", "Cochez au moins une façon de recevoir les personnes."},
      {"capacity",
       "Indiquez le nombre de places, entre 1 et 500 (plus d'une : atelier collectif)."},
      {"min_notice_minutes",
       "Indiquez le délai minimum avant un rendez-vous en minutes, entre 0 et 525 600."},
      {"horizon_days", "Indiquez en jours jusqu'où l'on peut réserver, entre 1 et 730."},
      {"buffer_before_minutes", "Indiquez le temps de préparation en minutes, entre 0 et " +
                                    std::to_string(kMaxBufferMinutes) + "."},
      {"buffer_after_minutes", "Indiquez le temps après le rendez-vous en minutes, entre 0 et " +
                                   std::to_string(kMaxBufferMinutes) + "."},
      {"cancel_until_minutes",
       "Indiquez en minutes jusqu'à quand on peut annuler avant le rendez-vous, entre 0 et "
       "43 200."},
      {"bookable_by", "Cochez au moins une façon de réserver."},
      {"reminders_minutes",
       "Indiquez 5 rappels au plus, en minutes avant le rendez-vous (entre 1 et 43 200), séparés "
       "par des virgules."}};
  auto it = messages.find(field);
  return it != messages.end() ? it->second
                              : "Cette démarche n'a pas pu être enregistrée : vérifiez les champs.";
}

// Errors in the order of the form's fields.
void sort_errors(FormErrors& errors, std::initializer_list<const char*> order) {
  auto rank = [&](const std::string& f) {
    size_t i = 0;
    for (const char* name : order) {
      if (f == name) return i;
      ++i;
    }
    return i;
  };
  std::stable_sort(errors.begin(), errors.end(),
                   [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
}

}  // namespace

HttpResponse App::place_form_page(const HttpRequest& r, const Organisation& org,
                                  std::optional<Id> place_id, int status, const FormValues& values,
                                  const FormErrors& errors) {
  PageData d = form_errors(errors);
  FormValues v = values;
  if (v.empty()) {
    Place p;
    p.timezone = org.timezone;
    if (place_id) store_.read([&](StoreReader& s) { p = require_place(s, *place_id); });
    v = place_values(p);
  }
  set_values(d, v);
  list zones;
  bool known = false;
  for (const char* z : kZones) {
    PageData zd;
    zd.set("value", std::string(z));
    zd.set("selected", v["timezone"] == z);
    known = known || v["timezone"] == z;
    zones.push_back(zd);
  }
  if (!known && !v["timezone"].empty()) {
    PageData zd;
    zd.set("value", v["timezone"]);
    zd.set("selected", true);
    zones.push_back(zd);
  }
  d.set("zones", zones);
  d.set("org_path", admin_org_path(org.id));
  d.set("org_name", org.name);
  d.set("action", admin_org_path(org.id, place_id ? "/lieux/" + std::to_string(*place_id)
                                                  : std::string("/lieux")));
  d.set("editing", place_id.has_value());
  return form_page(r, status, place_id ? "Modifier un lieu" : "Ajouter un lieu", "admin_place", d);
}

HttpResponse App::service_form_page(const HttpRequest& r, const Organisation& org,
                                    std::optional<Id> service_id, int status,
                                    const FormValues& values, const std::vector<std::string>& modes,
                                    const std::vector<std::string>& bookable_by,
                                    const FormErrors& errors) {
  PageData d = form_errors(errors);
  FormValues v = values;
  std::vector<std::string> chosen_modes = modes, chosen_bookers = bookable_by;
  if (v.empty()) {
    Service s;
    s.modes.add(Mode::kInPerson);  // as create_service
    if (service_id) store_.read([&](StoreReader& st) { s = require_service(st, *service_id); });
    v = service_values(s);
    chosen_modes = mode_names(s.modes);
    chosen_bookers = s.bookable_by;
  }
  set_values(d, v);
  auto has = [](const std::vector<std::string>& list, const std::string& x) {
    return std::find(list.begin(), list.end(), x) != list.end();
  };
  list mode_items;
  for (Mode m : {Mode::kInPerson, Mode::kPhone, Mode::kVideo}) {
    PageData md;
    md.set("value", std::string(mode_name(m)));
    md.set("label", mode_label(m));
    md.set("checked", has(chosen_modes, std::string(mode_name(m))));
    mode_items.push_back(md);
  }
  d.set("modes", mode_items);
  list booker_items;
  for (const auto& [value, label] : kBookers) {
    PageData bd;
    bd.set("value", std::string(value));
    bd.set("label", std::string(label));
    bd.set("checked", has(chosen_bookers, value));
    booker_items.push_back(bd);
  }
  d.set("bookers", booker_items);
  d.set("org_path", admin_org_path(org.id));
  d.set("action", admin_org_path(org.id, service_id ? "/demarches/" + std::to_string(*service_id)
                                                    : std::string("/demarches")));
  d.set("editing", service_id.has_value());
  return form_page(r, status, service_id ? "Modifier une démarche" : "Ajouter une démarche",
                   "admin_service", d);
}

void App::add_admin_directory_pages() {
  // Each handler: the CSRF token, then the rights (403 for anyone who does
  // not administer the organisation), then the record's organisation.
  auto place_of = [this](Id org, Id place_id) {
    store_.read([&](StoreReader& s) {
      if (require_place(s, place_id).organisation_id != org)
        throw ClientError(ErrorCode::kNotFound, "place not found");
    });
  };
  auto service_of = [this](Id org, Id service_id) {
    store_.read([&](StoreReader& s) {
      if (require_service(s, service_id).organisation_id != org)
        throw ClientError(ErrorCode::kNotFound, "service not found");
    });
  };

  router_.add("GET", "/espace/admin/organisations/{org}/lieux/nouveau",
              [this](const HttpRequest& r, const PathParams& p) {
                HttpResponse go;
                auto org = administered(r, p.id(0), go);
                return org ? place_form_page(r, *org, std::nullopt, 200, {}, {}) : go;
              });
  router_.add("GET", "/espace/admin/organisations/{org}/lieux/{id}",
              [this, place_of](const HttpRequest& r, const PathParams& p) {
                HttpResponse go;
                auto org = administered(r, p.id(0), go);
                if (!org) return go;
                place_of(org->id, p.id(1));
                return place_form_page(r, *org, p.id(1), 200, {}, {});
              });
  // Added (no id) or changed: the same form, the API's checks.
  auto save_place = [this, place_of](const HttpRequest& r, const PathParams& p,
                                     std::optional<Id> place_id) {
    auto form = parse_query(r.body);
    if (!form_ok(r, form["csrf"])) return expired_form_page();
    HttpResponse go;
    auto org = administered(r, p.id(0), go);
    if (!org) return go;
    if (place_id) place_of(org->id, *place_id);
    FormValues v = read_form(form, kPlaceFields, 1200);
    Json body = place_body(v);
    Place stored;
    stored.timezone = org->timezone;
    if (place_id) store_.read([&](StoreReader& s) { stored = require_place(s, *place_id); });
    FormErrors errors = every_refusal(
        body,
        [&](const Json& b) {
          Place check = stored;
          Fields f(b);
          read_place_fields(f, check, !place_id);
          f.done();
        },
        place_problem, "name");
    if (errors.empty()) {
      try {
        if (place_id)
          update_place(*r.staff, *place_id, body);
        else
          create_place(org->id, body);
      } catch (const ClientError& e) {
        if (e.code() == ErrorCode::kForbidden) throw;
        errors.push_back({e.field().empty() ? "name" : e.field(), place_problem(e.field())});
      }
    }
    if (!errors.empty()) {
      sort_errors(errors, {"name", "address", "postcode", "city", "timezone", "accessibility",
                           "opening_hours", "latitude", "longitude"});
      return place_form_page(r, *org, place_id, 400, v, errors);
    }
    return see_other(
        admin_org_path(org->id, place_id ? "?fait=lieu-modifie#lieux" : "?fait=lieu-ajoute#lieux"));
  };
  router_.add("POST", "/espace/admin/organisations/{org}/lieux",
              [save_place](const HttpRequest& r, const PathParams& p) {
                return save_place(r, p, std::nullopt);
              });
  router_.add("POST", "/espace/admin/organisations/{org}/lieux/{id}",
              [save_place](const HttpRequest& r, const PathParams& p) {
                return save_place(r, p, p.id(1));
              });
  router_.add("POST", "/espace/admin/organisations/{org}/lieux/{id}/supprimer",
              [this, place_of](const HttpRequest& r, const PathParams& p) {
                auto form = parse_query(r.body);
                if (!form_ok(r, form["csrf"])) return expired_form_page();
                HttpResponse go;
                auto org = administered(r, p.id(0), go);
                if (!org) return go;
                place_of(org->id, p.id(1));
                try {
                  remove_place(*r.staff, p.id(1));
                } catch (const ClientError& e) {
                  if (e.code() != ErrorCode::kInvalidTransition) throw;
                  return see_other(admin_org_path(org->id, "?refus=lieu-utilise#lieux"));
                }
                return see_other(admin_org_path(org->id, "?fait=lieu-supprime#lieux"));
              });

  router_.add("GET", "/espace/admin/organisations/{org}/demarches/nouvelle",
              [this](const HttpRequest& r, const PathParams& p) {
                HttpResponse go;
                auto org = administered(r, p.id(0), go);
                return org ? service_form_page(r, *org, std::nullopt, 200, {}, {}, {}, {}) : go;
              });
  router_.add("GET", "/espace/admin/organisations/{org}/demarches/{id}",
              [this, service_of](const HttpRequest& r, const PathParams& p) {
                HttpResponse go;
                auto org = administered(r, p.id(0), go);
                if (!org) return go;
                service_of(org->id, p.id(1));
                return service_form_page(r, *org, p.id(1), 200, {}, {}, {}, {});
              });
  auto save_service = [this, service_of](const HttpRequest& r, const PathParams& p,
                                         std::optional<Id> service_id) {
    auto form = parse_query(r.body);
    if (!form_ok(r, form["csrf"])) return expired_form_page();
    HttpResponse go;
    auto org = administered(r, p.id(0), go);
    if (!org) return go;
    if (service_id) service_of(org->id, *service_id);
    FormValues v = read_form(form, kServiceFields, 30000);
    auto modes = form_values(r.body, "modes");
    auto bookers = form_values(r.body, "bookable_by");
    Json body = service_body(v, modes, bookers);
    Service stored;
    stored.organisation_id = org->id;
    stored.modes.add(Mode::kInPerson);
    if (service_id) store_.read([&](StoreReader& s) { stored = require_service(s, *service_id); });
    FormErrors errors = every_refusal(
        body,
        [&](const Json& b) {
          Service check = stored;
          Fields f(b);
          read_service_fields(f, check, !service_id);
          f.done();
        },
        service_problem, "name");
    if (errors.empty()) {
      try {
        if (service_id)
          update_service(*r.staff, *service_id, body);
        else
          create_service(org->id, body);
      } catch (const ClientError& e) {
        if (e.code() == ErrorCode::kForbidden) throw;
        std::string message = e.code() == ErrorCode::kInvalidTransition
                                  ? "Cette organisation est fermée : elle ne propose plus de "
                                    "démarche."
                                  : service_problem(e.field());
        errors.push_back({e.field().empty() ? "name" : e.field(), message});
      }
    }
    if (!errors.empty()) {
      sort_errors(errors,
                  {"name", "description", "keywords", "documents_to_bring", "duration_minutes",
                   "modes", "capacity", "bookable_by", "slot_step_minutes", "min_notice_minutes",
                   "horizon_days", "cancel_until_minutes", "buffer_before_minutes",
                   "buffer_after_minutes", "reminders_minutes"});
      return service_form_page(r, *org, service_id, 400, v, modes, bookers, errors);
    }
    return see_other(admin_org_path(org->id, service_id ? "?fait=demarche-modifiee#demarches"
                                                        : "?fait=demarche-ajoutee#demarches"));
  };
  router_.add("POST", "/espace/admin/organisations/{org}/demarches",
              [save_service](const HttpRequest& r, const PathParams& p) {
                return save_service(r, p, std::nullopt);
              });
  router_.add("POST", "/espace/admin/organisations/{org}/demarches/{id}",
              [save_service](const HttpRequest& r, const PathParams& p) {
                return save_service(r, p, p.id(1));
              });
  router_.add(
      "POST", "/espace/admin/organisations/{org}/demarches/{id}/supprimer",
      [this, service_of](const HttpRequest& r, const PathParams& p) {
        auto form = parse_query(r.body);
        if (!form_ok(r, form["csrf"])) return expired_form_page();
        HttpResponse go;
        auto org = administered(r, p.id(0), go);
        if (!org) return go;
        service_of(org->id, p.id(1));
        bool archived = remove_service(*r.staff, p.id(1)).has_value();
        return see_other(admin_org_path(org->id, archived ? "?fait=demarche-archivee#demarches"
                                                          : "?fait=demarche-supprimee#demarches"));
      });
}

}  // namespace rdv
