#include "storage/sqlite/sqlite_calendars.h"

#include "storage/sqlite/rows.h"

namespace rdv {

using namespace sqlite;  // the shared row encodings

std::optional<ExternalCalendar> SqliteCalendars::find(Id id) {
  auto st = c_.prepare(std::string("SELECT ") + kCalendarColumns +
                       " FROM external_calendars WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return calendar_from_row(st);
}

std::vector<ExternalCalendar> SqliteCalendars::of_agent(Id agent_id) {
  auto st = c_.prepare(std::string("SELECT ") + kCalendarColumns +
                       " FROM external_calendars WHERE agent_id = ? ORDER BY id");
  st.bind(1, agent_id);
  std::vector<ExternalCalendar> out;
  while (st.step()) out.push_back(calendar_from_row(st));
  return out;
}

std::vector<Id> SqliteCalendars::due(Instant now, size_t limit) {
  auto st = c_.prepare(
      "SELECT id FROM external_calendars WHERE next_fetch_at <= ? ORDER BY next_fetch_at LIMIT "
      "?");
  st.bind(1, to_epoch(now)).bind(2, static_cast<std::int64_t>(limit));
  std::vector<Id> out;
  while (st.step()) out.push_back(st.int64(0));
  return out;
}

std::vector<std::pair<Id, TimeRange>> SqliteCalendars::busy_of(const std::vector<Id>& agent_ids,
                                                               TimeRange window) {
  std::vector<std::pair<Id, TimeRange>> out;
  if (agent_ids.empty()) return out;
  // Events of a day or less start at most a day before the window; longer
  // ones (at most 400 days) come from their own index (calendar_busy_long).
  std::string agents;  // ?5, ?6...: each agent once, named in both halves
  for (size_t k = 0; k < agent_ids.size(); ++k) agents += (k ? ",?" : "?") + std::to_string(5 + k);
  auto st = c_.prepare(
      "SELECT agent_id, start_at, end_at FROM calendar_busy WHERE agent_id IN (" + agents +
      ") AND start_at < ?1 AND start_at >= ?2 AND end_at > ?3 "
      "UNION ALL SELECT agent_id, start_at, end_at FROM calendar_busy INDEXED BY "
      "calendar_busy_long WHERE agent_id IN (" +
      agents +
      ") AND end_at - start_at > 86400 AND end_at > ?3 AND start_at < ?2 AND start_at > ?4 "
      "ORDER BY agent_id, start_at, end_at");
  st.bind(1, to_epoch(window.end));
  st.bind(2, to_epoch(window.start) - 86400);
  st.bind(3, to_epoch(window.start));
  st.bind(4, to_epoch(window.start) - 401 * 86400);
  int i = 5;
  for (Id a : agent_ids) st.bind(i++, a);
  while (st.step())
    out.emplace_back(st.int64("agent_id"),
                     TimeRange{from_epoch(st.int64("start_at")), from_epoch(st.int64("end_at"))});
  return out;
}

Id SqliteCalendars::insert(const ExternalCalendar& c) {
  auto st = c_.prepare(
      "INSERT INTO external_calendars(agent_id, url, purpose, next_fetch_at, created_at) "
      "VALUES (?,?,?,?,?)");
  st.bind(1, c.agent_id).bind(2, c.url).bind(3, std::string(purpose_name(c.purpose)));
  st.bind(4, to_epoch(c.next_fetch_at)).bind(5, to_epoch(c.created_at)).run();
  return c_.last_insert_id();
}

void SqliteCalendars::save_fetch(const ExternalCalendar& c) {
  auto st = c_.prepare(
      "UPDATE external_calendars SET etag = ?, last_modified = ?, content = ?, "
      "last_success_at = ?, last_attempt_at = ?, last_error = ?, warnings = ?, "
      "next_fetch_at = ? WHERE id = ?");
  st.bind(1, c.etag).bind(2, c.last_modified).bind(3, c.content);
  st.bind(4, epoch_or_null(c.last_success_at)).bind(5, epoch_or_null(c.last_attempt_at));
  st.bind(6, c.last_error).bind(7, strings_to_json(c.warnings)).bind(8, to_epoch(c.next_fetch_at));
  st.bind(9, c.id).run();
}

void SqliteCalendars::update_source(const ExternalCalendar& c) {
  auto st = c_.prepare(
      "UPDATE external_calendars SET url = ?, purpose = ?, etag = '', last_modified = '', "
      "content = '', next_fetch_at = ? WHERE id = ?");
  st.bind(1, c.url).bind(2, std::string(purpose_name(c.purpose)));
  st.bind(3, to_epoch(c.next_fetch_at)).bind(4, c.id).run();
}

std::vector<std::pair<Id, std::int64_t>> SqliteCalendars::busy_versions(
    const std::vector<Id>& agent_ids) {
  std::vector<std::pair<Id, std::int64_t>> out;
  if (agent_ids.empty()) return out;
  auto st = c_.prepare("SELECT id, busy_version FROM agents WHERE id IN (" +
                       marks(agent_ids.size()) + ") ORDER BY id");
  int i = 1;
  for (Id a : agent_ids) st.bind(i++, a);
  while (st.step()) out.emplace_back(st.int64("id"), st.int64("busy_version"));
  return out;
}

void SqliteCalendars::bump_busy_version(Id calendar_id) {
  auto st = c_.prepare(
      "UPDATE agents SET busy_version = busy_version + 1 WHERE id = "
      "(SELECT agent_id FROM external_calendars WHERE id = ?)");
  st.bind(1, calendar_id).run();
}

void SqliteCalendars::remove(Id calendar_id) {
  bump_busy_version(calendar_id);  // its busy time goes with it (ON DELETE CASCADE)
  replace_openings(calendar_id, {});
  auto st = c_.prepare("DELETE FROM external_calendars WHERE id = ?");
  st.bind(1, calendar_id).run();
}

void SqliteCalendars::replace_busy(Id calendar_id, Id agent_id,
                                   const std::vector<TimeRange>& busy) {
  bump_busy_version(calendar_id);
  auto clear = c_.prepare("DELETE FROM calendar_busy WHERE calendar_id = ?");
  clear.bind(1, calendar_id).run();
  for (const TimeRange& r : busy) {
    auto st = c_.prepare(
        "INSERT INTO calendar_busy(calendar_id, agent_id, start_at, end_at) VALUES (?,?,?,?)");
    st.bind(1, calendar_id).bind(2, agent_id).bind(3, to_epoch(r.start)).bind(4, to_epoch(r.end));
    st.run();
  }
}

void SqliteCalendars::replace_openings(Id calendar_id, const std::vector<Opening>& openings) {
  auto links = c_.prepare(
      "DELETE FROM opening_services WHERE opening_id IN (SELECT id FROM openings WHERE "
      "calendar_id = ?)");
  links.bind(1, calendar_id).run();
  auto clear = c_.prepare("DELETE FROM openings WHERE calendar_id = ?");
  clear.bind(1, calendar_id).run();
  for (const Opening& o : openings) {
    Id id = agenda_.insert_opening(o);
    auto mark = c_.prepare("UPDATE openings SET calendar_id = ? WHERE id = ?");
    mark.bind(1, calendar_id).bind(2, id).run();
  }
}

}  // namespace rdv
