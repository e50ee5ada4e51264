// "Mes rendez-vous": a resident asks for a sign-in link by email or SMS (no
// password), follows it, and sees every booking of that contact with the
// link to manage each. The answer never says whether the contact has
// bookings; links and sessions are short-lived (booking/resident_access.h).
#include <algorithm>

#include "app.h"
#include "booking/resident_access.h"
#include "csrf.h"
#include "domain/contact.h"
#include "domain/error.h"
#include "domain/french_dates.h"
#include "render.h"

namespace rdv {
namespace {

using kainjow::mustache::list;

constexpr const char* kMyBookings = "/mes-rendez-vous";

HttpResponse expired_link_page() {
  return message_page(410, "Lien expiré",
                      {"Ce lien a expiré : demandez-en un nouveau. Un lien sert une fois, pendant "
                       "30 minutes."},
                      kMyBookings, "Demander un nouveau lien");
}

std::string field_value(std::map<std::string, std::string>& form, const char* name, size_t max) {
  std::string v = form[name];
  auto first = v.find_first_not_of(" \t");
  auto last = v.find_last_not_of(" \t");
  v = first == std::string::npos ? "" : v.substr(first, last - first + 1);
  return v.substr(0, max);
}

}  // namespace

std::string App::resident_cookie_name() const {
  // __Host-: only this host may set it, with Secure and Path=/.
  return cookie_name("rdv_resident");
}

std::string App::resident_cookie(const std::string& token) const {
  std::string cookie = resident_cookie_name() + "=" + token + "; Path=/; HttpOnly; SameSite=Lax";
  if (https()) cookie += "; Secure";
  cookie += token.empty()
                ? "; Max-Age=0"
                : "; Max-Age=" + std::to_string(residents_.policy().session_valid.count() * 60);
  return cookie;
}

HttpResponse App::my_bookings_form(const HttpRequest& r, int status,
                                   const std::map<std::string, std::string>& values,
                                   const std::vector<std::pair<std::string, std::string>>& errors) {
  PageData d = form_errors(errors);
  bool sms = options_.notifications.sms;
  d.set("sms", sms);
  d.set("can_send", options_.notifications.email || sms);
  for (const char* name : {"email", "phone"}) {
    auto v = values.find(name);
    d.set(name, v == values.end() ? "" : v->second);
  }
  if (r.param("deconnecte")) d.set("signed_out", true);
  if (r.param("expire")) d.set("session_ended", true);
  return form_page(r, status, "Mes rendez-vous", "my_bookings_ask", d);
}

HttpResponse App::my_bookings_list(const HttpRequest& r, const ResidentContact& contact) {
  PageData d;
  Instant now = clock_.now();
  list coming, past;
  store_.read([&](StoreReader& s) {
    std::vector<Booking> all = s.bookings().of_contact(contact.email, contact.phone);
    // Coming soonest first; past ones most recent first.
    std::stable_partition(all.begin(), all.end(), [&](const Booking& b) {
      return b.status != BookingStatus::kCancelled && b.end > now;
    });
    for (const Booking& b : all) {
      auto service = s.service(b.service_id);
      auto org = service ? s.organisation(service->organisation_id) : std::nullopt;
      auto place = s.place(b.place_id);
      Zone zone = date::locate_zone(place ? place->timezone : "Europe/Paris");
      static const std::map<BookingStatus, const char*> statuses = {
          {BookingStatus::kConfirmed, "Confirmé"},
          {BookingStatus::kCancelled, "Annulé"},
          {BookingStatus::kDone, "Terminé"},
          {BookingStatus::kNoShow, "Absent au rendez-vous"}};
      PageData item;
      item.set("service", service ? service->name : "");
      item.set("organisation", org ? org->name : "");
      item.set("when", french_moment(b.start, zone));
      set_text(item, "zone", zone_label(zone));
      item.set("mode", mode_label(b.mode));
      item.set("status", statuses.at(b.status));
      item.set("url",
               "/rendez-vous/" + std::to_string(b.id) + "?token=" + links_.manage_token(b.id));
      bool is_coming = b.status != BookingStatus::kCancelled && b.end > now;
      if (is_coming)
        coming.push_back(item);
      else
        past.insert(past.begin(), item);
    }
  });
  list groups;
  for (auto [title, items, empty] :
       {std::tuple{"À venir", &coming, "Aucun rendez-vous à venir."},
        std::tuple{"Passés ou annulés", &past, "Aucun rendez-vous passé."}}) {
    PageData g;
    g.set("title", title);
    g.set("items", *items);
    g.set("has_items", !items->empty());
    g.set("empty_text", empty);
    groups.push_back(g);
  }
  d.set("groups", groups);
  d.set("contact", contact.email.empty() ? "le " + contact.phone : contact.email);
  return form_page(r, 200, "Mes rendez-vous", "my_bookings", d);
}

void App::add_my_bookings_pages() {
  router_.add("GET", kMyBookings, [this](const HttpRequest& r, const PathParams&) {
    if (auto cookie = r.cookie(resident_cookie_name()); cookie && !cookie->empty()) {
      if (auto contact = residents_.session(*cookie)) return my_bookings_list(r, *contact);
      // An ended session: its cookie goes, the form says why.
      HttpResponse go = see_other(std::string(kMyBookings) + "?expire=1");
      go.headers.emplace_back("Set-Cookie", resident_cookie(""));
      return go;
    }
    return my_bookings_form(r, 200, {}, {});
  });

  router_.add("POST", kMyBookings, [this](const HttpRequest& r, const PathParams&) {
    auto form = parse_query(r.body);
    if (!form_ok(r, form["csrf"])) return expired_form_page();
    if (auto limited = over_limit(resident_link_limiter_, r, "too many requests, retry later"))
      return *limited;
    std::map<std::string, std::string> values = {{"email", field_value(form, "email", 254)},
                                                 {"phone", field_value(form, "phone", 30)}};
    bool sms = options_.notifications.sms;
    ResidentContact contact;
    std::vector<std::pair<std::string, std::string>> errors;
    if (!options_.notifications.email && !sms) return my_bookings_form(r, 200, {}, {});
    if (values["email"].empty() && values["phone"].empty()) {
      errors.push_back({"email", sms ? "Saisissez votre adresse électronique ou votre numéro "
                                       "de mobile."
                                     : "Saisissez votre adresse électronique."});
    } else if (!values["email"].empty() && !values["phone"].empty()) {
      errors.push_back({"phone",
                        "Remplissez un seul des deux champs : l'adresse électronique ou le "
                        "numéro de mobile."});
    } else if (!values["phone"].empty() && !sms) {
      errors.push_back({"email",
                        "Le lien ne peut être envoyé que par courriel : saisissez votre adresse "
                        "électronique."});
    } else if (!values["email"].empty()) {
      try {
        contact.email = checked_mailbox(values["email"], "email");
      } catch (const ClientError&) {
        errors.push_back({"email",
                          "Saisissez une adresse électronique valide, comme "
                          "nom@exemple.fr."});
      }
      if (!options_.notifications.email && errors.empty())
        errors.push_back({"email",
                          "L'envoi par courriel n'est pas disponible : saisissez votre "
                          "numéro de mobile."});
    } else {
      try {
        contact.phone = checked_french_phone(values["phone"], "phone");
      } catch (const ClientError&) {
        errors.push_back({"phone", "Saisissez un numéro de mobile valide, comme 06 12 34 56 78."});
      }
    }
    if (!errors.empty()) return my_bookings_form(r, 400, values, errors);
    residents_.request_link(contact);
    // The same answer whether the contact has bookings or not.
    return message_page(200, "Vérifiez votre messagerie",
                        {contact.email.empty()
                             ? "Si des rendez-vous ont été pris avec le numéro " + values["phone"] +
                                   ", un SMS avec un lien pour les voir vient d'y être envoyé."
                             : "Si des rendez-vous ont été pris avec l'adresse " + contact.email +
                                   ", un message avec un lien pour les voir vient d'y être envoyé.",
                         "Le lien sert une fois, pendant 30 minutes. Pensez à regarder dans les "
                         "courriers indésirables.",
                         "Rien reçu ? Vérifiez l'adresse ou le numéro, ou retrouvez chaque "
                         "rendez-vous avec le lien de son message de confirmation."},
                        kMyBookings, "Faire une nouvelle demande");
  });

  // Mail scanners follow links: the GET only shows a button.
  router_.add("GET", kResidentLinkPath, [this](const HttpRequest& r, const PathParams&) {
    const std::string* token = r.param("token");
    if (!token || token->size() > 100 || !residents_.link_usable(*token))
      return expired_link_page();
    PageData d;
    d.set("token", *token);
    d.set("action", kResidentLinkPath);
    d.set("session_minutes", std::to_string(residents_.policy().session_valid.count()));
    // (The server's Referrer-Policy, same-origin, keeps the token from other sites.)
    return form_page(r, 200, "Mes rendez-vous", "my_bookings_confirm", d);
  });

  router_.add("POST", kResidentLinkPath, [this](const HttpRequest& r, const PathParams&) {
    auto form = parse_query(r.body);
    if (!form_ok(r, form["csrf"])) return expired_form_page();
    std::string token = form["token"];
    auto session = token.size() > 100 ? std::nullopt : residents_.open_session(token);
    if (!session) return expired_link_page();
    HttpResponse go = see_other(kMyBookings);
    go.headers.emplace_back("Set-Cookie", resident_cookie(*session));
    return go;
  });

  router_.add("POST", "/mes-rendez-vous/deconnexion",
              [this](const HttpRequest& r, const PathParams&) {
                auto form = parse_query(r.body);
                if (!form_ok(r, form["csrf"])) return expired_form_page();
                if (auto cookie = r.cookie(resident_cookie_name()); cookie && !cookie->empty())
                  residents_.end_session(*cookie);
                HttpResponse go = see_other(std::string(kMyBookings) + "?deconnecte=1");
                go.headers.emplace_back("Set-Cookie", resident_cookie(""));
                return go;
              });
}

}  // namespace rdv
