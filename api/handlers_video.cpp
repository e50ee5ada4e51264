// Video visits: the organisation's provider, the /visio/ links that open
// around the visit, and the documents residents upload for their agent.
#include <filesystem>
#include <fstream>

#include "app.h"
#include "auth.h"
#include "booking/lifecycle.h"
#include "domain/error.h"
#include "domain/text.h"
#include "error_status.h"
#include "html_page.h"
#include "net/http_client.h"
#include "net/url.h"
#include "storage/require.h"
#include "video/video_links.h"

namespace rdv {
namespace {

// The kind of an uploaded file, by its first bytes; "" when not accepted.
std::string sniff_type(const std::string& body) {
  if (body.rfind("%PDF-", 0) == 0) return "application/pdf";
  if (body.rfind("\x89PNG\r\n\x1a\n", 0) == 0) return "image/png";
  if (body.size() > 3 && static_cast<unsigned char>(body[0]) == 0xFF &&
      static_cast<unsigned char>(body[1]) == 0xD8 && static_cast<unsigned char>(body[2]) == 0xFF)
    return "image/jpeg";
  return "";
}

// A file name safe to show and to send back in Content-Disposition.
// The name shown to the agent and given back on download: no path, no
// control or bidirectional formatting characters (U+202E turns "x.pdf.exe"
// around on screen), at most 120 bytes of whole characters, and the
// extension of the type the content was sniffed as, whatever it claimed.
std::string clean_filename(std::string name, const std::string& type) {
  if (auto slash = name.find_last_of("/\\"); slash != std::string::npos)
    name = name.substr(slash + 1);
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 32 || c == 127 || c == '"' || c == '\\') continue;
    // U+200B..U+200F, U+202A..U+202E, U+2060..U+206F and U+FEFF in UTF-8.
    if (c == 0xE2 && i + 2 < name.size()) {
      auto c1 = static_cast<unsigned char>(name[i + 1]),
           c2 = static_cast<unsigned char>(name[i + 2]);
      if ((c1 == 0x80 && ((c2 >= 0x8B && c2 <= 0x8F) || (c2 >= 0xAA && c2 <= 0xAE))) ||
          (c1 == 0x81 && c2 >= 0xA0 && c2 <= 0xAF)) {
        i += 2;
        continue;
      }
    }
    if (c == 0xEF && i + 2 < name.size() && static_cast<unsigned char>(name[i + 1]) == 0xBB &&
        static_cast<unsigned char>(name[i + 2]) == 0xBF) {
      i += 2;
      continue;
    }
    out += name[i];
  }
  const std::string extension = type == "application/pdf" ? ".pdf"
                                : type == "image/png"     ? ".png"
                                                          : ".jpg";
  if (auto dot = out.rfind('.'); dot != std::string::npos) out.erase(dot);
  if (out.size() > 110) {
    size_t cut = 110;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.erase(cut);
  }
  if (out.empty()) out = "document";
  return out + extension;
}

}  // namespace

Json App::set_video(Id organisation_id, const Json& body) {
  Fields f(body);
  VideoSettings v;
  auto provider = parse_provider(f.text("provider", 20));
  if (!provider) invalid_field("provider", "must be none, jitsi, bbb or template");
  v.provider = *provider;
  v.url = f.text_or("url", "", 2000);
  v.app_id = f.text_or("app_id", "", 200);
  v.secret = f.text_or("secret", "", 500);
  v.open_minutes_before = f.integer_or("open_minutes_before", 15, 0, 240);
  f.done();
  if (v.provider != VideoProvider::kNone) {
    // A template is checked as the URL it becomes: text, then the
    // address it calls (the provider's host must not be private).
    std::string url =
        v.provider == VideoProvider::kTemplate ? template_join_url(v, "room", "token") : v.url;
    checked_url(url, "url");
    require_callable_url(url, options_.http);
    if (v.provider != VideoProvider::kTemplate && v.secret.size() < 16)
      throw ClientError(ErrorCode::kInvalidInput, "secret must be at least 16 characters",
                        "secret");
    if (v.provider == VideoProvider::kJitsi && v.app_id.empty())
      throw ClientError(ErrorCode::kInvalidInput, "app_id is required for Jitsi", "app_id");
    if (v.provider == VideoProvider::kTemplate && v.url.find("{room}") == std::string::npos)
      throw ClientError(ErrorCode::kInvalidInput, "the template must hold {room}", "url");
  }
  store_.write([&](StoreWriter& tx) {
    require_organisation(tx, organisation_id);
    tx.directory().update_organisation_video(organisation_id, v);
  });
  return {{"provider", provider_name(v.provider)},
          {"url", v.url},
          {"app_id", v.app_id},
          {"secret_set", !v.secret.empty()},
          {"open_minutes_before", v.open_minutes_before}};
}

Document App::add_document(Id id, const std::string* token, const std::string& filename,
                           const std::string* declared, const std::string& bytes) {
  // What a booking may still receive, or ClientError (409 / 413).
  auto check_room = [&](StoreReader& s) {
    Booking b = require_booking(s, id);
    if (!token || !links_.is_manage_token(id, *token))
      throw ClientError(ErrorCode::kForbidden, "the manage token of the booking is required");
    next_status(b, require_service(s, b.service_id), BookingAction::kAddDocument, Actor::kResident,
                clock_.now());
    auto documents = s.bookings().documents_of(id);
    size_t total = bytes.size();
    for (const Document& d : documents) total += static_cast<size_t>(d.size);
    if (static_cast<int>(documents.size()) >= options_.max_documents_per_booking)
      throw ClientError(ErrorCode::kDocumentLimit,
                        "this appointment already has " +
                            std::to_string(options_.max_documents_per_booking) + " documents");
    if (total > options_.max_document_bytes_per_booking)
      throw ClientError(ErrorCode::kDocumentLimit,
                        "the documents of one appointment are limited to " +
                            std::to_string(options_.max_document_bytes_per_booking >> 20) +
                            " MiB in all");
  };
  store_.read(check_room);
  if (bytes.size() > options_.max_document_bytes)
    throw ClientError(
        ErrorCode::kPayloadTooLarge,
        "documents are limited to " + std::to_string(options_.max_document_bytes >> 20) + " MiB");
  std::string type = sniff_type(bytes);
  if (type.empty() || !declared || declared->rfind(type, 0) != 0)
    throw ClientError(ErrorCode::kUnsupportedMediaType,
                      "only PDF, PNG and JPEG files are accepted");
  Document d;
  d.booking_id = id;
  d.filename = clean_filename(filename, type);
  d.content_type = type;
  d.size = static_cast<std::int64_t>(bytes.size());
  d.stored_name = new_token(random_);
  d.created_at = clock_.now();
  std::filesystem::path dir = std::filesystem::path(options_.documents_dir) / std::to_string(id);
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / d.stored_name, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write the document");
  }
  std::filesystem::permissions(dir / d.stored_name, std::filesystem::perms::owner_read |
                                                        std::filesystem::perms::owner_write);
  try {
    // Checked again where the row is written: two uploads at once cannot both fit.
    store_.write([&](StoreWriter& tx) {
      check_room(tx);
      d.id = tx.bookings().insert_document(d);
    });
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(dir / d.stored_name, ignored);
    throw;
  }
  return d;
}

void App::add_video_routes() {
  router_.add("PUT", "/api/v1/organisations/{org}/video",
              [this](const HttpRequest& r, const PathParams& p) {
                require_org_admin_of(r, p.id(0));
                return json_response(200, set_video(p.id(0), parse_json_object(r)));
              });

  // The link of the resident or of the agent: to the provider around the
  // visit, a page in French otherwise.
  // Waits on BigBlueButton's create call when that is the provider.
  router_.add_waiting("GET", "/visio/{token}", [this](const HttpRequest&, const PathParams& p) {
    auto who = links_.visio_booking(p.text(0));
    if (!who) return html_page(404, "Lien invalide", "<p>Ce lien de visio n'est pas valide.</p>\n");
    std::optional<Booking> b;
    std::optional<Organisation> org;
    std::optional<Service> service;
    std::optional<Agent> agent;
    std::string zone_name = "Europe/Paris";
    store_.read([&](StoreReader& s) {
      b = s.booking(who->first);
      if (!b) return;
      service = s.service(b->service_id);
      org = service ? s.organisation(service->organisation_id) : std::nullopt;
      agent = s.agent(b->agent_id);
      if (auto place = s.place(b->place_id)) zone_name = place->timezone;
    });
    if (!b || !org || b->mode != Mode::kVideo || org->video.provider == VideoProvider::kNone)
      return html_page(404, "Lien invalide", "<p>Ce lien de visio n'est pas valide.</p>\n");
    Zone zone = date::locate_zone(zone_name);
    auto local = to_local(b->start, zone);
    std::string when =
        "le " + date::format("%d/%m/%Y", local) + " à " + date::format("%H:%M", local);
    switch (visio_state(*b, org->video, clock_.now())) {
      case VisioState::kCancelled:
        return html_page(410, "Rendez-vous annulé", "<p>Ce rendez-vous a été annulé.</p>\n");
      case VisioState::kOver:
        return html_page(410, "Rendez-vous terminé", "<p>Ce rendez-vous est terminé.</p>\n");
      case VisioState::kTooEarly: {
        std::string docs;
        for (const auto& d : service->documents_to_bring) docs += "<li>" + escape_html(d) + "</li>";
        return html_page(
            200, "Votre rendez-vous en visio",
            "<p>Votre rendez-vous « " + escape_html(service->name) + " » commence " + when +
                ".</p>\n<p>Ce lien s'ouvrira " + std::to_string(org->video.open_minutes_before) +
                " minutes avant le début. Revenez à ce moment-là.</p>\n" +
                (docs.empty() ? ""
                              : "<p>Pièces à avoir sous la main :</p><ul>" + docs + "</ul>\n"));
      }
      case VisioState::kOpen:
        break;
    }
    bool is_agent = who->second;
    VideoParticipant person =
        is_agent ? VideoParticipant{agent->name, agent->email, true}
                 : VideoParticipant{b->resident.first_name + " " + b->resident.last_name,
                                    b->resident.email, false};
    std::string room = links_.video_room(b->id);
    const VideoSettings& v = org->video;
    std::string target;
    if (v.provider == VideoProvider::kJitsi) {
      target = jitsi_join_url(v, room, person, visio_window(*b, v));
    } else if (v.provider == VideoProvider::kBbb) {
      // The meeting is created on demand (creating it again is harmless).
      OutgoingRequest create;
      create.url = bbb_create_url(v, room, service->name + " — " + org->name);
      IncomingResponse answer = send_http(options_.http, create);
      if (answer.status != 200 || answer.body.find("SUCCESS") == std::string::npos)
        return html_page(502, "Visio indisponible",
                         "<p>Le service de visio ne répond pas. Réessayez dans un instant.</p>\n");
      target = bbb_join_url(v, room, person);
    } else {
      target = template_join_url(v, room, p.text(0));
    }
    return HttpResponse{302, "text/html; charset=utf-8", "", {{"Location", target}}};
  });

  router_.add(
      "POST", "/api/v1/bookings/{id}/documents", [this](const HttpRequest& r, const PathParams& p) {
        Id id = p.id(0);
        if (auto limited = over_limit(document_limiter_, r, "too many uploads, retry later"))
          return *limited;
        const std::string* filename = r.header("x-filename");
        Document d = add_document(id, r.param("token"), filename ? *filename : "document",
                                  r.header("content-type"), r.body);
        return json_response(201, {{"id", d.id},
                                   {"filename", d.filename},
                                   {"content_type", d.content_type},
                                   {"size", d.size}});
      });

  router_.add("GET", "/api/v1/bookings/{id}/documents",
              [this](const HttpRequest& r, const PathParams& p) {
                Id id = p.id(0);
                Json out = Json::array();
                store_.read([&](StoreReader& s) {
                  authorize_booking(s, r, require_booking(s, id));
                  for (const Document& d : s.bookings().documents_of(id))
                    out.push_back({{"id", d.id},
                                   {"filename", d.filename},
                                   {"content_type", d.content_type},
                                   {"size", d.size}});
                });
                return json_response(200, out);
              });

  // The file itself: only for the agent of the booking.
  router_.add(
      "GET", "/api/v1/bookings/{id}/documents/{doc}",
      [this](const HttpRequest& r, const PathParams& p) {
        Id id = p.id(0), doc = p.id(1);
        std::optional<Document> found;
        store_.read([&](StoreReader& s) {
          Booking b = require_booking(s, id);
          if (require_staff(r).agent_id() != b.agent_id)
            throw ClientError(ErrorCode::kForbidden,
                              "only the agent of the booking may read its documents");
          for (const Document& d : s.bookings().documents_of(id))
            if (d.id == doc) found = d;
        });
        if (!found) throw ClientError(ErrorCode::kNotFound, "document not found");
        std::ifstream in(
            std::filesystem::path(options_.documents_dir) / std::to_string(id) / found->stored_name,
            std::ios::binary);
        if (!in) throw ClientError(ErrorCode::kNotFound, "document not found");
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return HttpResponse{
            200,
            found->content_type,
            std::move(bytes),
            {{"Content-Disposition", "attachment; filename=\"" + found->filename + "\""}}};
      });
}

}  // namespace rdv
