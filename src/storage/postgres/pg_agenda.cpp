#include "storage/postgres/pg_agenda.h"

#include <unordered_map>

#include "storage/postgres/rows.h"

namespace rdv {

using namespace postgres;  // Row, all_of and the shared row encodings

namespace {

// A period's columns: start_local, end_local, timezone, rrule, exdates, and
// the bounds of every occurrence (first_start, last_end) for window queries.
struct PeriodValues {
  explicit PeriodValues(const RepeatingPeriod& p)
      : start_local(format_local(p.start)),
        end_local(format_local(p.end)),
        timezone(p.zone->name()),
        exdates(exdates_json(p.exdates)),
        first_start(period_first_start(p)),
        last_end(period_last_end(p)) {}

  std::string start_local, end_local, timezone, exdates;
  std::int64_t first_start;
  std::optional<std::int64_t> last_end;
};

}  // namespace

std::vector<Opening> PgAgenda::openings_for_service(Id service_id, TimeRange window,
                                                    std::optional<Id> agent_id) {
  postgres::Batch alone(tx_.work());
  return openings_for_service(alone, service_id, window, agent_id).get();
}

postgres::Pending<std::vector<Opening>> PgAgenda::openings_for_service(postgres::Batch& batch,
                                                                       Id service_id,
                                                                       TimeRange window,
                                                                       std::optional<Id> agent_id) {
  // Two texts rather than a catch-all "$4 IS NULL OR": each is prepared
  // once (see statements.h), and a booking names its agent.
  auto sql = [](const char* of_agent) {
    return std::string("SELECT ") + kOpeningColumns +
           " FROM opening_services os JOIN openings o ON o.id = os.opening_id "
           "WHERE os.service_id = $1 AND o.first_start < $3 AND (o.last_end IS NULL OR "
           "o.last_end > $2) " +
           of_agent +
           // Someone who left offers nothing any more.
           "AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.agent_id = o.agent_id AND a.status "
           "= 'deactivated') ORDER BY o.agent_id, o.id";
  };
  auto start = to_epoch(window.start), end = to_epoch(window.end);
  auto index = agent_id ? batch.add(sql("AND o.agent_id = $4 "), service_id, start, end, *agent_id)
                        : batch.add(sql(""), service_id, start, end);
  return {batch, index, [service_id](const pqxx::result& r) {
            std::vector<Opening> out = all_of(r, opening_from_row<Row>);
            for (Opening& o : out) o.service_ids.push_back(service_id);
            return out;
          }};
}

std::vector<Opening> PgAgenda::agent_openings(Id agent_id, TimeRange window) {
  std::vector<Opening> out =
      all_of(tx_.exec_params(std::string("SELECT ") + kOpeningColumns +
                                 " FROM openings o WHERE o.agent_id = $1 AND o.first_start < $2 "
                                 "AND (o.last_end IS NULL OR o.last_end > $3) AND o.calendar_id "
                                 "IS NULL ORDER BY o.id",
                             agent_id, to_epoch(window.end), to_epoch(window.start)),
             opening_from_row<Row>);
  if (out.empty()) return out;
  // The services of every opening in one query rather than one per opening;
  // by service id, the order SQLite reads them in (its primary key).
  std::vector<Id> ids;
  std::unordered_map<Id, Opening*> by_id;
  for (Opening& o : out) {
    ids.push_back(o.id);
    by_id[o.id] = &o;
  }
  auto links = tx_.exec_params(
      "SELECT opening_id, service_id FROM opening_services WHERE opening_id = ANY($1::bigint[]) "
      "ORDER BY opening_id, service_id",
      bigint_array(ids));
  for (const auto& row : links)
    by_id.at(Row(row).int64("opening_id"))->service_ids.push_back(Row(row).int64("service_id"));
  return out;
}

std::vector<Absence> PgAgenda::absences_of(const std::vector<Id>& agent_ids, TimeRange window) {
  if (agent_ids.empty()) return {};
  postgres::Batch alone(tx_.work());
  return absences_of(alone, agent_ids, window).get();
}

postgres::Pending<std::vector<Absence>> PgAgenda::absences_of(postgres::Batch& batch,
                                                              const std::vector<Id>& agent_ids,
                                                              TimeRange window) {
  // SQLite has no ORDER BY here and reads along its index absences_agent
  // (agent_id, first_start), then by rowid: the same order, made explicit.
  auto index = batch.add(std::string("SELECT ") + kAbsenceColumns +
                             " FROM absences WHERE agent_id = ANY($1::bigint[]) AND "
                             "first_start < $2 AND (last_end IS NULL OR last_end > $3) "
                             "ORDER BY agent_id, first_start, id",
                         bigint_array(agent_ids), to_epoch(window.end), to_epoch(window.start));
  return {batch, index, [](const pqxx::result& r) { return all_of(r, absence_from_row<Row>); }};
}

Id PgAgenda::insert_opening(const Opening& o) {
  PeriodValues p(o.period);
  auto r = tx_.exec_params1(
      "INSERT INTO openings(agent_id, place_id, modes, start_local, end_local, timezone, "
      "rrule, exdates, first_start, last_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
      "RETURNING id",
      o.agent_id, o.place_id, o.modes.to_csv(), p.start_local, p.end_local, p.timezone,
      o.period.rrule, p.exdates, p.first_start, p.last_end);
  Id id = Row(r).int64("id");
  link_services(id, o.service_ids);
  return id;
}

void PgAgenda::update_opening(const Opening& o) {
  PeriodValues p(o.period);
  tx_.exec_params0(
      "UPDATE openings SET place_id = $1, modes = $2, start_local = $3, end_local = $4, "
      "timezone = $5, rrule = $6, exdates = $7, first_start = $8, last_end = $9 WHERE id = $10",
      o.place_id, o.modes.to_csv(), p.start_local, p.end_local, p.timezone, o.period.rrule,
      p.exdates, p.first_start, p.last_end, o.id);
  tx_.exec_params0("DELETE FROM opening_services WHERE opening_id = $1", o.id);
  link_services(o.id, o.service_ids);
}

void PgAgenda::delete_opening(Id opening_id) {
  tx_.exec_params0("DELETE FROM opening_services WHERE opening_id = $1", opening_id);
  tx_.exec_params0("DELETE FROM openings WHERE id = $1", opening_id);
}

Id PgAgenda::insert_absence(const Absence& a) {
  PeriodValues p(a.period);
  auto r = tx_.exec_params1(
      "INSERT INTO absences(agent_id, reason, start_local, end_local, timezone, rrule, "
      "exdates, first_start, last_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
      a.agent_id, a.reason, p.start_local, p.end_local, p.timezone, a.period.rrule, p.exdates,
      p.first_start, p.last_end);
  return Row(r).int64("id");
}

void PgAgenda::update_absence(const Absence& a) {
  PeriodValues p(a.period);
  tx_.exec_params0(
      "UPDATE absences SET reason = $1, start_local = $2, end_local = $3, timezone = $4, "
      "rrule = $5, exdates = $6, first_start = $7, last_end = $8 WHERE id = $9",
      a.reason, p.start_local, p.end_local, p.timezone, a.period.rrule, p.exdates, p.first_start,
      p.last_end, a.id);
}

void PgAgenda::delete_absence(Id absence_id) {
  tx_.exec_params0("DELETE FROM absences WHERE id = $1", absence_id);
}

void PgAgenda::link_services(Id opening_id, const std::vector<Id>& service_ids) {
  if (service_ids.empty()) return;
  // One statement for all: a repeated service fails on the primary key as
  // SQLite's one-by-one inserts do.
  tx_.exec_params0(
      "INSERT INTO opening_services(service_id, opening_id) SELECT unnest($1::bigint[]), $2",
      bigint_array(service_ids), opening_id);
}

}  // namespace rdv
