// What the link of every message to a resident opens: their booking's page
// (see, add to a calendar, cancel, move, stop reminders, send documents for
// a video visit, join the video), and staff moving a booking for the person.
// Every rule is the core's life cycle and use cases.
#include <functional>
#include <map>

#include "app.h"
#include "auth.h"
#include "booking/lifecycle.h"
#include "csrf.h"
#include "domain/error.h"
#include "domain/french_dates.h"
#include "net/multipart.h"
#include "net/url.h"
#include "render.h"
#include "storage/require.h"
#include "video/video_links.h"

namespace rdv {
namespace {

using kainjow::mustache::list;

// "2,5 Mo", "120 ko": a file's size for people.
std::string french_size(std::int64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + " octets";
  if (bytes < 1000 * 1000) return std::to_string((bytes + 999) / 1000) + " ko";
  std::int64_t tenths = (bytes + 99999) / 100000;
  return std::to_string(tenths / 10) + "," + std::to_string(tenths % 10) + " Mo";
}

}  // namespace

HttpResponse App::change_refused_page(Id id, const std::string& token,
                                      const ClientError& why) const {
  std::string reason = why.code() == ErrorCode::kAlreadyCancelled ? "il est déjà annulé"
                       : why.code() == ErrorCode::kCancellationClosed
                           ? "il est trop tard pour le modifier en ligne"
                           : "ce rendez-vous ne peut plus être modifié";
  return message_page(409, "Mon rendez-vous",
                      {"Ce changement n'est pas possible : " + reason + ".",
                       "Pour toute question, appelez le service."},
                      "/rendez-vous/" + std::to_string(id) + "?token=" + token,
                      "Revenir à mon rendez-vous");
}

HttpResponse App::manage_page(const HttpRequest& r, Id id, const std::string& token, int status,
                              const std::vector<std::pair<std::string, std::string>>& errors) {
  if (!links_.is_manage_token(id, token)) return invalid_link_page();
  PageData d = form_errors(errors);
  store_.read([&](StoreReader& s) {
    Booking b = require_booking(s, id);
    auto [service, org, place, zone] = set_booking_facts(d, s, b);
    static const std::map<BookingStatus, const char*> statuses = {
        {BookingStatus::kConfirmed, "Confirmé"},
        {BookingStatus::kCancelled, "Annulé"},
        {BookingStatus::kDone, "Terminé"},
        {BookingStatus::kNoShow, "Absent au rendez-vous"}};
    d.set("status", statuses.at(b.status));
    // Documents to bring matter while the visit is to come.
    d.set("has_documents",
          !service.documents_to_bring.empty() && b.status == BookingStatus::kConfirmed);
    bool active = b.status == BookingStatus::kConfirmed && b.end > clock_.now();
    d.set("active", active);
    d.set("cancelled", b.status == BookingStatus::kCancelled);
    d.set("can_change", allows(b, service, BookingAction::kCancel, Actor::kResident, clock_.now()));
    std::string base = "/rendez-vous/" + std::to_string(id);
    d.set("ics_url", "/api/v1/bookings/" + std::to_string(id) + "/calendar.ics?token=" + token);
    d.set("move_url", base + "/deplacer?token=" + token);
    d.set("cancel_action", base + "/annuler");
    d.set("again_url", "/services/" + std::to_string(service.id));
    if (r.param("nouveau")) {
      d.set("created", true);
      std::string contact = !b.resident.email.empty()   ? "à " + b.resident.email
                            : !b.resident.phone.empty() ? "par SMS"
                                                        : "";
      if (!contact.empty()) d.set("contact", contact);
    }
    if (r.param("deplace")) d.set("moved", true);
    if (r.param("envoye")) d.set("uploaded", true);
    add_manage_extras(d, s, b, service, org, zone);
  });
  d.set("token", token);
  return form_page(r, status, "Mon rendez-vous", "booking", d);
}

HttpResponse App::move_page(const HttpRequest& r, Id id, MoveBy by, const std::string& token,
                            const std::string& notice) {
  bool staff = by == MoveBy::kStaff;
  if (!staff && !links_.is_manage_token(id, token)) return invalid_link_page();
  std::string base = (staff ? "/espace/rendez-vous/" : "/rendez-vous/") + std::to_string(id);
  std::string back = staff ? base : base + "?token=" + token;
  std::string page = base + "/deplacer" + (staff ? "" : "?token=" + token);
  std::string query = page + (staff ? "?" : "&");  // what a slot's or a week's link adds to
  PageData d;
  bool closed = false;
  store_.read([&](StoreReader& s) {
    Booking b = require_booking(s, id);
    Service service = require_service(s, b.service_id);
    closed = !allows(b, service, BookingAction::kReschedule,
                     staff ? Actor::kStaff : Actor::kResident, clock_.now());
    if (closed) return;
    auto place = s.place(b.place_id);
    Zone zone = date::locate_zone(place ? place->timezone : "Europe/Paris");
    d.set("current", french_moment(b.start, zone));
    if (auto chosen = parse_rfc3339(param(r, "start"))) {
      d.set("choice", true);
      d.set("start", format_rfc3339(*chosen, zone));
      d.set("when", french_moment(*chosen, zone));
      d.set("back_url", page);
      return;
    }
    SlotFilter filter;
    filter.mode = b.mode;
    filter.place_id = b.place_id;
    filter.limit = 500;
    add_slot_days(
        d, s, service, filter, first_day(r, clock_.now(), zone), zone,
        [&](const Slot& slot) {
          return query + "start=" + url_encode(format_rfc3339(slot.start, zone));
        },
        [&](date::local_days week) { return query + "semaine=" + day_key(LocalDateTime{week}); },
        b.id);
  });
  if (closed)
    return message_page(409, "Déplacer le rendez-vous",
                        {"Ce rendez-vous ne peut plus être déplacé en ligne. Pour toute "
                         "question, appelez le service."},
                        back, "Revenir au rendez-vous");
  set_text(d, "token", token);
  d.set("action", base + "/deplacer");
  d.set("staff", staff);
  if (!notice.empty()) d.set("notice", notice);
  return form_page(r, notice.empty() ? 200 : 409,
                   staff ? "Déplacer le rendez-vous" : "Déplacer mon rendez-vous", "move", d);
}

void App::add_manage_extras(PageData& d, StoreReader& s, const Booking& b, const Service& service,
                            const std::optional<Organisation>& org, Zone zone) {
  Instant now = clock_.now();
  auto allowed = [&](BookingAction action) {
    return allows(b, service, action, Actor::kResident, now);
  };
  std::string base = "/rendez-vous/" + std::to_string(b.id);
  // Reminders go before the visit: the choice is shown until it starts.
  if (b.status == BookingStatus::kConfirmed && b.start > now) {
    d.set("show_reminders", true);
    d.set("reminders_off", b.reminders_opt_out);
    d.set("can_stop_reminders", !b.reminders_opt_out && allowed(BookingAction::kStopReminders));
    d.set("stop_action", base + "/rappels");
  }
  if (b.mode != Mode::kVideo) return;
  list sent;
  for (const Document& doc : s.bookings().documents_of(b.id)) {
    PageData item;
    item.set("name", doc.filename);
    item.set("size", french_size(doc.size));
    sent.push_back(item);
  }
  d.set("has_sent", !sent.empty());
  d.set("sent", sent);
  bool can_upload = allowed(BookingAction::kAddDocument);
  d.set("show_upload", can_upload || !sent.empty());
  d.set("can_upload", can_upload);
  d.set("upload_action", base + "/documents");
  d.set("accepted",
        "Fichiers PDF, PNG ou JPEG, de " + std::to_string(options_.max_document_bytes >> 20) +
            " Mo au plus chacun ; " + std::to_string(options_.max_documents_per_booking) +
            " fichiers et " + std::to_string(options_.max_document_bytes_per_booking >> 20) +
            " Mo au plus en tout.");
  if (!org || org->video.provider == VideoProvider::kNone) return;
  switch (visio_state(b, org->video, now)) {
    case VisioState::kOpen:
      d.set("visio_url", visio_url(b, false));
      break;
    case VisioState::kTooEarly:
      d.set("visio_from", french_moment(visio_window(b, org->video).start, zone));
      break;
    default:
      break;
  }
}

HttpResponse App::upload_from_page(const HttpRequest& r, Id id) {
  // Counted before the body is read: parsing 10 MiB is work too.
  if (auto limited = over_limit(document_limiter_, r, "too many uploads, retry later"))
    return *limited;
  const std::string* type = r.header("content-type");
  MultipartLimits limits;
  // The server caps the body; a file too big gets add_document's own message.
  limits.max_file_bytes = r.body.size();
  std::vector<MultipartPart> parts =
      parse_multipart(r.body, multipart_boundary(type ? *type : ""), limits);
  auto field = [&](const char* name) {
    const MultipartPart* p = find_part(parts, name);
    return p && !p->is_file ? p->body : std::string();
  };
  std::string token = field("token");
  if (!links_.is_manage_token(id, token)) return invalid_link_page();
  if (!form_ok(r, field("csrf"))) return expired_form_page();
  const MultipartPart* file = find_part(parts, "fichier");
  if (!file || !file->is_file || (file->filename.empty() && file->body.empty()))
    return manage_page(r, id, token, 400, {{"fichier", "Choisissez le fichier à envoyer."}});
  std::string problem;
  try {
    add_document(id, &token, file->filename, &file->content_type, file->body);
  } catch (const ClientError& e) {
    std::string mib = std::to_string(options_.max_document_bytes >> 20);
    switch (e.code()) {
      case ErrorCode::kPayloadTooLarge:
        problem = "Ce fichier est trop gros : " + mib + " Mo au plus par fichier.";
        break;
      case ErrorCode::kUnsupportedMediaType:
        problem =
            "Ce type de fichier n'est pas accepté : envoyez un PDF, ou une image PNG ou JPEG.";
        break;
      case ErrorCode::kDocumentLimit: {
        // Which limit: the number of files, or their total size.
        size_t sent = 0;
        store_.read([&](StoreReader& s) { sent = s.bookings().documents_of(id).size(); });
        problem = static_cast<int>(sent) >= options_.max_documents_per_booking
                      ? "Vous avez déjà envoyé " +
                            std::to_string(options_.max_documents_per_booking) +
                            " documents, le nombre maximum pour ce rendez-vous."
                      : "Ce fichier dépasse la place restante : " +
                            std::to_string(options_.max_document_bytes_per_booking >> 20) +
                            " Mo au plus en tout pour ce rendez-vous.";
        break;
      }
      case ErrorCode::kForbidden:
        return invalid_link_page();
      default:
        return change_refused_page(id, token, e);
    }
  }
  if (!problem.empty()) return manage_page(r, id, token, 400, {{"fichier", problem}});
  return see_other("/rendez-vous/" + std::to_string(id) + "?token=" + token +
                   "&envoye=1#documents");
}

void App::add_manage_page_routes() {
  // A resident's form on their booking's page: the booking's link and this
  // browser's CSRF token checked, then `act`.
  using ResidentAction = std::function<HttpResponse(
      const HttpRequest&, Id, const std::string& token, std::map<std::string, std::string>& form)>;
  auto resident_form = [this](ResidentAction act) {
    return [this, act](const HttpRequest& r, const PathParams& p) {
      auto form = parse_query(r.body);
      Id id = p.id(0);
      std::string token = form["token"];
      if (!links_.is_manage_token(id, token)) return invalid_link_page();
      if (!form_ok(r, form["csrf"])) return expired_form_page();
      return act(r, id, token, form);
    };
  };

  router_.add("GET", "/rendez-vous/{id}", [this](const HttpRequest& r, const PathParams& p) {
    return manage_page(r, p.id(0), param(r, "token"));
  });

  router_.add(
      "POST", "/rendez-vous/{id}/annuler",
      resident_form([this](const HttpRequest&, Id id, const std::string& token,
                           std::map<std::string, std::string>&) {
        try {
          bookings_.cancel(id, Actor::kResident, "");
        } catch (const ClientError& e) {
          return change_refused_page(id, token, e);
        }
        return see_other("/rendez-vous/" + std::to_string(id) + "?token=" + token + "&annule=1");
      }));

  router_.add("GET", "/rendez-vous/{id}/deplacer",
              [this](const HttpRequest& r, const PathParams& p) {
                return move_page(r, p.id(0), MoveBy::kResident, param(r, "token"), "");
              });

  router_.add(
      "POST", "/rendez-vous/{id}/deplacer",
      resident_form([this](const HttpRequest& r, Id id, const std::string& token,
                           std::map<std::string, std::string>& form) {
        auto start = parse_rfc3339(form["start"]);
        if (!start)
          return move_page(r, id, MoveBy::kResident, token, "Choisissez un créneau dans la liste.");
        try {
          bookings_.reschedule(id, *start, std::nullopt, Actor::kResident);
        } catch (const ClientError& e) {
          if (e.code() == ErrorCode::kSlotUnavailable)
            return move_page(r, id, MoveBy::kResident, token,
                             "Ce créneau vient d'être pris. Choisissez-en un autre parmi les "
                             "créneaux libres.");
          return change_refused_page(id, token, e);
        }
        return see_other("/rendez-vous/" + std::to_string(id) + "?token=" + token + "&deplace=1");
      }));

  router_.add(
      "POST", "/rendez-vous/{id}/rappels",
      resident_form([this](const HttpRequest&, Id id, const std::string& token,
                           std::map<std::string, std::string>&) {
        try {
          bookings_.stop_reminders(id);
        } catch (const ClientError& e) {
          return change_refused_page(id, token, e);
        }
        return see_other("/rendez-vous/" + std::to_string(id) + "?token=" + token + "#rappels");
      }));

  // The body's limit (api/main.cpp) is raised for POSTs ending in
  // "/documents": a file of max_document_bytes and the form around it.
  router_.add(
      "POST", "/rendez-vous/{id}/documents",
      [this](const HttpRequest& r, const PathParams& p) { return upload_from_page(r, p.id(0)); });
}

}  // namespace rdv
