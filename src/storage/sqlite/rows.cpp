#include "storage/sqlite/rows.h"

#include <nlohmann/json.hpp>

#include "calendar/recurrence.h"
#include "domain/text.h"

namespace rdv::sqlite {

std::string strings_to_json(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

std::vector<std::string> strings_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array())
    for (auto& e : j)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

std::string csv(const std::vector<std::string>& v) {
  std::string out;
  for (auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<std::string> from_csv(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string webhook_events_csv(const std::vector<WebhookEvent>& events) {
  std::vector<std::string> names;
  for (WebhookEvent e : events) names.emplace_back(webhook_event_name(e));
  return csv(names);
}

// Names this version no longer knows are dropped rather than guessed.
std::vector<WebhookEvent> webhook_events_from_csv(const std::string& s) {
  std::vector<WebhookEvent> out;
  for (const std::string& name : from_csv(s))
    if (auto e = parse_webhook_event(name)) out.push_back(*e);
  return out;
}

std::string exdates_json(const std::vector<LocalDateTime>& v) {
  std::vector<std::string> s;
  for (auto t : v) s.push_back(format_local(t));
  return strings_to_json(s);
}

RepeatingPeriod period_from_row(const Statement& st, int col) {
  // columns: start_local, end_local, timezone, rrule, exdates
  RepeatingPeriod p;
  p.start = parse_local_date_time(st.text(col)).value_or(LocalDateTime{});
  p.end = parse_local_date_time(st.text(col + 1)).value_or(LocalDateTime{});
  p.zone = date::locate_zone(st.text(col + 2));
  p.rrule = st.text(col + 3);
  for (auto& s : strings_from_json(st.text(col + 4)))
    if (auto t = parse_local_date_time(s)) p.exdates.push_back(*t);
  return p;
}

// "?,?,?" with n marks, for IN lists.
std::string marks(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s;
}

const char* const kServiceColumns =
    "id, organisation_id, name, description, keywords, documents_to_bring, duration_minutes, "
    "slot_step_minutes, modes, min_notice_minutes, horizon_days, buffer_before_minutes, "
    "buffer_after_minutes, capacity, cancel_until_minutes, bookable_by, reminders, archived_at";

Service service_from_row(const Statement& st) {
  Service s;
  s.id = st.int64(0);
  s.organisation_id = st.int64(1);
  s.name = st.text(2);
  s.description = st.text(3);
  s.keywords = strings_from_json(st.text(4));
  s.documents_to_bring = strings_from_json(st.text(5));
  s.duration_minutes = st.integer(6);
  s.slot_step_minutes = st.integer(7);
  s.modes = ModeSet::from_csv(st.text(8)).value_or(ModeSet{});
  s.min_notice_minutes = st.integer(9);
  s.horizon_days = st.integer(10);
  s.buffer_before_minutes = st.integer(11);
  s.buffer_after_minutes = st.integer(12);
  s.capacity = st.integer(13);
  s.cancel_until_minutes = st.integer(14);
  s.bookable_by = from_csv(st.text(15));
  s.reminders.clear();
  auto reminders = nlohmann::json::parse(st.text(16), nullptr, false);
  if (reminders.is_array())
    for (auto& m : reminders)
      if (m.is_number_integer()) s.reminders.push_back(m.get<int>());
  s.archived = !st.is_null(17);
  return s;
}

std::string service_search_text(const Service& s, const std::string& organisation_name) {
  return " " +
         fold_for_search(s.name + " " + s.description + " " + csv(s.keywords) + " " +
                         organisation_name) +
         " ";
}

void bind_service(Statement& st, const Service& s, const std::string& search_text) {
  st.bind(1, s.organisation_id).bind(2, s.name).bind(3, s.description);
  st.bind(4, strings_to_json(s.keywords)).bind(5, strings_to_json(s.documents_to_bring));
  st.bind(6, s.duration_minutes).bind(7, s.slot_step_minutes).bind(8, s.modes.to_csv());
  st.bind(9, s.min_notice_minutes).bind(10, s.horizon_days).bind(11, s.buffer_before_minutes);
  st.bind(12, s.buffer_after_minutes).bind(13, s.capacity).bind(14, s.cancel_until_minutes);
  st.bind(15, csv(s.bookable_by)).bind(16, search_text);
  st.bind(17, nlohmann::json(s.reminders).dump());
}

const char* const kOrganisationColumns =
    "id, name, kind, timezone, video, territory_id, colleagues_see_agendas, archived_at";

Organisation organisation_from_row(const Statement& st) {
  Organisation o;
  o.id = st.int64("id");
  o.name = st.text("name");
  o.kind = st.text("kind");
  o.timezone = st.text("timezone");
  o.territory_id = st.opt_int64("territory_id");
  o.colleagues_see_agendas = st.int64("colleagues_see_agendas") != 0;
  o.archived = st.opt_int64("archived_at").has_value();
  auto v = nlohmann::json::parse(st.text("video"), nullptr, false);
  if (v.is_object()) {
    o.video.provider = parse_provider(v.value("provider", "none")).value_or(VideoProvider::kNone);
    o.video.url = v.value("url", "");
    o.video.app_id = v.value("app_id", "");
    o.video.secret = v.value("secret", "");
    o.video.open_minutes_before = v.value("open_minutes_before", 15);
  }
  return o;
}

const char* const kPlaceColumns =
    "id, organisation_id, name, address, postcode, city, accessibility, opening_hours, latitude, "
    "longitude, timezone";

Place place_from_row(const Statement& st) {
  Place p;
  p.id = st.int64(0);
  p.organisation_id = st.int64(1);
  p.name = st.text(2);
  p.address = st.text(3);
  p.postcode = st.text(4);
  p.city = st.text(5);
  p.accessibility = st.text(6);
  p.opening_hours = st.text(7);
  p.latitude = st.opt_real(8);
  p.longitude = st.opt_real(9);
  p.timezone = st.text(10);
  return p;
}

const char* const kBookingColumns =
    "id, service_id, agent_id, place_id, mode, start_at, end_at, block_start, block_end, "
    "capacity, status, booked_by, resident_first_name, resident_last_name, resident_email, "
    "resident_phone, mandate, manage_token_hash, notes, cancel_reason, created_at, updated_at, "
    "sequence, summary, survey_answered, reminders_opt_out, booked_by_account_id";

Booking booking_from_row(const Statement& st) {
  Booking b;
  b.id = st.int64(0);
  b.service_id = st.int64(1);
  b.agent_id = st.int64(2);
  b.place_id = st.int64(3);
  b.mode = parse_mode(st.text(4)).value_or(Mode::kInPerson);
  b.start = from_epoch(st.int64(5));
  b.end = from_epoch(st.int64(6));
  b.buffer_before = std::chrono::duration_cast<Minutes>(b.start - from_epoch(st.int64(7)));
  b.buffer_after = std::chrono::duration_cast<Minutes>(from_epoch(st.int64(8)) - b.end);
  b.capacity = st.integer(9);
  b.status = parse_status(st.text(10)).value_or(BookingStatus::kConfirmed);
  b.booked_by = parse_booked_by(st.text(11)).value_or(BookedBy::kResident);
  b.resident = {st.text(12), st.text(13), st.text(14), st.text(15)};
  b.mandate_json = st.text(16);
  b.notes = st.text(18);
  b.cancel_reason = st.text(19);
  b.created_at = from_epoch(st.int64(20));
  b.updated_at = from_epoch(st.int64(21));
  b.sequence = st.integer(22);
  b.summary = st.text(23);
  b.survey_answered = st.integer(24) != 0;
  b.reminders_opt_out = st.integer(25) != 0;
  b.booked_by_account_id = st.opt_int64("booked_by_account_id");
  return b;
}

const char* const kOpeningColumns =
    "o.id, o.agent_id, o.place_id, o.modes, o.start_local, o.end_local, o.timezone, o.rrule, "
    "o.exdates";

// Columns of kOpeningColumns; service_ids are read apart.
Opening opening_from_row(const Statement& st) {
  Opening o;
  o.id = st.int64(0);
  o.agent_id = st.int64(1);
  o.place_id = st.int64(2);
  o.modes = ModeSet::from_csv(st.text(3)).value_or(ModeSet{});
  o.period = period_from_row(st, 4);
  return o;
}

const char* const kCalendarColumns =
    "id, agent_id, url, purpose, etag, last_modified, content, last_success_at, "
    "last_attempt_at, last_error, warnings, next_fetch_at, created_at";

ExternalCalendar calendar_from_row(const Statement& st) {
  ExternalCalendar c;
  c.id = st.int64(0);
  c.agent_id = st.int64(1);
  c.url = st.text(2);
  c.purpose = parse_purpose(st.text(3)).value_or(CalendarPurpose::kBusy);
  c.etag = st.text(4);
  c.last_modified = st.text(5);
  c.content = st.text(6);
  if (auto t = st.opt_int64(7)) c.last_success_at = from_epoch(*t);
  if (auto t = st.opt_int64(8)) c.last_attempt_at = from_epoch(*t);
  c.last_error = st.text(9);
  c.warnings = strings_from_json(st.text(10));
  c.next_fetch_at = from_epoch(st.int64(11));
  c.created_at = from_epoch(st.int64(12));
  return c;
}

const char* const kDocumentColumns =
    "d.id, d.booking_id, d.filename, d.content_type, d.size, d.stored_name, d.created_at";

Document document_from_row(const Statement& st) {
  return {st.int64(0),
          st.int64(1),
          st.text(2),
          st.text(3),
          st.int64(4),
          st.text(5),
          from_epoch(st.int64(6))};
}

const char* const kJobColumns =
    "id, kind, idempotency_key, payload, organisation_id, run_at, attempts, max_attempts, status, "
    "last_error, created_at";

Job job_from_row(const Statement& st) {
  Job j;
  j.id = st.int64(0);
  j.kind = parse_job_kind(st.text(1)).value_or(JobKind::kEmail);
  j.idempotency_key = st.text(2);
  j.payload = st.text(3);
  j.organisation_id = st.opt_int64(4);
  j.run_at = from_epoch(st.int64(5));
  j.attempts = st.integer(6);
  j.max_attempts = st.integer(7);
  j.status = parse_job_status(st.text(8)).value_or(JobStatus::kPending);
  j.last_error = st.text(9);
  j.created_at = from_epoch(st.int64(10));
  return j;
}

std::optional<std::int64_t> epoch_or_null(const std::optional<Instant>& t) {
  return t ? std::optional<std::int64_t>(to_epoch(*t)) : std::nullopt;
}

}  // namespace rdv::sqlite
