#include "storage/sqlite/sqlite_store.h"

#include <nlohmann/json.hpp>

#include "calendar/recurrence.h"
#include "domain/text.h"
#include "storage/migration.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/rows.h"
#include "storage/sqlite/sqlite_accounts.h"
#include "storage/sqlite/sqlite_directory.h"
#include "storage/sqlite/sqlite_jobs.h"
#include "storage/sqlite/sqlite_resident_access.h"

namespace rdv {
namespace {

using namespace sqlite;  // the connection and the shared row encodings

class SqliteTx final : public StoreWriter {
 public:
  explicit SqliteTx(Connection& c) : c_(c), accounts_(c), directory_(c), jobs_(c), residents_(c) {}

  std::optional<Organisation> organisation(Id id) override {
    auto st = c_.prepare(std::string("SELECT ") + kOrganisationColumns +
                         " FROM organisations WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return organisation_from_row(st);
  }

  std::optional<Place> place(Id id) override {
    auto st = c_.prepare(std::string("SELECT ") + kPlaceColumns + " FROM places WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return place_from_row(st);
  }

  std::optional<Service> service(Id id) override {
    auto st = c_.prepare(std::string("SELECT ") + kServiceColumns + " FROM services WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return service_from_row(st);
  }

  std::optional<Agent> agent(Id id) override {
    auto st = c_.prepare("SELECT id, name, email, phone, ics_secret FROM agents WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    Agent a{st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), {}};
    auto orgs =
        c_.prepare("SELECT organisation_id FROM agent_organisations WHERE agent_id = ? ORDER BY 1");
    orgs.bind(1, id);
    while (orgs.step()) a.organisation_ids.push_back(orgs.int64(0));
    return a;
  }

  std::optional<Booking> booking(Id id) override {
    auto st = c_.prepare(std::string("SELECT ") + kBookingColumns + " FROM bookings WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return booking_from_row(st);
  }

  AccountsWriter& accounts() override { return accounts_; }
  DirectoryWriter& directory() override { return directory_; }
  JobsWriter& jobs() override { return jobs_; }
  ResidentAccessWriter& residents() override { return residents_; }

  bool is_empty() override {
    auto st = c_.prepare("SELECT 1 FROM organisations LIMIT 1");
    return !st.step();
  }

  std::vector<Opening> openings_for_service(Id service_id, TimeRange window,
                                            std::optional<Id> agent_id) override {
    auto st = c_.prepare(std::string("SELECT ") + kOpeningColumns +
                         " FROM opening_services os JOIN openings o ON o.id = os.opening_id "
                         "WHERE os.service_id = ?1 AND o.first_start < ?3 AND (o.last_end IS NULL "
                         "OR o.last_end > ?2) AND (?4 IS NULL OR o.agent_id = ?4) "
                         // Someone who left offers nothing any more.
                         "AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.agent_id = o.agent_id "
                         "AND a.status = 'deactivated') "
                         "ORDER BY o.agent_id, o.id");
    st.bind(1, service_id).bind(2, to_epoch(window.start)).bind(3, to_epoch(window.end));
    st.bind(4, agent_id);
    std::vector<Opening> out;
    while (st.step()) {
      out.push_back(opening_from_row(st));
      out.back().service_ids.push_back(service_id);
    }
    return out;
  }

  std::vector<Absence> absences_of(const std::vector<Id>& agent_ids, TimeRange window) override {
    std::vector<Absence> out;
    if (agent_ids.empty()) return out;
    auto st = c_.prepare(
        "SELECT id, agent_id, start_local, end_local, timezone, rrule, exdates, reason FROM "
        "absences WHERE agent_id IN (" +
        marks(agent_ids.size()) + ") AND first_start < ? AND (last_end IS NULL OR last_end > ?)");
    int i = 1;
    for (Id a : agent_ids) st.bind(i++, a);
    st.bind(i, to_epoch(window.end));
    st.bind(i + 1, to_epoch(window.start));
    while (st.step()) {
      Absence a;
      a.id = st.int64(0);
      a.agent_id = st.int64(1);
      a.period = period_from_row(st, 2);
      a.reason = st.text(7);
      out.push_back(std::move(a));
    }
    return out;
  }

  std::vector<Booking> bookings_of(const std::vector<Id>& agent_ids, TimeRange window) override {
    std::vector<Booking> out;
    if (agent_ids.empty()) return out;
    // A blocked period is shorter than two days (durations and buffers are
    // capped), so the index range on block_start is bounded on both sides.
    auto st = c_.prepare(std::string("SELECT ") + kBookingColumns +
                         " FROM bookings WHERE status <> 'cancelled' AND agent_id IN (" +
                         marks(agent_ids.size()) +
                         ") AND block_start < ? AND block_start > ? AND block_end > ?");
    int i = 1;
    for (Id a : agent_ids) st.bind(i++, a);
    st.bind(i++, to_epoch(window.end));
    st.bind(i++, to_epoch(window.start) - 2 * 86400);
    st.bind(i++, to_epoch(window.start));
    while (st.step()) out.push_back(booking_from_row(st));
    return out;
  }

  std::vector<Service> search_services(const std::vector<std::string>& terms,
                                       std::optional<Mode> mode, size_t limit) override {
    std::string sql =
        std::string("SELECT ") + kServiceColumns + " FROM services WHERE archived_at IS NULL";
    for (size_t i = 0; i < terms.size(); ++i) sql += " AND instr(search_text, ?) > 0";
    if (mode) sql += " AND instr(',' || modes || ',', ?) > 0";
    sql += " ORDER BY name, id LIMIT ?";
    auto st = c_.prepare(sql);
    int i = 1;
    for (auto& t : terms) st.bind(i++, t);
    if (mode) st.bind(i++, "," + std::string(mode_name(*mode)) + ",");
    st.bind(i++, static_cast<std::int64_t>(limit));
    std::vector<Service> out;
    while (st.step()) out.push_back(service_from_row(st));
    return out;
  }

  std::vector<Place> places_offering(Id service_id, const std::string& postcode_prefix) override {
    auto st = c_.prepare(std::string("SELECT DISTINCT p.") +
                         "id, p.organisation_id, p.name, p.address, p.postcode, p.city, "
                         "p.accessibility, p.opening_hours, p.latitude, p.longitude, p.timezone "
                         "FROM opening_services os JOIN openings o ON o.id = os.opening_id "
                         "JOIN places p ON p.id = o.place_id WHERE os.service_id = ? AND "
                         "substr(p.postcode, 1, length(?2)) = ?2 ORDER BY p.id");
    st.bind(1, service_id).bind(2, postcode_prefix);
    std::vector<Place> out;
    while (st.step()) out.push_back(place_from_row(st));
    return out;
  }

  std::optional<IdempotentBooking> idempotent_booking(const std::string& key_hash) override {
    auto st =
        c_.prepare("SELECT request_hash, booking_id FROM idempotency_keys WHERE key_hash = ?");
    st.bind(1, key_hash);
    if (!st.step()) return std::nullopt;
    return IdempotentBooking{st.text(0), st.int64(1)};
  }

  int open_bookings_of_contact(Id service_id, const std::string& email, const std::string& phone,
                               Instant now) override {
    auto st = c_.prepare(
        "SELECT count(*) FROM bookings WHERE service_id = ?1 AND status <> 'cancelled' AND "
        "end_at > ?2 AND ((?3 <> '' AND lower(resident_email) = lower(?3)) OR "
        "(?4 <> '' AND resident_phone = ?4))");
    st.bind(1, service_id).bind(2, to_epoch(now)).bind(3, email).bind(4, phone);
    st.step();
    return static_cast<int>(st.int64(0));
  }

  std::vector<Booking> agent_bookings(Id agent_id, TimeRange window,
                                      bool include_cancelled) override {
    auto st = c_.prepare(std::string("SELECT ") + kBookingColumns +
                         " FROM bookings WHERE agent_id = ? AND start_at >= ? AND start_at < ? "
                         "AND (? OR status <> 'cancelled') ORDER BY start_at, id");
    st.bind(1, agent_id).bind(2, to_epoch(window.start)).bind(3, to_epoch(window.end));
    st.bind(4, include_cancelled ? 1 : 0);
    std::vector<Booking> out;
    while (st.step()) out.push_back(booking_from_row(st));
    return out;
  }

  std::vector<Opening> agent_openings(Id agent_id, TimeRange window) override {
    auto st = c_.prepare(std::string("SELECT ") + kOpeningColumns +
                         " FROM openings o WHERE o.agent_id = ? AND o.first_start < ? AND "
                         "(o.last_end IS NULL OR o.last_end > ?) AND o.calendar_id IS NULL "
                         "ORDER BY o.id");
    st.bind(1, agent_id).bind(2, to_epoch(window.end)).bind(3, to_epoch(window.start));
    std::vector<Opening> out;
    while (st.step()) out.push_back(opening_from_row(st));
    for (Opening& o : out) {
      auto services = c_.prepare("SELECT service_id FROM opening_services WHERE opening_id = ?");
      services.bind(1, o.id);
      while (services.step()) o.service_ids.push_back(services.int64(0));
    }
    return out;
  }

  std::vector<Place> places_of(const std::vector<Id>& orgs) override {
    std::vector<Place> out;
    if (orgs.empty()) return out;
    auto st = c_.prepare(std::string("SELECT ") + kPlaceColumns +
                         " FROM places WHERE organisation_id IN (" + marks(orgs.size()) +
                         ") ORDER BY id");
    int i = 1;
    for (Id o : orgs) st.bind(i++, o);
    while (st.step()) out.push_back(place_from_row(st));
    return out;
  }

  std::vector<Service> services_of(const std::vector<Id>& orgs) override {
    std::vector<Service> out;
    if (orgs.empty()) return out;
    auto st = c_.prepare(std::string("SELECT ") + kServiceColumns +
                         " FROM services WHERE organisation_id IN (" + marks(orgs.size()) +
                         ") ORDER BY id");
    int i = 1;
    for (Id o : orgs) st.bind(i++, o);
    while (st.step()) out.push_back(service_from_row(st));
    return out;
  }

  std::optional<ExternalCalendar> calendar(Id id) override {
    auto st = c_.prepare(std::string("SELECT ") + kCalendarColumns +
                         " FROM external_calendars WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return calendar_from_row(st);
  }

  std::vector<ExternalCalendar> agent_calendars(Id agent_id) override {
    auto st = c_.prepare(std::string("SELECT ") + kCalendarColumns +
                         " FROM external_calendars WHERE agent_id = ? ORDER BY id");
    st.bind(1, agent_id);
    std::vector<ExternalCalendar> out;
    while (st.step()) out.push_back(calendar_from_row(st));
    return out;
  }

  std::vector<Id> calendars_due(Instant now, size_t limit) override {
    auto st = c_.prepare(
        "SELECT id FROM external_calendars WHERE next_fetch_at <= ? ORDER BY next_fetch_at LIMIT "
        "?");
    st.bind(1, to_epoch(now)).bind(2, static_cast<std::int64_t>(limit));
    std::vector<Id> out;
    while (st.step()) out.push_back(st.int64(0));
    return out;
  }

  std::vector<std::pair<Id, TimeRange>> calendar_busy_of(const std::vector<Id>& agent_ids,
                                                         TimeRange window) override {
    std::vector<std::pair<Id, TimeRange>> out;
    if (agent_ids.empty()) return out;
    // Imported events last at most 400 days: the index range is bounded.
    auto st =
        c_.prepare("SELECT agent_id, start_at, end_at FROM calendar_busy WHERE agent_id IN (" +
                   marks(agent_ids.size()) + ") AND start_at < ? AND start_at > ? AND end_at > ?");
    int i = 1;
    for (Id a : agent_ids) st.bind(i++, a);
    st.bind(i, to_epoch(window.end));
    st.bind(i + 1, to_epoch(window.start) - 401 * 86400);
    st.bind(i + 2, to_epoch(window.start));
    while (st.step())
      out.emplace_back(st.int64(0), TimeRange{from_epoch(st.int64(1)), from_epoch(st.int64(2))});
    return out;
  }

  std::optional<std::string> setting(const std::string& name) override {
    auto st = c_.prepare("SELECT value FROM settings WHERE name = ?");
    st.bind(1, name);
    if (!st.step()) return std::nullopt;
    return st.text(0);
  }

  std::vector<Document> documents_of(Id booking_id) override {
    auto st = c_.prepare(std::string("SELECT ") + kDocumentColumns +
                         " FROM documents d WHERE d.booking_id = ? ORDER BY d.id");
    st.bind(1, booking_id);
    std::vector<Document> out;
    while (st.step()) out.push_back(document_from_row(st));
    return out;
  }

  std::vector<Webhook> webhooks_of(Id organisation_id) override {
    auto st = c_.prepare(
        "SELECT id, organisation_id, url, secret, events FROM webhooks WHERE organisation_id = ? "
        "ORDER BY id");
    st.bind(1, organisation_id);
    std::vector<Webhook> out;
    while (st.step())
      out.push_back(
          {st.int64(0), st.int64(1), st.text(2), st.text(3), webhook_events_from_csv(st.text(4))});
    return out;
  }

  std::vector<SurveyStats> survey_stats(Id organisation_id) override {
    auto st = c_.prepare(
        "SELECT service_id, count(*), avg(rating), sum(solved) FROM survey_answers "
        "WHERE organisation_id = ? GROUP BY service_id ORDER BY service_id");
    st.bind(1, organisation_id);
    std::vector<SurveyStats> out;
    while (st.step())
      out.push_back({st.int64(0), st.integer(1), st.opt_real(2).value_or(0), st.integer(3)});
    return out;
  }

  Id insert_organisation(const Organisation& o) override {
    auto st = c_.prepare(
        "INSERT INTO organisations(name, kind, timezone, territory_id, colleagues_see_agendas) "
        "VALUES (?, ?, ?, ?, ?)");
    st.bind(1, o.name).bind(2, o.kind).bind(3, o.timezone).bind(4, o.territory_id);
    st.bind(5, o.colleagues_see_agendas ? 1 : 0).run();
    return c_.last_insert_id();
  }

  Id insert_place(const Place& p) override {
    auto st = c_.prepare(
        "INSERT INTO places(organisation_id, name, address, postcode, city, accessibility, "
        "opening_hours, latitude, longitude, timezone) VALUES (?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, p.organisation_id).bind(2, p.name).bind(3, p.address).bind(4, p.postcode);
    st.bind(5, p.city).bind(6, p.accessibility).bind(7, p.opening_hours);
    st.bind(8, p.latitude).bind(9, p.longitude).bind(10, p.timezone).run();
    return c_.last_insert_id();
  }

  Id insert_service(const Service& s) override {
    auto org = organisation(s.organisation_id);
    auto st = c_.prepare(
        "INSERT INTO services(organisation_id, name, description, keywords, documents_to_bring, "
        "duration_minutes, slot_step_minutes, modes, min_notice_minutes, horizon_days, "
        "buffer_before_minutes, buffer_after_minutes, capacity, cancel_until_minutes, "
        "bookable_by, search_text, reminders) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12, ?13, ?14, ?15, ?16, ?17)");
    bind_service(st, s, service_search_text(s, org ? org->name : ""));
    st.run();
    return c_.last_insert_id();
  }

  Id insert_agent(const Agent& a) override {
    auto st = c_.prepare("INSERT INTO agents(name, email, phone, ics_secret) VALUES (?,?,?,?)");
    st.bind(1, a.name).bind(2, a.email).bind(3, a.phone).bind(4, a.ics_secret).run();
    Id id = c_.last_insert_id();
    for (Id org : a.organisation_ids) {
      auto link =
          c_.prepare("INSERT INTO agent_organisations(agent_id, organisation_id) VALUES (?, ?)");
      link.bind(1, id).bind(2, org).run();
    }
    return id;
  }

  Id insert_opening(const Opening& o) override {
    auto st = c_.prepare(
        "INSERT INTO openings(agent_id, place_id, modes, start_local, end_local, timezone, "
        "rrule, exdates, first_start, last_end) VALUES (?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, o.agent_id).bind(2, o.place_id).bind(3, o.modes.to_csv());
    bind_period(st, 4, o.period);
    st.run();
    Id id = c_.last_insert_id();
    link_services(id, o.service_ids);
    return id;
  }

  void update_opening(const Opening& o) override {
    auto st = c_.prepare(
        "UPDATE openings SET place_id = ?, modes = ?, start_local = ?, end_local = ?, "
        "timezone = ?, rrule = ?, exdates = ?, first_start = ?, last_end = ? WHERE id = ?");
    st.bind(1, o.place_id).bind(2, o.modes.to_csv());
    bind_period(st, 3, o.period);
    st.bind(10, o.id).run();
    auto unlink = c_.prepare("DELETE FROM opening_services WHERE opening_id = ?");
    unlink.bind(1, o.id).run();
    link_services(o.id, o.service_ids);
  }

  void update_absence(const Absence& a) override {
    auto st = c_.prepare(
        "UPDATE absences SET reason = ?, start_local = ?, end_local = ?, timezone = ?, rrule = ?, "
        "exdates = ?, first_start = ?, last_end = ? WHERE id = ?");
    st.bind(1, a.reason);
    bind_period(st, 2, a.period);
    st.bind(9, a.id).run();
  }

  Id insert_absence(const Absence& a) override {
    auto st = c_.prepare(
        "INSERT INTO absences(agent_id, reason, start_local, end_local, timezone, rrule, "
        "exdates, first_start, last_end) VALUES (?,?,?,?,?,?,?,?,?)");
    st.bind(1, a.agent_id).bind(2, a.reason);
    bind_period(st, 3, a.period);
    st.run();
    return c_.last_insert_id();
  }

  Id insert_booking(const Booking& b) override {
    auto st = c_.prepare(
        "INSERT INTO bookings(service_id, agent_id, place_id, mode, start_at, end_at, "
        "block_start, block_end, capacity, status, booked_by, resident_first_name, "
        "resident_last_name, resident_email, resident_phone, mandate, manage_token_hash, notes, "
        "cancel_reason, created_at, updated_at, sequence, booked_by_account_id) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, b.service_id).bind(2, b.agent_id).bind(3, b.place_id).bind(4, mode_name(b.mode));
    st.bind(5, to_epoch(b.start)).bind(6, to_epoch(b.end));
    st.bind(7, to_epoch(b.blocked().start)).bind(8, to_epoch(b.blocked().end));
    st.bind(9, b.capacity).bind(10, status_name(b.status)).bind(11, booked_by_name(b.booked_by));
    st.bind(12, b.resident.first_name).bind(13, b.resident.last_name);
    st.bind(14, b.resident.email).bind(15, b.resident.phone).bind(16, b.mandate_json);
    st.bind(17, "").bind(18, b.notes).bind(19, b.cancel_reason);
    st.bind(20, to_epoch(b.created_at)).bind(21, to_epoch(b.updated_at)).bind(22, b.sequence);
    st.bind(23, b.booked_by_account_id).run();
    return c_.last_insert_id();
  }

  void update_booking(const Booking& b) override {
    auto st = c_.prepare(
        "UPDATE bookings SET agent_id = ?, place_id = ?, mode = ?, start_at = ?, end_at = ?, "
        "block_start = ?, block_end = ?, status = ?, notes = ?, cancel_reason = ?, updated_at = ?, "
        "sequence = ?, summary = ?, survey_answered = ?, reminders_opt_out = ?, mandate = ? "
        "WHERE id = ?");
    st.bind(1, b.agent_id).bind(2, b.place_id).bind(3, mode_name(b.mode));
    st.bind(4, to_epoch(b.start)).bind(5, to_epoch(b.end));
    st.bind(6, to_epoch(b.blocked().start)).bind(7, to_epoch(b.blocked().end));
    st.bind(8, status_name(b.status)).bind(9, b.notes).bind(10, b.cancel_reason);
    st.bind(11, to_epoch(b.updated_at)).bind(12, b.sequence).bind(13, b.summary);
    st.bind(14, b.survey_answered ? 1 : 0)
        .bind(15, b.reminders_opt_out ? 1 : 0)
        .bind(16, b.mandate_json)
        .bind(17, b.id)
        .run();
  }

  void save_idempotent_booking(const std::string& key_hash, const IdempotentBooking& b,
                               Instant now) override {
    auto st = c_.prepare(
        "INSERT INTO idempotency_keys(key_hash, request_hash, booking_id, created_at) "
        "VALUES (?,?,?,?)");
    st.bind(1, key_hash).bind(2, b.request_hash).bind(3, b.booking_id);
    st.bind(4, to_epoch(now)).run();
  }

  void purge_idempotency_keys(Instant older_than) override {
    auto st = c_.prepare("DELETE FROM idempotency_keys WHERE created_at < ?");
    st.bind(1, to_epoch(older_than)).run();
  }

  void update_agent_ics_secret(Id agent_id, const std::string& secret) override {
    auto st = c_.prepare("UPDATE agents SET ics_secret = ? WHERE id = ?");
    st.bind(1, secret).bind(2, agent_id).run();
  }

  Id insert_calendar(const ExternalCalendar& c) override {
    auto st = c_.prepare(
        "INSERT INTO external_calendars(agent_id, url, purpose, next_fetch_at, created_at) "
        "VALUES (?,?,?,?,?)");
    st.bind(1, c.agent_id).bind(2, c.url).bind(3, std::string(purpose_name(c.purpose)));
    st.bind(4, to_epoch(c.next_fetch_at)).bind(5, to_epoch(c.created_at)).run();
    return c_.last_insert_id();
  }

  void update_calendar_source(const ExternalCalendar& c) override {
    auto st = c_.prepare(
        "UPDATE external_calendars SET url = ?, purpose = ?, etag = '', last_modified = '', "
        "content = '', next_fetch_at = ? WHERE id = ?");
    st.bind(1, c.url).bind(2, std::string(purpose_name(c.purpose)));
    st.bind(3, to_epoch(c.next_fetch_at)).bind(4, c.id).run();
  }

  void save_calendar_fetch(const ExternalCalendar& c) override {
    auto st = c_.prepare(
        "UPDATE external_calendars SET etag = ?, last_modified = ?, content = ?, "
        "last_success_at = ?, last_attempt_at = ?, last_error = ?, warnings = ?, "
        "next_fetch_at = ? WHERE id = ?");
    st.bind(1, c.etag).bind(2, c.last_modified).bind(3, c.content);
    st.bind(4, epoch_or_null(c.last_success_at)).bind(5, epoch_or_null(c.last_attempt_at));
    st.bind(6, c.last_error)
        .bind(7, strings_to_json(c.warnings))
        .bind(8, to_epoch(c.next_fetch_at));
    st.bind(9, c.id).run();
  }

  void delete_calendar(Id calendar_id) override {
    replace_calendar_openings(calendar_id, {});
    auto st = c_.prepare("DELETE FROM external_calendars WHERE id = ?");
    st.bind(1, calendar_id).run();
  }

  void replace_calendar_busy(Id calendar_id, Id agent_id,
                             const std::vector<TimeRange>& busy) override {
    auto clear = c_.prepare("DELETE FROM calendar_busy WHERE calendar_id = ?");
    clear.bind(1, calendar_id).run();
    for (const TimeRange& r : busy) {
      auto st = c_.prepare(
          "INSERT INTO calendar_busy(calendar_id, agent_id, start_at, end_at) VALUES (?,?,?,?)");
      st.bind(1, calendar_id).bind(2, agent_id).bind(3, to_epoch(r.start)).bind(4, to_epoch(r.end));
      st.run();
    }
  }

  void replace_calendar_openings(Id calendar_id, const std::vector<Opening>& openings) override {
    auto links = c_.prepare(
        "DELETE FROM opening_services WHERE opening_id IN (SELECT id FROM openings WHERE "
        "calendar_id = ?)");
    links.bind(1, calendar_id).run();
    auto clear = c_.prepare("DELETE FROM openings WHERE calendar_id = ?");
    clear.bind(1, calendar_id).run();
    for (const Opening& o : openings) {
      Id id = insert_opening(o);
      auto mark = c_.prepare("UPDATE openings SET calendar_id = ? WHERE id = ?");
      mark.bind(1, calendar_id).bind(2, id).run();
    }
  }

  std::string ensure_setting(const std::string& name, const std::string& value) override {
    auto st = c_.prepare("INSERT OR IGNORE INTO settings(name, value) VALUES (?, ?)");
    st.bind(1, name).bind(2, value).run();
    return *setting(name);
  }

  void update_organisation_video(Id organisation_id, const VideoSettings& v) override {
    nlohmann::json j = {{"provider", provider_name(v.provider)},
                        {"url", v.url},
                        {"app_id", v.app_id},
                        {"secret", v.secret},
                        {"open_minutes_before", v.open_minutes_before}};
    auto st = c_.prepare("UPDATE organisations SET video = ? WHERE id = ?");
    st.bind(1, j.dump()).bind(2, organisation_id).run();
  }

  Id insert_document(const Document& d) override {
    auto st = c_.prepare(
        "INSERT INTO documents(booking_id, filename, content_type, size, stored_name, created_at) "
        "VALUES (?,?,?,?,?,?)");
    st.bind(1, d.booking_id).bind(2, d.filename).bind(3, d.content_type).bind(4, d.size);
    st.bind(5, d.stored_name).bind(6, to_epoch(d.created_at)).run();
    return c_.last_insert_id();
  }

  std::vector<Document> delete_bookings_ended_before(Instant ended_before) override {
    std::vector<Document> docs = documents_where("b.end_at < ?", to_epoch(ended_before));
    auto d = c_.prepare(
        "DELETE FROM documents WHERE booking_id IN (SELECT id FROM bookings WHERE end_at < ?)");
    d.bind(1, to_epoch(ended_before)).run();
    auto b = c_.prepare("DELETE FROM bookings WHERE end_at < ?");
    b.bind(1, to_epoch(ended_before)).run();
    return docs;
  }

  std::vector<Document> anonymise_cancelled_before(Instant cancelled_before) override {
    const char* which = "b.status = 'cancelled' AND b.updated_at < ?";
    std::vector<Document> docs = documents_where(which, to_epoch(cancelled_before));
    auto d = c_.prepare(std::string("DELETE FROM documents WHERE booking_id IN (SELECT b.id FROM "
                                    "bookings b WHERE ") +
                        which + ")");
    d.bind(1, to_epoch(cancelled_before)).run();
    auto b = c_.prepare(
        "UPDATE bookings SET resident_first_name = '', resident_last_name = '', resident_email = "
        "'', resident_phone = '', mandate = '', notes = '', cancel_reason = '', summary = '' "
        "WHERE status = 'cancelled' AND updated_at < ? AND (resident_last_name <> '' OR "
        "resident_email <> '' OR resident_phone <> '')");
    b.bind(1, to_epoch(cancelled_before)).run();
    return docs;
  }

  Id insert_webhook(const Webhook& w, Instant now) override {
    auto st = c_.prepare(
        "INSERT INTO webhooks(organisation_id, url, secret, events, created_at) VALUES "
        "(?,?,?,?,?)");
    st.bind(1, w.organisation_id)
        .bind(2, w.url)
        .bind(3, w.secret)
        .bind(4, webhook_events_csv(w.events));
    st.bind(5, to_epoch(now)).run();
    return c_.last_insert_id();
  }

  void update_webhook(const Webhook& w) override {
    auto st = c_.prepare("UPDATE webhooks SET url = ?, secret = ?, events = ? WHERE id = ?");
    st.bind(1, w.url).bind(2, w.secret).bind(3, webhook_events_csv(w.events)).bind(4, w.id).run();
  }

  void insert_survey_answer(Id organisation_id, Id service_id, const SurveyAnswer& a,
                            const std::string& day) override {
    auto st = c_.prepare(
        "INSERT INTO survey_answers(organisation_id, service_id, rating, solved, comment, "
        "answered_on) VALUES (?,?,?,?,?,?)");
    st.bind(1, organisation_id).bind(2, service_id).bind(3, a.rating).bind(4, a.solved ? 1 : 0);
    st.bind(5, a.comment).bind(6, day).run();
  }

 private:
  // Documents of the bookings `b` matching `where` (one bound instant).
  std::vector<Document> documents_where(const std::string& where, std::int64_t at) {
    auto st = c_.prepare(std::string("SELECT ") + kDocumentColumns +
                         " FROM documents d JOIN bookings b ON b.id = d.booking_id WHERE " + where);
    st.bind(1, at);
    std::vector<Document> out;
    while (st.step()) out.push_back(document_from_row(st));
    return out;
  }

  // Binds start_local, end_local, timezone, rrule, exdates, first_start, last_end.
  void link_services(Id opening_id, const std::vector<Id>& service_ids) {
    for (Id service : service_ids) {
      auto link = c_.prepare("INSERT INTO opening_services(service_id, opening_id) VALUES (?,?)");
      link.bind(1, service).bind(2, opening_id).run();
    }
  }

  static void bind_period(Statement& st, int i, const RepeatingPeriod& p) {
    st.bind(i, format_local(p.start)).bind(i + 1, format_local(p.end));
    st.bind(i + 2, std::string(p.zone->name())).bind(i + 3, p.rrule);
    st.bind(i + 4, exdates_json(p.exdates)).bind(i + 5, to_epoch(first_start(p)));
    auto last = last_end(p);
    st.bind(i + 6, last ? std::optional<std::int64_t>(to_epoch(*last)) : std::nullopt);
  }

  Connection& c_;
  SqliteAccounts accounts_;
  SqliteDirectory directory_;
  SqliteJobs jobs_;
  SqliteResidentAccess residents_;
};

void migrate(Connection& c) {
  c.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at "
      "INTEGER NOT NULL)");
  for (const Migration& m : sqlite_migrations()) {
    Transaction tx(c, "BEGIN IMMEDIATE");
    bool applied = false;
    {
      auto seen = c.prepare("SELECT 1 FROM schema_migrations WHERE name = ?");
      seen.bind(1, m.name);
      applied = seen.step();
    }
    if (!applied) {
      c.exec(m.sql);
      auto mark = c.prepare(
          "INSERT INTO schema_migrations(name, applied_at) VALUES (?, strftime('%s','now'))");
      mark.bind(1, m.name).run();
    }
    tx.commit();
  }
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, size_t readers) : path_(path) {
  writer_ = std::make_unique<Connection>(path);
  migrate(*writer_);
  for (size_t i = 0; i < readers; ++i) readers_.push_back(std::make_unique<Connection>(path));
}

SqliteStore::~SqliteStore() = default;

std::unique_ptr<sqlite::Connection> SqliteStore::take_reader() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!readers_.empty()) {
      auto c = std::move(readers_.back());
      readers_.pop_back();
      return c;
    }
  }
  return std::make_unique<Connection>(path_);  // pool empty: one more, kept afterwards
}

void SqliteStore::give_back(std::unique_ptr<sqlite::Connection> c) {
  std::lock_guard lock(pool_mutex_);
  if (readers_.size() < 16) readers_.push_back(std::move(c));
}

void SqliteStore::read(const std::function<void(StoreReader&)>& work) {
  auto c = take_reader();
  try {
    Transaction guard(*c, "BEGIN");
    SqliteTx tx(*c);
    work(tx);
    guard.commit();
  } catch (...) {
    give_back(std::move(c));  // rolled back by the guard
    throw;
  }
  give_back(std::move(c));
}

void SqliteStore::write(const std::function<void(StoreWriter&)>& work) {
  std::lock_guard lock(write_mutex_);
  // IMMEDIATE takes the write lock now, so checks made in `work` still hold at
  // commit, also against other processes on the same file.
  Transaction guard(*writer_, "BEGIN IMMEDIATE");
  SqliteTx tx(*writer_);
  work(tx);
  guard.commit();
}

bool SqliteStore::healthy() {
  try {
    read([](StoreReader& r) { (void)r.is_empty(); });
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace rdv
