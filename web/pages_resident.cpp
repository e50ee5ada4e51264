// Pages for residents, without an account: find a service, choose a slot,
// book (web/pages_manage.cpp: what the link of every message opens).
// Every rule is the core's (search, free slots, the booking use cases and
// their life cycle): these handlers read forms and render answers.
#include <algorithm>
#include <map>

#include "app.h"
#include "auth.h"
#include "booking/agendas.h"
#include "booking/lifecycle.h"
#include "booking/mandate.h"
#include "booking/service_search.h"
#include "csrf.h"
#include "domain/error.h"
#include "domain/french_dates.h"
#include "domain/text.h"
#include "net/multipart.h"
#include "net/url.h"
#include "render.h"
#include "storage/require.h"
#include "video/video_links.h"

namespace rdv {
namespace {

using kainjow::mustache::list;
using kainjow::mustache::object;

constexpr int kDaysShown = 7;

std::string modes_text(const ModeSet& modes) {
  std::string out;
  for (Mode m : modes.list()) out += (out.empty() ? "" : ", ") + mode_label(m);
  return out.empty() ? "" : out + ".";
}

std::optional<Mode> mode_of(const std::string* v) {
  if (!v || v->empty()) return std::nullopt;
  return parse_mode(*v);
}

// The form fields of a resident, in French, with what was typed and the errors.
PageData resident_form_fields(const std::map<std::string, std::string>& values,
                              const std::map<std::string, std::string>& errors) {
  struct Spec {
    const char *name, *label, *type, *autocomplete, *hint;
    int max;
    bool optional, multiline;
  };
  static const Spec specs[] = {
      {"first_name", "Prénom", "text", "given-name", "", 100, false, false},
      {"last_name", "Nom", "text", "family-name", "", 100, false, false},
      {"email", "Adresse électronique", "email", "email",
       "Pour recevoir la confirmation et les rappels. Une adresse électronique ou un numéro de "
       "téléphone est nécessaire.",
       200, true, false},
      {"phone", "Téléphone", "tel", "tel",
       "Pour recevoir les rappels par SMS, ou pour un rendez-vous par téléphone.", 30, true, false},
      {"notes", "Précisions pour l'agent", "text", "off",
       "En quelques mots, l'objet de votre demande.", 2000, true, true},
  };
  list fields;
  for (const Spec& s : specs) {
    PageData f;
    f.set("name", s.name);
    f.set("label", s.label);
    f.set("type", s.type);
    f.set("autocomplete", s.autocomplete);
    f.set("max", std::to_string(s.max));
    if (*s.hint) f.set("hint", s.hint);
    f.set("optional", s.optional);
    f.set("multiline", s.multiline);
    auto v = values.find(s.name);
    f.set("value", v == values.end() ? "" : v->second);
    std::string described = *s.hint ? std::string(s.name) + "-aide" : "";
    if (auto e = errors.find(s.name); e != errors.end()) {
      f.set("error", e->second);
      described += (described.empty() ? "" : " ") + std::string(s.name) + "-erreur";
    }
    if (!described.empty()) f.set("described", described);
    fields.push_back(f);
  }
  PageData d;
  d.set("fields", fields);
  return d;
}

// What the core says about a resident's field, in French.
std::string french_field_error(const std::string& field, const std::string& english) {
  if (field == "resident.email")
    return "Saisissez une adresse électronique valide, comme nom@exemple.fr.";
  if (field == "resident.phone")
    return "Saisissez un numéro de téléphone valide, comme 06 12 34 56 78.";
  if (field == "resident.first_name") return "Saisissez votre prénom.";
  if (field == "resident.last_name") return "Saisissez votre nom.";
  if (field == "notes")
    return "Ces précisions sont trop longues ou contiennent des caractères refusés.";
  return english;
}

}  // namespace

// The week of free slots of a service, grouped by day, each a link made by
// `slot_url`; `notice` is shown above.
void App::add_slot_days(PageData& d, StoreReader& r, const Service& service,
                        const SlotFilter& filter, date::local_days from, Zone zone,
                        const std::function<std::string(const Slot&)>& slot_url,
                        const std::function<std::string(date::local_days)>& week_url,
                        std::optional<Id> ignore_booking) {
  Instant now = clock_.now();
  TimeRange window{to_instant(LocalDateTime{from}, zone),
                   to_instant(LocalDateTime{from + date::days{kDaysShown}}, zone)};
  DayGroups days;
  std::map<Id, std::string> place_names;
  for (const Slot& s : find_slots(r, service, window, now, filter, std::nullopt, ignore_booking)) {
    LocalDateTime local = to_local(s.start, zone);
    if (!place_names.count(s.place_id)) {
      auto p = r.place(s.place_id);
      place_names[s.place_id] = p ? p->name : "";
    }
    PageData slot;
    slot.set("time", french_time(local));
    slot.set("day", french_day(local));
    if (s.mode == Mode::kInPerson) slot.set("where", place_names[s.place_id]);
    slot.set("url", slot_url(s));
    days.add(local, std::move(slot));
  }
  d.set("days", days.days("slots"));
  d.set("has_days", !days.empty());
  d.set("week_from", french_day(LocalDateTime{from}));
  d.set("week_to", french_day(LocalDateTime{from + date::days{kDaysShown - 1}}));
  auto today = date::floor<date::days>(to_local(now, zone));
  if (from > today) d.set("previous_url", week_url(std::max(today, from - date::days{kDaysShown})));
  d.set("next_url", week_url(from + date::days{kDaysShown}));
}

void App::add_resident_pages() {
  router_.add("GET", "/static/{name}", [](const HttpRequest&, const PathParams& p) {
    const std::string& name = p.text(0);
    const std::string* file = static_asset(name);
    if (!file) throw ClientError(ErrorCode::kNotFound, "no such file");
    bool script = name.size() > 3 && name.compare(name.size() - 3, 3, ".js") == 0;
    return HttpResponse{200,
                        script ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
                        *file,
                        {{"Cache-Control", "public, max-age=3600"}}};
  });

  // Home: the search form.
  auto home = [](const HttpRequest& r, int status,
                 const std::vector<std::pair<std::string, std::string>>& errors) {
    PageData d = form_errors(errors);
    d.set("q", param(r, "q"));
    d.set("postcode", param(r, "postcode"));
    std::string chosen = param(r, "mode");
    list modes;
    for (auto [value, label] : {std::pair{"", "Peu importe"},
                                {"in_person", "Sur place"},
                                {"phone", "Par téléphone"},
                                {"video", "En visio"}}) {
      PageData m;
      m.set("value", value);
      m.set("label", label);
      m.set("checked", chosen == value);
      modes.push_back(m);
    }
    d.set("modes", modes);
    return render_page(status, "Prendre rendez-vous", "home", d);
  };
  router_.add("GET", "/",
              [home](const HttpRequest& r, const PathParams&) { return home(r, 200, {}); });

  router_.add("GET", "/recherche", [this, home](const HttpRequest& r, const PathParams&) {
    SearchQuery q{param(r, "q"), param(r, "postcode"), mode_of(r.param("mode"))};
    std::vector<SearchHit> hits;
    try {
      store_.read([&](StoreReader& s) { hits = search_services(s, q, clock_.now()); });
    } catch (const ClientError& e) {
      return home(
          r, 400,
          {{e.field(), e.field() == "q" ? "Votre recherche est trop longue."
                                        : "Saisissez un code postal, ou son début, en chiffres."}});
    }
    PageData d;
    list items;
    std::string mode_query = q.mode ? "?mode=" + std::string(mode_name(*q.mode)) : "";
    store_.read([&](StoreReader& s) {
      for (const SearchHit& h : hits) {
        PageData item;
        item.set("service", h.service.name);
        item.set("organisation", h.organisation ? h.organisation->name : "");
        if (!h.service.description.empty()) item.set("description", h.service.description);
        item.set("modes", modes_text(h.service.modes));
        std::string places;
        for (const Place& p : h.places)
          places += (places.empty() ? "" : " ; ") + p.name + (p.city.empty() ? "" : ", " + p.city);
        item.set("places", places);
        item.set("url", "/services/" + std::to_string(h.service.id) + mode_query);
        if (h.next_slot) {
          auto place = s.place(h.next_slot->place_id);
          Zone zone = date::locate_zone(place ? place->timezone : "Europe/Paris");
          item.set("next_slot", french_moment(h.next_slot->start, zone));
        }
        items.push_back(item);
      }
    });
    d.set("hits", items);
    d.set("has_hits", !hits.empty());
    d.set("count_text", hits.size() == 1 ? std::string("1 service trouvé")
                                         : std::to_string(hits.size()) + " services trouvés");
    d.set("back_query", "q=" + url_encode(q.text) + "&postcode=" + url_encode(q.postcode));
    return render_page(200, "Résultats de la recherche", "results", d);
  });

  // A service, its places and a week of free slots.
  router_.add("GET", "/services/{id}", [this](const HttpRequest& r, const PathParams& p) {
    return service_page(r, p.id(0), 200, "");
  });

  router_.add("GET", "/services/{id}/reserver", [this](const HttpRequest& r, const PathParams& p) {
    return booking_form(r, p.id(0), {}, {}, 200);
  });

  router_.add("POST", "/services/{id}/reserver", [this](const HttpRequest& r, const PathParams& p) {
    return book_from_form(r, p.id(0));
  });
}

HttpResponse App::error_page(const HttpResponse& json_error) {
  HttpResponse page;
  switch (json_error.status) {
    case 404:
    case 405:
      page =
          message_page(404, "Page introuvable",
                       {"Cette page n'existe pas. Vérifiez l'adresse, ou repartez de l'accueil."},
                       "/", "Prendre rendez-vous");
      break;
    case 429:
      page = message_page(429, "Trop de demandes",
                          {"Trop de demandes viennent de votre connexion. Réessayez dans une "
                           "minute."});
      break;
    default:
      page = message_page(json_error.status >= 500 ? 500 : json_error.status,
                          "Une erreur s'est produite",
                          {"La demande n'a pas pu aboutir. Réessayez, ou repartez de l'accueil."},
                          "/", "Retour à l'accueil");
  }
  for (const auto& h : json_error.headers)
    if (h.first == "Retry-After" || h.first == "Set-Cookie") page.headers.push_back(h);
  return page;
}

HttpResponse App::form_page(const HttpRequest& r, int status, const std::string& title,
                            const std::string& name, PageData data) {
  CsrfToken csrf = csrf_token(r, links_, random_, cookie_name(kCsrfCookie), https());
  data.set("csrf", csrf.field);
  return with_cookie(render_page(status, title, name, std::move(data)), csrf.set_cookie);
}

bool App::form_ok(const HttpRequest& r, const std::string& field) const {
  return csrf_ok(r, field, links_, cookie_name(kCsrfCookie)) && same_site(r);
}

HttpResponse App::invalid_link_page() const {
  return message_page(404, "Lien invalide",
                      {"Ce lien n'est pas valide. Vérifiez qu'il est complet : il se trouve dans "
                       "le message de confirmation de votre rendez-vous."},
                      "/", "Prendre un rendez-vous");
}

HttpResponse App::expired_form_page() const {
  return message_page(403, "Formulaire expiré",
                      {"Ce formulaire a expiré ou vient d'un autre site. Rechargez la page et "
                       "recommencez."},
                      "/", "Retour à l'accueil");
}

HttpResponse App::service_page(const HttpRequest& r, Id id, int status, const std::string& notice,
                               std::optional<Instant> around) {
  PageData d;
  std::string title;
  try {
    store_.read([&](StoreReader& s) {
      Service service = require_service(s, id);
      if (service.archived) throw ClientError(ErrorCode::kNotFound, "archived");
      auto org = s.organisation(service.organisation_id);
      Zone zone = date::locate_zone(org ? org->timezone : "Europe/Paris");
      title = service.name;
      d.set("organisation", org ? org->name : "");
      if (!service.description.empty()) d.set("description", service.description);
      d.set("duration", std::to_string(service.duration_minutes));
      d.set("modes", modes_text(service.modes));
      list docs;
      for (auto& doc : service.documents_to_bring) docs.push_back(doc);
      d.set("documents", docs);
      d.set("has_documents", !service.documents_to_bring.empty());
      list places;
      for (const Place& p : s.directory().places_offering(id, "")) {
        PageData pd;
        pd.set("name", p.name);
        pd.set("address", p.address);
        pd.set("postcode", p.postcode);
        pd.set("city", p.city);
        pd.set("opening_hours", p.opening_hours);
        pd.set("accessibility", p.accessibility);
        places.push_back(pd);
      }
      d.set("places", places);
      if (std::string label = zone_label(zone); !label.empty()) d.set("zone", label);
      SlotFilter filter;
      filter.mode = mode_of(r.param("mode"));
      filter.limit = 500;
      std::string mode_query = filter.mode ? "&mode=" + std::string(mode_name(*filter.mode)) : "";
      std::string base = "/services/" + std::to_string(id);
      add_slot_days(
          d, s, service, filter,
          around ? std::max(date::floor<date::days>(to_local(*around, zone)),
                            first_day(r, clock_.now(), zone))
                 : first_day(r, clock_.now(), zone),
          zone,
          [&](const Slot& slot) {
            return base + "/reserver?start=" + url_encode(format_rfc3339(slot.start, zone)) +
                   "&agent=" + std::to_string(slot.agent_id) +
                   "&place=" + std::to_string(slot.place_id) +
                   "&mode=" + std::string(mode_name(slot.mode));
          },
          [&](date::local_days week) {
            return base + "?semaine=" + day_key(LocalDateTime{week}) + mode_query;
          },
          std::nullopt);
    });
  } catch (const ClientError&) {
    return message_page(404, "Service introuvable",
                        {"Ce service n'existe pas ou n'est plus proposé en ligne."}, "/",
                        "Chercher un autre service");
  }
  if (!notice.empty()) d.set("notice", notice);
  return render_page(status, title, "service", d);
}

// The form to book the slot of the query (?start, agent, place, mode), with
// what was typed and the errors when it comes back.
HttpResponse App::booking_form(const HttpRequest& r, Id service_id,
                               const std::map<std::string, std::string>& values,
                               const std::vector<std::pair<std::string, std::string>>& errors,
                               int status) {
  auto get = [&](const char* name) {
    auto it = values.find(name);
    return it != values.end() ? it->second : param(r, name);
  };
  auto start = parse_rfc3339(get("start"));
  auto mode = parse_mode(get("mode"));
  PageData d = form_errors(errors);
  std::string title = "Vos coordonnées";
  bool desk = false;
  try {
    store_.read([&](StoreReader& s) {
      Service service = require_service(s, service_id);
      if (service.archived || !start || !mode) throw ClientError(ErrorCode::kNotFound, "no slot");
      auto org = s.organisation(service.organisation_id);
      Id place_id = std::atoll(get("place").c_str());
      auto place = s.place(place_id);
      if (!place || place->organisation_id != service.organisation_id)
        throw ClientError(ErrorCode::kNotFound, "no place");
      Zone zone = date::locate_zone(place->timezone);
      d.set("service", service.name);
      d.set("organisation", org ? org->name : "");
      d.set("when", french_moment(*start, zone));
      if (std::string label = zone_label(zone); !label.empty()) d.set("zone", label);
      d.set("mode", mode_label(*mode));
      if (*mode == Mode::kInPerson)
        d.set("place", place->name + (place->city.empty() ? "" : ", " + place->city));
      d.set("change_url", "/services/" + std::to_string(service_id) +
                              "?semaine=" + day_key(to_local(*start, zone)));
      // Signed-in staff book as staff of the service, desks on behalf of a visitor.
      if (r.staff && org) desk = r.staff->booking_channel(*org) == BookedBy::kDesk;
    });
  } catch (const ClientError&) {
    return message_page(404, "Créneau introuvable",
                        {"Ce créneau n'existe pas ou n'est plus proposé."}, "/",
                        "Chercher un service");
  }
  if (desk) {
    d.set("desk", true);
    d.set("consent_checked", get("mandate_consent") == "oui");
    d.set("kind_oral", get("mandate_kind") == "oral");
    d.set("kind_written", get("mandate_kind") == "written");
    d.set("mandate_procedures", get("mandate_procedures"));
    d.set("mandate_valid_until", get("mandate_valid_until"));
    list options;
    for (auto [value, label] : {std::pair{"", "—"},
                                {"identity_card", "Carte nationale d'identité"},
                                {"passport", "Passeport"},
                                {"residence_permit", "Titre de séjour"},
                                {"driving_licence", "Permis de conduire"},
                                {"other_document", "Autre document"},
                                {"known_person", "Personne connue de l'accueil"}}) {
      PageData o;
      o.set("value", value);
      o.set("label", label);
      o.set("selected", get("mandate_identity") == value);
      options.push_back(o);
    }
    d.set("identity_options", options);
  }
  std::map<std::string, std::string> field_errors;
  for (const auto& [field, message] : errors) field_errors[field] = message;
  PageData fields = resident_form_fields(values, field_errors);
  d.set("fields", *fields.get("fields"));
  d.set("action", "/services/" + std::to_string(service_id) + "/reserver");
  d.set("start", get("start"));
  d.set("agent", get("agent"));
  d.set("place_id", get("place"));
  d.set("mode_value", get("mode"));
  // The same key comes back with a resent form (from the form itself, never
  // from the URL): it books once.
  auto sent = values.find("key");
  d.set("key",
        sent != values.end() && sent->second.size() == 43 ? sent->second : new_token(random_));
  return form_page(r, status, title, "book", d);
}

HttpResponse App::book_from_form(const HttpRequest& r, Id service_id) {
  auto form = parse_query(r.body);
  if (!form_ok(r, form["csrf"])) return expired_form_page();
  if (auto limited = over_limit(booking_limiter_, r, "too many bookings"))
    return message_page(429, "Trop de demandes",
                        {"Trop de rendez-vous ont été demandés depuis votre connexion. "
                         "Réessayez dans une minute."});
  std::map<std::string, std::string> values;
  for (const char* name : {"first_name", "last_name", "email", "phone", "notes", "start", "agent",
                           "place", "mode", "key", "mandate_consent", "mandate_kind",
                           "mandate_procedures", "mandate_identity", "mandate_valid_until"})
    values[name] = form[name].substr(0, 2000);
  // What is missing is said all at once; the core checks the rest.
  std::vector<std::pair<std::string, std::string>> errors;
  if (values["first_name"].empty()) errors.push_back({"first_name", "Saisissez votre prénom."});
  if (values["last_name"].empty()) errors.push_back({"last_name", "Saisissez votre nom."});
  if (values["email"].empty() && values["phone"].empty())
    errors.push_back({"email", "Saisissez une adresse électronique ou un numéro de téléphone."});
  if (values["mode"] == "phone" && values["phone"].empty())
    errors.push_back({"phone", "Saisissez le numéro auquel l'agent vous appellera."});
  auto start = parse_rfc3339(values["start"]);
  auto mode = parse_mode(values["mode"]);
  if (!start || !mode) return booking_form(r, service_id, values, {}, 404);
  if (!errors.empty()) return booking_form(r, service_id, values, errors, 400);

  BookingRequest req;
  if (r.staff) {
    // Staff book in the services they may (403 page otherwise): desks on
    // behalf of the visitor in front of them, with the mandate.
    store_.read([&](StoreReader& s) {
      req.booked_by = require_may_book(s, *r.staff, require_service(s, service_id));
    });
    req.booked_by_account_id = r.staff->account_id();
  }
  if (req.booked_by == BookedBy::kDesk) {
    if (values["mandate_consent"] != "oui")
      errors.push_back(
          {"mandate_consent", "Cochez l'accord de la personne pour réserver en son nom."});
    if (values["mandate_kind"] != "oral" && values["mandate_kind"] != "written")
      errors.push_back({"mandate_kind", "Dites si l'accord est oral ou écrit."});
    Mandate m;
    m.kind = values["mandate_kind"];
    if (!values["mandate_procedures"].empty()) m.procedures = {values["mandate_procedures"]};
    if (!values["mandate_identity"].empty())
      m.identity_check = parse_identity_check(values["mandate_identity"]);
    if (!values["mandate_valid_until"].empty()) {
      if (!parse_local_date(values["mandate_valid_until"]))
        errors.push_back({"mandate_valid_until", "Saisissez une date, comme 31/12/2026."});
      else
        m.valid_until = values["mandate_valid_until"];
    }
    try {
      check_text(values["mandate_procedures"], TextKind::kSingleLine, "mandate_procedures");
    } catch (const ClientError&) {
      errors.push_back({"mandate_procedures", "Ces démarches contiennent des caractères refusés."});
    }
    if (!errors.empty()) return booking_form(r, service_id, values, errors, 400);
    req.mandate_json = m.to_json();
  }
  req.service_id = service_id;
  req.start = *start;
  req.mode = *mode;
  if (Id agent = std::atoll(values["agent"].c_str()); agent > 0) req.agent_id = agent;
  if (Id place = std::atoll(values["place"].c_str()); place > 0) req.place_id = place;
  req.resident = {values["first_name"], values["last_name"], values["email"], values["phone"]};
  req.notes = values["notes"];
  std::string fingerprint;
  for (const char* name :
       {"first_name", "last_name", "email", "phone", "notes", "start", "agent", "place", "mode"})
    fingerprint += values[name] + '\n';
  std::optional<IdempotencyKey> key;
  if (values["key"].size() == 43)
    // Scoped by who sends it: the account, or this browser (its CSRF cookie,
    // which form_ok checked), never a network address that others share.
    key = IdempotencyKey{
        "page:" +
            (r.staff ? "account:" + std::to_string(r.staff->account_id())
                     : "browser:" + token_hash(*r.cookie(cookie_name(kCsrfCookie)))) +
            ":" + values["key"],
        token_hash(fingerprint + req.mandate_json)};
  try {
    // The booking, made now or by the first sending of this form.
    std::string id, token;
    bookings_.book(req, key, [&](StoreReader&, const CreatedBooking& c) {
      id = std::to_string(c.booking.id);
      token = c.manage_token;
      return BookingAnswer{201, ""};
    });
    // Staff at a shared desk do not keep the resident's link in their
    // browser: the confirmation (with the link) goes to the resident.
    if (r.staff) return see_other("/espace?reserve=" + id);
    return see_other("/rendez-vous/" + id + "?token=" + token + "&nouveau=1");
  } catch (const ClientError& e) {
    switch (e.code()) {
      case ErrorCode::kSlotUnavailable:
        return service_page(r, service_id, 409,
                            "Ce créneau vient d'être pris ou n'est plus libre. Choisissez-en un "
                            "autre parmi les créneaux libres ci-dessous.",
                            start);
      case ErrorCode::kTooManyBookings:
        errors.push_back({"email",
                          "Vous avez déjà plusieurs rendez-vous à venir pour cette démarche : "
                          "annulez-en un avant d'en prendre un autre."});
        break;
      case ErrorCode::kIdempotencyKeyReused:
        values["key"] = "";  // a new form: this one was sent already with other details
        errors.push_back({"first_name",
                          "Ce formulaire a déjà servi : vérifiez vos coordonnées et envoyez-le "
                          "de nouveau."});
        break;
      default: {
        if (e.field() == "mandate.valid_until") {
          errors.push_back({"mandate_valid_until", "Cette date est déjà passée."});
          break;
        }
        std::string field = e.field().rfind("resident.", 0) == 0 ? e.field().substr(9) : e.field();
        if (field != "first_name" && field != "last_name" && field != "email" && field != "phone" &&
            field != "notes") {
          errors.push_back({"first_name",
                            "Ce rendez-vous ne peut pas être pris : vérifiez le "
                            "créneau et vos coordonnées, ou choisissez un autre "
                            "créneau."});
          break;
        }
        errors.push_back({field, french_field_error(e.field(), e.what())});
      }
    }
    return booking_form(r, service_id, values, errors, 400);
  }
}

}  // namespace rdv
