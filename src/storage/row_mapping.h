// How the model is stored in columns, the same for every store: instants as
// epoch seconds, lists as JSON or comma-separated text, each entity read from
// its columns by name. `Row` is a store's row with by-name accessors:
// int64(name), text(name), opt_int64(name), opt_real(name) (NULL text reads
// as ""). The column lists name what the readers read, so a SELECT built from
// them and its mapping cannot drift apart.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts/account.h"
#include "domain/model.h"
#include "domain/time.h"
#include "storage/resident_access_store.h"

namespace rdv::rows {

std::string strings_to_json(const std::vector<std::string>& v);
std::vector<std::string> strings_from_json(const std::string& text);
std::string csv(const std::vector<std::string>& v);
std::vector<std::string> from_csv(const std::string& s);
std::string webhook_events_csv(const std::vector<WebhookEvent>& events);
// Names this version no longer knows are dropped rather than guessed.
std::vector<WebhookEvent> webhook_events_from_csv(const std::string& s);
std::string exdates_json(const std::vector<LocalDateTime>& v);
std::string reminders_json(const std::vector<int>& minutes);
std::vector<int> reminders_from_json(const std::string& text);
std::string video_json(const VideoSettings& v);
VideoSettings video_from_json(const std::string& text);
std::optional<std::int64_t> epoch_or_null(const std::optional<Instant>& t);
// The folded text the keyword search looks in (name, description, keywords,
// organisation), with a space at both ends so that words match whole.
std::string service_search_text(const Service& s, const std::string& organisation_name);
// A repeating period from its columns' values.
RepeatingPeriod period_from(const std::string& start_local, const std::string& end_local,
                            const std::string& timezone, const std::string& rrule,
                            const std::string& exdates);
// The bounds of every occurrence (first_start, last_end), for window queries.
std::int64_t period_first_start(const RepeatingPeriod& p);
std::optional<std::int64_t> period_last_end(const RepeatingPeriod& p);

template <class Row>
std::optional<Instant> instant_or_null(const Row& r, const char* column) {
  if (auto v = r.opt_int64(column)) return from_epoch(*v);
  return std::nullopt;
}

template <class Row>
RepeatingPeriod period_from_row(const Row& r) {
  return period_from(r.text("start_local"), r.text("end_local"), r.text("timezone"),
                     r.text("rrule"), r.text("exdates"));
}

inline constexpr const char* kOrganisationColumns =
    "id, name, kind, timezone, video, territory_id, colleagues_see_agendas, archived_at";

template <class Row>
Organisation organisation_from_row(const Row& r) {
  Organisation o;
  o.id = r.int64("id");
  o.name = r.text("name");
  o.kind = r.text("kind");
  o.timezone = r.text("timezone");
  o.territory_id = r.opt_int64("territory_id");
  o.colleagues_see_agendas = r.int64("colleagues_see_agendas") != 0;
  o.archived = r.opt_int64("archived_at").has_value();
  o.video = video_from_json(r.text("video"));
  return o;
}

inline constexpr const char* kPlaceColumns =
    "id, organisation_id, name, address, postcode, city, accessibility, opening_hours, latitude, "
    "longitude, timezone";

template <class Row>
Place place_from_row(const Row& r) {
  Place p;
  p.id = r.int64("id");
  p.organisation_id = r.int64("organisation_id");
  p.name = r.text("name");
  p.address = r.text("address");
  p.postcode = r.text("postcode");
  p.city = r.text("city");
  p.accessibility = r.text("accessibility");
  p.opening_hours = r.text("opening_hours");
  p.latitude = r.opt_real("latitude");
  p.longitude = r.opt_real("longitude");
  p.timezone = r.text("timezone");
  return p;
}

inline constexpr const char* kServiceColumns =
    "id, organisation_id, name, description, keywords, documents_to_bring, duration_minutes, "
    "slot_step_minutes, modes, min_notice_minutes, horizon_days, buffer_before_minutes, "
    "buffer_after_minutes, capacity, cancel_until_minutes, bookable_by, reminders, archived_at";

template <class Row>
Service service_from_row(const Row& r) {
  auto integer = [&](const char* column) { return static_cast<int>(r.int64(column)); };
  Service s;
  s.id = r.int64("id");
  s.organisation_id = r.int64("organisation_id");
  s.name = r.text("name");
  s.description = r.text("description");
  s.keywords = strings_from_json(r.text("keywords"));
  s.documents_to_bring = strings_from_json(r.text("documents_to_bring"));
  s.duration_minutes = integer("duration_minutes");
  s.slot_step_minutes = integer("slot_step_minutes");
  s.modes = ModeSet::from_csv(r.text("modes")).value_or(ModeSet{});
  s.min_notice_minutes = integer("min_notice_minutes");
  s.horizon_days = integer("horizon_days");
  s.buffer_before_minutes = integer("buffer_before_minutes");
  s.buffer_after_minutes = integer("buffer_after_minutes");
  s.capacity = integer("capacity");
  s.cancel_until_minutes = integer("cancel_until_minutes");
  s.bookable_by = from_csv(r.text("bookable_by"));
  s.reminders = reminders_from_json(r.text("reminders"));
  s.archived = r.opt_int64("archived_at").has_value();
  return s;
}

inline constexpr const char* kBookingColumns =
    "id, service_id, agent_id, place_id, mode, start_at, end_at, block_start, block_end, "
    "capacity, status, booked_by, resident_first_name, resident_last_name, resident_email, "
    "resident_phone, mandate, notes, cancel_reason, created_at, updated_at, sequence, summary, "
    "survey_answered, reminders_opt_out, booked_by_account_id";

template <class Row>
Booking booking_from_row(const Row& r) {
  Booking b;
  b.id = r.int64("id");
  b.service_id = r.int64("service_id");
  b.agent_id = r.int64("agent_id");
  b.place_id = r.int64("place_id");
  b.mode = parse_mode(r.text("mode")).value_or(Mode::kInPerson);
  b.start = from_epoch(r.int64("start_at"));
  b.end = from_epoch(r.int64("end_at"));
  b.buffer_before =
      std::chrono::duration_cast<Minutes>(b.start - from_epoch(r.int64("block_start")));
  b.buffer_after = std::chrono::duration_cast<Minutes>(from_epoch(r.int64("block_end")) - b.end);
  b.capacity = static_cast<int>(r.int64("capacity"));
  b.status = parse_status(r.text("status")).value_or(BookingStatus::kConfirmed);
  b.booked_by = parse_booked_by(r.text("booked_by")).value_or(BookedBy::kResident);
  b.resident = {r.text("resident_first_name"), r.text("resident_last_name"),
                r.text("resident_email"), r.text("resident_phone")};
  b.mandate_json = r.text("mandate");
  b.notes = r.text("notes");
  b.cancel_reason = r.text("cancel_reason");
  b.created_at = from_epoch(r.int64("created_at"));
  b.updated_at = from_epoch(r.int64("updated_at"));
  b.sequence = static_cast<int>(r.int64("sequence"));
  b.summary = r.text("summary");
  b.survey_answered = r.int64("survey_answered") != 0;
  b.reminders_opt_out = r.int64("reminders_opt_out") != 0;
  b.booked_by_account_id = r.opt_int64("booked_by_account_id");
  return b;
}

// The columns the slot search reads: all of them in its index
// (bookings_agent_time), so the table itself is not visited.
inline constexpr const char* kHeldTimeColumns =
    "id, agent_id, service_id, start_at, block_start, block_end";
// Their order: that index's own, to the row id, so that SQLite walks it
// without sorting (ending at "block_start, id" made it sort the rows of each
// agent and start apart: a third of the read); PostgreSQL returns the same.
inline constexpr const char* kHeldTimeOrder =
    " ORDER BY agent_id, block_start, block_end, start_at, service_id, status, id";

template <class Row>
HeldTime held_time_from_row(const Row& r) {
  return {r.int64("id"),
          r.int64("agent_id"),
          r.int64("service_id"),
          from_epoch(r.int64("start_at")),
          {from_epoch(r.int64("block_start")), from_epoch(r.int64("block_end"))}};
}

// Of "openings o"; service_ids are read apart.
inline constexpr const char* kOpeningColumns =
    "o.id, o.agent_id, o.place_id, o.modes, o.start_local, o.end_local, o.timezone, o.rrule, "
    "o.exdates";

template <class Row>
Opening opening_from_row(const Row& r) {
  Opening o;
  o.id = r.int64("id");
  o.agent_id = r.int64("agent_id");
  o.place_id = r.int64("place_id");
  o.modes = ModeSet::from_csv(r.text("modes")).value_or(ModeSet{});
  o.period = period_from_row(r);
  return o;
}

inline constexpr const char* kAbsenceColumns =
    "id, agent_id, start_local, end_local, timezone, rrule, exdates, reason";

template <class Row>
Absence absence_from_row(const Row& r) {
  Absence a;
  a.id = r.int64("id");
  a.agent_id = r.int64("agent_id");
  a.period = period_from_row(r);
  a.reason = r.text("reason");
  return a;
}

inline constexpr const char* kCalendarColumns =
    "id, agent_id, url, purpose, etag, last_modified, content, last_success_at, "
    "last_attempt_at, last_error, warnings, next_fetch_at, created_at";

template <class Row>
ExternalCalendar calendar_from_row(const Row& r) {
  ExternalCalendar c;
  c.id = r.int64("id");
  c.agent_id = r.int64("agent_id");
  c.url = r.text("url");
  c.purpose = parse_purpose(r.text("purpose")).value_or(CalendarPurpose::kBusy);
  c.etag = r.text("etag");
  c.last_modified = r.text("last_modified");
  c.content = r.text("content");
  c.last_success_at = instant_or_null(r, "last_success_at");
  c.last_attempt_at = instant_or_null(r, "last_attempt_at");
  c.last_error = r.text("last_error");
  c.warnings = strings_from_json(r.text("warnings"));
  c.next_fetch_at = from_epoch(r.int64("next_fetch_at"));
  c.created_at = from_epoch(r.int64("created_at"));
  return c;
}

// Of "documents d".
inline constexpr const char* kDocumentColumns =
    "d.id, d.booking_id, d.filename, d.content_type, d.size, d.stored_name, d.created_at";

template <class Row>
Document document_from_row(const Row& r) {
  return {r.int64("id"),
          r.int64("booking_id"),
          r.text("filename"),
          r.text("content_type"),
          r.int64("size"),
          r.text("stored_name"),
          from_epoch(r.int64("created_at"))};
}

// organisation_ids are read apart.
inline constexpr const char* kAgentColumns = "id, name, email, phone, ics_secret";
// The same for lists of agents `a`, which never carry the feed's secret.
inline constexpr const char* kAgentListColumns =
    "a.id AS id, a.name AS name, a.email AS email, a.phone AS phone, '' AS ics_secret";

template <class Row>
Agent agent_from_row(const Row& r) {
  return {r.int64("id"),   r.text("name"),       r.text("email"),
          r.text("phone"), r.text("ics_secret"), {}};
}

inline constexpr const char* kWebhookColumns = "id, organisation_id, url, secret, events";

template <class Row>
Webhook webhook_from_row(const Row& r) {
  return {r.int64("id"), r.int64("organisation_id"), r.text("url"), r.text("secret"),
          webhook_events_from_csv(r.text("events"))};
}

inline constexpr const char* kJobColumns =
    "id, kind, idempotency_key, payload, organisation_id, run_at, attempts, max_attempts, status, "
    "last_error, created_at";

template <class Row>
Job job_from_row(const Row& r) {
  Job j;
  j.id = r.int64("id");
  j.kind = parse_job_kind(r.text("kind")).value_or(JobKind::kEmail);
  j.idempotency_key = r.text("idempotency_key");
  j.payload = r.text("payload");
  j.organisation_id = r.opt_int64("organisation_id");
  j.run_at = from_epoch(r.int64("run_at"));
  j.attempts = static_cast<int>(r.int64("attempts"));
  j.max_attempts = static_cast<int>(r.int64("max_attempts"));
  j.status = parse_job_status(r.text("status")).value_or(JobStatus::kPending);
  j.last_error = r.text("last_error");
  j.created_at = from_epoch(r.int64("created_at"));
  return j;
}

// Of "accounts a".
inline constexpr const char* kAccountColumns =
    "a.id, a.name, a.email, a.phone, a.status, a.agent_id, a.created_at, a.last_sign_in_at, "
    "a.locked_until, a.sso_subject";

template <class Row>
Account account_from_row(const Row& r) {
  Account a;
  a.id = r.int64("id");
  a.name = r.text("name");
  a.email = r.text("email");
  a.phone = r.text("phone");
  a.status = parse_account_status(r.text("status")).value_or(AccountStatus::kDeactivated);
  a.agent_id = r.opt_int64("agent_id");
  a.created_at = from_epoch(r.int64("created_at"));
  a.last_sign_in_at = instant_or_null(r, "last_sign_in_at");
  a.locked_until = instant_or_null(r, "locked_until");
  a.sso_subject = r.text("sso_subject");  // NULL reads as ""
  return a;
}

inline constexpr const char* kTokenColumns =
    "id, account_id, name, created_at, expires_at, revoked_at, last_used_at";

template <class Row>
ApiToken token_from_row(const Row& r) {
  ApiToken t;
  t.id = r.int64("id");
  t.account_id = r.int64("account_id");
  t.name = r.text("name");
  t.created_at = from_epoch(r.int64("created_at"));
  t.expires_at = instant_or_null(r, "expires_at");
  t.revoked_at = instant_or_null(r, "revoked_at");
  t.last_used_at = instant_or_null(r, "last_used_at");
  return t;
}

inline constexpr const char* kMembershipColumns = "role, organisation_id, territory_id";
// Memberships have no id: both stores give them in this order (role, then
// organisation, then territory; a missing one first), not in write order,
// which PostgreSQL does not keep.
inline constexpr const char* kMembershipOrder =
    "role, coalesce(organisation_id, 0), coalesce(territory_id, 0)";

// nullopt for a role this version does not know: it gives no right.
template <class Row>
std::optional<Membership> membership_from_row(const Row& r) {
  auto role = parse_role(r.text("role"));
  if (!role) return std::nullopt;
  return Membership{*role, r.opt_int64("organisation_id"), r.opt_int64("territory_id")};
}

inline constexpr const char* kTerritoryColumns = "id, name, created_at";

template <class Row>
Territory territory_from_row(const Row& r) {
  return {r.int64("id"), r.text("name"), from_epoch(r.int64("created_at"))};
}

inline constexpr const char* kSessionColumns =
    "id, account_id, created_at, last_seen_at, expires_at";

template <class Row>
Session session_from_row(const Row& r) {
  Session s;
  s.id = r.int64("id");
  s.account_id = r.int64("account_id");
  s.created_at = from_epoch(r.int64("created_at"));
  s.last_seen_at = from_epoch(r.int64("last_seen_at"));
  s.expires_at = from_epoch(r.int64("expires_at"));
  return s;
}

inline constexpr const char* kAccountLinkColumns =
    "id, account_id, purpose, created_at, expires_at, used_at";

// nullopt for a purpose this version does not know: such a link is unusable.
template <class Row>
std::optional<AccountLink> account_link_from_row(const Row& r) {
  auto purpose = parse_link_purpose(r.text("purpose"));
  if (!purpose) return std::nullopt;
  AccountLink l;
  l.id = r.int64("id");
  l.account_id = r.int64("account_id");
  l.purpose = *purpose;
  l.created_at = from_epoch(r.int64("created_at"));
  l.expires_at = from_epoch(r.int64("expires_at"));
  l.used_at = instant_or_null(r, "used_at");
  return l;
}

inline constexpr const char* kSsoLoginColumns = "id, nonce, code_verifier, return_to, created_at";

template <class Row>
SsoLogin sso_login_from_row(const Row& r) {
  return {r.int64("id"), r.text("nonce"), r.text("code_verifier"), r.text("return_to"),
          from_epoch(r.int64("created_at"))};
}

inline constexpr const char* kAuditColumns =
    "id, at, account_id, address, action, route, target, outcome";

template <class Row>
AuditEntry audit_entry_from_row(const Row& r) {
  AuditEntry e;
  e.id = r.int64("id");
  e.at = from_epoch(r.int64("at"));
  e.account_id = r.opt_int64("account_id");
  e.address = r.text("address");
  e.action = r.text("action");
  e.route = r.text("route");
  e.target = r.text("target");
  e.outcome = static_cast<int>(r.int64("outcome"));
  return e;
}

inline constexpr const char* kResidentLinkColumns =
    "id, email, phone, created_at, expires_at, used_at";

template <class Row>
ResidentLink resident_link_from_row(const Row& r) {
  return {r.int64("id"),
          r.text("email"),
          r.text("phone"),
          from_epoch(r.int64("created_at")),
          from_epoch(r.int64("expires_at")),
          instant_or_null(r, "used_at")};
}

inline constexpr const char* kResidentSessionColumns =
    "id, email, phone, created_at, expires_at, ended_at";

template <class Row>
ResidentSession resident_session_from_row(const Row& r) {
  return {r.int64("id"),
          r.text("email"),
          r.text("phone"),
          from_epoch(r.int64("created_at")),
          from_epoch(r.int64("expires_at")),
          instant_or_null(r, "ended_at")};
}

}  // namespace rdv::rows
