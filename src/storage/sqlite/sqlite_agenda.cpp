#include "storage/sqlite/sqlite_agenda.h"

#include "storage/sqlite/rows.h"

namespace rdv {

using namespace sqlite;  // the shared row encodings

namespace {

// Binds start_local, end_local, timezone, rrule, exdates, first_start,
// last_end (the bounds of every occurrence, for window queries) from `i` on.
void bind_period(Statement& st, int i, const RepeatingPeriod& p) {
  st.bind(i, format_local(p.start)).bind(i + 1, format_local(p.end));
  st.bind(i + 2, std::string(p.zone->name())).bind(i + 3, p.rrule);
  st.bind(i + 4, exdates_json(p.exdates)).bind(i + 5, period_first_start(p));
  st.bind(i + 6, period_last_end(p));
}

}  // namespace

std::vector<Opening> SqliteAgenda::openings_for_service(Id service_id, TimeRange window,
                                                        std::optional<Id> agent_id) {
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

std::vector<Opening> SqliteAgenda::agent_openings(Id agent_id, TimeRange window) {
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

std::vector<Absence> SqliteAgenda::absences_of(const std::vector<Id>& agent_ids, TimeRange window) {
  std::vector<Absence> out;
  if (agent_ids.empty()) return out;
  auto st = c_.prepare(std::string("SELECT ") + kAbsenceColumns +
                       " FROM absences WHERE agent_id IN (" + marks(agent_ids.size()) +
                       ") AND first_start < ? AND (last_end IS NULL OR last_end > ?)");
  int i = 1;
  for (Id a : agent_ids) st.bind(i++, a);
  st.bind(i, to_epoch(window.end));
  st.bind(i + 1, to_epoch(window.start));
  while (st.step()) out.push_back(absence_from_row(st));
  return out;
}

Id SqliteAgenda::insert_opening(const Opening& o) {
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

void SqliteAgenda::update_opening(const Opening& o) {
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

void SqliteAgenda::delete_opening(Id opening_id) {
  auto links = c_.prepare("DELETE FROM opening_services WHERE opening_id = ?");
  links.bind(1, opening_id).run();
  auto st = c_.prepare("DELETE FROM openings WHERE id = ?");
  st.bind(1, opening_id).run();
}

Id SqliteAgenda::insert_absence(const Absence& a) {
  auto st = c_.prepare(
      "INSERT INTO absences(agent_id, reason, start_local, end_local, timezone, rrule, "
      "exdates, first_start, last_end) VALUES (?,?,?,?,?,?,?,?,?)");
  st.bind(1, a.agent_id).bind(2, a.reason);
  bind_period(st, 3, a.period);
  st.run();
  return c_.last_insert_id();
}

void SqliteAgenda::update_absence(const Absence& a) {
  auto st = c_.prepare(
      "UPDATE absences SET reason = ?, start_local = ?, end_local = ?, timezone = ?, rrule = ?, "
      "exdates = ?, first_start = ?, last_end = ? WHERE id = ?");
  st.bind(1, a.reason);
  bind_period(st, 2, a.period);
  st.bind(9, a.id).run();
}

void SqliteAgenda::delete_absence(Id absence_id) {
  auto st = c_.prepare("DELETE FROM absences WHERE id = ?");
  st.bind(1, absence_id).run();
}

void SqliteAgenda::link_services(Id opening_id, const std::vector<Id>& service_ids) {
  for (Id service : service_ids) {
    auto link = c_.prepare("INSERT INTO opening_services(service_id, opening_id) VALUES (?,?)");
    link.bind(1, service).bind(2, opening_id).run();
  }
}

}  // namespace rdv
