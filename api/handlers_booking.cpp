// What residents and desks do: search, see free slots, book, cancel, move.
#include <map>

#include "app.h"
#include "auth.h"
#include "booking/agendas.h"
#include "booking/mandate.h"
#include "booking/service_search.h"
#include "domain/error.h"
#include "domain/text.h"
#include "error_status.h"
#include "query_params.h"
#include "storage/require.h"

namespace rdv {
namespace {

constexpr auto kMaxSlotWindow = std::chrono::days{93};

std::optional<Mode> mode_param(const HttpRequest& r) {
  const std::string* v = r.param("mode");
  if (!v || v->empty()) return std::nullopt;
  auto m = parse_mode(*v);
  if (!m) throw ClientError(ErrorCode::kInvalidInput, "mode must be in_person, video or phone");
  return m;
}

// Zones of places, looked up once per request.
class PlaceZones {
 public:
  explicit PlaceZones(StoreReader& r) : r_(r) {}
  Zone of(Id place_id) {
    auto it = zones_.find(place_id);
    if (it != zones_.end()) return it->second;
    auto p = r_.place(place_id);
    Zone z = date::locate_zone(p ? p->timezone : "Europe/Paris");
    zones_.emplace(place_id, z);
    return z;
  }

 private:
  StoreReader& r_;
  std::map<Id, Zone> zones_;
};

std::string slots_json(StoreReader& r, const std::vector<Slot>& slots) {
  PlaceZones zones(r);
  std::string out = "[";
  out.reserve(130 * slots.size() + 2);
  for (const Slot& s : slots) {
    if (out.size() > 1) out += ',';
    append_json(out, s, zones.of(s.place_id));
  }
  return out + "]";
}

Resident resident_fields(const Json* j) {
  if (!j) throw ClientError(ErrorCode::kInvalidInput, "resident is required");
  Fields f(*j, "resident.");
  Resident r;
  r.first_name = f.text_or("first_name", "", 100);
  r.last_name = f.text_or("last_name", "", 100);
  r.email = f.text_or("email", "", 200);
  r.phone = f.text_or("phone", "", 30);
  f.done();
  return r;
}

// What a desk records when it books for a visitor: that the visitor agreed.
std::string mandate_fields(const Json* j) {
  if (!j) return "";
  Fields f(*j, "mandate.");
  if (f.opt_bool("consent") != true) invalid_field("mandate.consent", "must be true");
  Mandate m;
  m.kind = f.text("kind", 20);
  if (m.kind != "oral" && m.kind != "written")
    invalid_field("mandate.kind", "must be oral or written");
  m.reference = f.text_or("reference", "", 200);
  m.procedures = f.strings_or("procedures", {}, 10, 200);
  if (auto check = f.opt_text("identity_check", 40)) {
    m.identity_check = parse_identity_check(*check);
    if (!m.identity_check)
      invalid_field("mandate.identity_check",
                    "must be identity_card, passport, residence_permit, driving_licence, "
                    "other_document or known_person (the kind of document, never its number)");
  }
  if (auto until = f.opt_text("valid_until", 10)) {
    if (until->size() != 10 || !parse_local_date_time(*until + "T00:00"))
      invalid_field("mandate.valid_until", "must be a date, YYYY-MM-DD");
    m.valid_until = *until;
  }
  f.done();
  return m.to_json();
}

// The mandate as the wire shows it: what was recorded, by whom and when.
Json mandate_json(const Booking& b, Zone zone) {
  auto m = Mandate::from_json(b.mandate_json);
  if (!m) return nullptr;
  Json j = {{"consent", true},
            {"kind", m->kind},
            {"procedures", m->procedures},
            {"identity_check",
             m->identity_check ? Json(identity_check_name(*m->identity_check)) : Json(nullptr)},
            {"valid_until", m->valid_until ? Json(*m->valid_until) : Json(nullptr)},
            {"recorded_by_account_id",
             b.booked_by_account_id ? Json(*b.booked_by_account_id) : Json(nullptr)},
            {"recorded_at", format_rfc3339(b.created_at, zone)},
            {"withdrawn_at",
             m->withdrawn_at ? Json(format_rfc3339(*m->withdrawn_at, zone)) : Json(nullptr)}};
  if (!m->reference.empty()) j["reference"] = m->reference;
  return j;
}

}  // namespace

std::string App::visio_url(const Booking& b, bool agent) const {
  return options_.public_url + "/visio/" + links_.visio_token(b.id, agent);
}

Json App::booking_json(StoreReader& r, const Booking& b, const std::string& manage_token,
                       bool agent_view) {
  return booking_json(r.place(b.place_id), b, manage_token, agent_view);
}

Json App::booking_json(const std::optional<Place>& place, const Booking& b,
                       const std::string& manage_token, bool agent_view) {
  Zone zone = date::locate_zone(place ? place->timezone : "Europe/Paris");
  Json j = {{"id", b.id},
            {"status", status_name(b.status)},
            {"service_id", b.service_id},
            {"agent_id", b.agent_id},
            {"place_id", b.place_id},
            {"mode", mode_name(b.mode)},
            {"start", format_rfc3339(b.start, zone)},
            {"end", format_rfc3339(b.end, zone)},
            {"booked_by", booked_by_name(b.booked_by)},
            {"resident",
             {{"first_name", b.resident.first_name},
              {"last_name", b.resident.last_name},
              {"email", b.resident.email},
              {"phone", b.resident.phone}}},
            {"notes", b.notes},
            {"created_at", format_rfc3339(b.created_at, zone)}};
  if (!b.mandate_json.empty()) j["mandate"] = mandate_json(b, zone);
  if (!b.cancel_reason.empty()) j["cancel_reason"] = b.cancel_reason;
  if (!b.summary.empty()) j["summary"] = b.summary;
  if (b.mode == Mode::kVideo) j["video_url"] = visio_url(b, agent_view);
  j["reminders_opt_out"] = b.reminders_opt_out;
  if (!manage_token.empty()) {
    j["manage_token"] = manage_token;
    std::string base = options_.public_url + "/api/v1/bookings/" + std::to_string(b.id);
    j["manage_url"] = booking_page_url(options_.public_url, b.id, manage_token);
    j["ics_url"] = base + "/calendar.ics?token=" + manage_token;
  }
  return j;
}

Actor App::authorize_booking(StoreReader& r, const HttpRequest& request, const Booking& b) {
  if (const std::string* token = request.param("token")) {
    if (!links_.is_manage_token(b.id, *token))
      throw ClientError(ErrorCode::kForbidden, "invalid manage token");
    return Actor::kResident;
  }
  if (!may_manage_booking(r, require_staff(request), b, clock_.now()))
    throw ClientError(ErrorCode::kForbidden,
                      "this booking belongs to another agent or organisation");
  return Actor::kStaff;
}

HttpResponse App::slots(const HttpRequest& request) {
  auto service_id = id_param(request, "service");
  if (!service_id) throw ClientError(ErrorCode::kInvalidInput, "service is required");
  Instant now = clock_.now();
  Instant from = instant_param(request, "from", now);
  Instant to = instant_param(request, "to", from + std::chrono::days{14});
  if (to <= from) throw ClientError(ErrorCode::kInvalidTimeRange, "to must be after from");
  if (to - from > kMaxSlotWindow)
    throw ClientError(ErrorCode::kInvalidTimeRange, "the window is at most 93 days");
  SlotFilter filter;
  filter.mode = mode_param(request);
  filter.place_id = id_param(request, "place");
  if (auto limit = id_param(request, "limit"))
    filter.limit = static_cast<size_t>(std::min<Id>(*limit, 2000));
  auto agent = id_param(request, "agent");
  std::string out;
  store_.read([&](StoreReader& r) {
    Service service = require_service(r, *service_id);
    out = slots_json(r, find_slots(r, service, {from, to}, now, filter, agent));
  });
  return {200, "application/json", std::move(out), {}};
}

HttpResponse App::search(const HttpRequest& request) {
  SearchQuery q;
  if (const std::string* text = request.param("q")) q.text = *text;
  if (const std::string* postcode = request.param("postcode")) q.postcode = *postcode;
  q.mode = mode_param(request);
  Json out = Json::array();
  store_.read([&](StoreReader& r) {
    PlaceZones zones(r);
    for (const SearchHit& hit : search_services(r, q, clock_.now())) {
      Json places = Json::array();
      for (const Place& p : hit.places) places.push_back(to_json(p));
      out.push_back(
          {{"service", to_json(hit.service)},
           {"organisation", hit.organisation ? to_json(*hit.organisation) : Json(nullptr)},
           {"places", places},
           {"next_slot",
            hit.next_slot ? to_json(*hit.next_slot, zones.of(hit.next_slot->place_id)) : Json()}});
    }
  });
  return json_response(200, out);
}

HttpResponse App::create_booking(const HttpRequest& request) {
  if (auto limited = over_limit(booking_limiter_, request, "too many bookings, retry later"))
    return *limited;
  Json body = parse_json_object(request);
  const Staff* staff = request.staff.get();
  Fields f(body);
  BookingRequest req;
  req.service_id = f.id("service_id");
  auto start = parse_rfc3339(f.text("start", 40));
  if (!start)
    throw ClientError(ErrorCode::kInvalidInput, "start must be an RFC 3339 date-time with offset");
  req.start = *start;
  auto mode = parse_mode(f.text_or("mode", "in_person", 20));
  if (!mode) throw ClientError(ErrorCode::kInvalidInput, "mode must be in_person, video or phone");
  req.mode = *mode;
  req.agent_id = f.opt_id("agent_id");
  req.place_id = f.opt_id("place_id");
  req.resident = resident_fields(f.object("resident"));
  req.mandate_json = mandate_fields(f.object("mandate"));
  req.notes = f.multiline_text_or("notes", "", 2000);
  f.done();
  if (staff) {
    store_.read([&](StoreReader& r) {
      req.booked_by = require_may_book(r, *staff, require_service(r, req.service_id));
    });
    req.booked_by_account_id = staff->account_id();
  }
  if (!req.mandate_json.empty() && req.booked_by != BookedBy::kDesk)
    invalid_field("mandate", "is only for desks booking on behalf of a visitor");

  std::optional<IdempotencyKey> key;
  if (const std::string* k = request.header("idempotency-key")) {
    if (k->empty() || k->size() > 255)
      throw ClientError(ErrorCode::kInvalidInput, "Idempotency-Key must be 1 to 255 characters",
                        "Idempotency-Key");
    // Keys are scoped by who sends them: one client cannot collide with
    // (or replay) another's.
    std::string scope = staff ? "account:" + std::to_string(staff->account_id())
                              : "client:" + client_address(request);
    key = IdempotencyKey{scope + ":" + *k, token_hash(request.body)};
  }
  auto outcome = bookings_.book(req, key, [&](StoreReader& r, const CreatedBooking& c) {
    // A replay answers only to someone who may still act on the booking (a
    // desk whose mandate ended gets no manage link again).
    if (staff && !may_manage_booking(r, *staff, c.booking, clock_.now()))
      throw ClientError(ErrorCode::kForbidden, "you may no longer act on this booking");
    return BookingAnswer{201, dump(booking_json(c.place, c.booking, c.manage_token))};
  });
  HttpResponse response{outcome.response.status, "application/json", outcome.response.body, {}};
  if (outcome.replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

HttpResponse App::get_booking(const HttpRequest& request, Id id) {
  Json out;
  store_.read([&](StoreReader& r) {
    Booking b = require_booking(r, id);
    Actor actor = authorize_booking(r, request, b);
    out = booking_json(r, b, "", actor == Actor::kStaff);
  });
  return json_response(200, out);
}

HttpResponse App::cancel_booking(const HttpRequest& request, Id id) {
  std::string reason;
  if (!request.body.empty()) {
    Json body = parse_json_object(request);
    Fields f(body);
    reason = f.text_or("reason", "", 500);
    f.done();
  }
  Actor actor = Actor::kResident;
  store_.read(
      [&](StoreReader& r) { actor = authorize_booking(r, request, require_booking(r, id)); });
  Booking cancelled = bookings_.cancel(id, actor, reason);
  Json out;
  store_.read(
      [&](StoreReader& r) { out = booking_json(r, cancelled, "", actor == Actor::kStaff); });
  return json_response(200, out);
}

HttpResponse App::reschedule_booking(const HttpRequest& request, Id id) {
  Actor actor = Actor::kResident;  // who asks is checked before what they ask
  store_.read(
      [&](StoreReader& r) { actor = authorize_booking(r, request, require_booking(r, id)); });
  Json body = parse_json_object(request);
  Fields f(body);
  auto start = parse_rfc3339(f.text("start", 40));
  if (!start)
    throw ClientError(ErrorCode::kInvalidInput, "start must be an RFC 3339 date-time with offset");
  auto agent = f.opt_id("agent_id");
  f.done();
  Booking moved = bookings_.reschedule(id, *start, agent, actor);
  Json out;
  store_.read([&](StoreReader& r) { out = booking_json(r, moved, "", actor == Actor::kStaff); });
  return json_response(200, out);
}

// Staff record how the visit went: done, or noshow.
HttpResponse App::booking_outcome(const HttpRequest& request, Id id) {
  store_.read([&](StoreReader& r) {
    if (request.param("token"))
      throw ClientError(ErrorCode::kForbidden, "only the staff of the service may do this");
    authorize_booking(r, request, require_booking(r, id));
  });
  Json body = parse_json_object(request);
  Fields f(body);
  auto status = parse_status(f.text("status", 20));
  f.done();
  if (!status || (*status != BookingStatus::kDone && *status != BookingStatus::kNoShow))
    invalid_field("status", "must be done or noshow");
  Booking b = bookings_.mark(id, *status);
  Json out;
  store_.read([&](StoreReader& r) { out = booking_json(r, b, "", true); });
  return json_response(200, out);
}

Id App::require_admin_of_booking(const HttpRequest& request, StoreReader& r, const Booking& b) {
  Id organisation = require_service(r, b.service_id).organisation_id;
  require_org_admin(require_staff(request), organisation);
  return organisation;
}

void App::require_colleague(StoreReader& r, Id agent_id, Id organisation_id, const char* field) {
  auto agent = r.agent(agent_id);
  if (!agent || std::find(agent->organisation_ids.begin(), agent->organisation_ids.end(),
                          organisation_id) == agent->organisation_ids.end())
    invalid_field(field, "is not an agent of this organisation");
}

// An administrator gives the booking to a colleague (same time and place).
HttpResponse App::reassign_booking(const HttpRequest& request, Id id) {
  Id organisation = 0;
  store_.read([&](StoreReader& r) {
    organisation = require_admin_of_booking(request, r, require_booking(r, id));
  });
  Json body = parse_json_object(request);
  Fields f(body);
  Id agent = f.id("agent_id");
  f.done();
  store_.read([&](StoreReader& r) { require_colleague(r, agent, organisation, "agent_id"); });
  Booking moved = bookings_.reassign(id, agent);
  Json out;
  store_.read([&](StoreReader& r) { out = booking_json(r, moved, "", true); });
  return json_response(200, out);
}

void App::add_booking_routes() {
  router_.add("GET", "/api/v1/slots",
              [this](const HttpRequest& r, const PathParams&) { return slots(r); });
  router_.add("GET", "/api/v1/search",
              [this](const HttpRequest& r, const PathParams&) { return search(r); });
  router_.add("POST", "/api/v1/bookings",
              [this](const HttpRequest& r, const PathParams&) { return create_booking(r); });
  router_.add("GET", "/api/v1/bookings/{id}", [this](const HttpRequest& r, const PathParams& p) {
    return get_booking(r, p.id(0));
  });
  router_.add(
      "POST", "/api/v1/bookings/{id}/cancel",
      [this](const HttpRequest& r, const PathParams& p) { return cancel_booking(r, p.id(0)); });
  router_.add(
      "POST", "/api/v1/bookings/{id}/reschedule",
      [this](const HttpRequest& r, const PathParams& p) { return reschedule_booking(r, p.id(0)); });
  router_.add(
      "POST", "/api/v1/bookings/{id}/reassign",
      [this](const HttpRequest& r, const PathParams& p) { return reassign_booking(r, p.id(0)); });
  router_.add(
      "POST", "/api/v1/bookings/{id}/status",
      [this](const HttpRequest& r, const PathParams& p) { return booking_outcome(r, p.id(0)); });
  // The visitor (with the manage link) or the staff of the booking ends the
  // desk's mandate; the desk can no longer act on the booking.
  router_.add(
      "POST", "/api/v1/bookings/{id}/mandate/withdraw",
      [this](const HttpRequest& r, const PathParams& p) {
        Id id = p.id(0);
        Actor actor = Actor::kResident;
        store_.read(
            [&](StoreReader& s) { actor = authorize_booking(s, r, require_booking(s, id)); });
        Booking b = bookings_.withdraw_mandate(id);
        Json out;
        store_.read([&](StoreReader& s) { out = booking_json(s, b, "", actor == Actor::kStaff); });
        return json_response(200, out);
      });
}

}  // namespace rdv
