#include "storage/postgres/pg_calendars.h"

#include "storage/postgres/rows.h"

namespace rdv {

using namespace postgres;  // Row, all_of and the shared row encodings

std::optional<ExternalCalendar> PgCalendars::find(Id id) {
  auto r = tx_.exec_params(
      std::string("SELECT ") + kCalendarColumns + " FROM external_calendars WHERE id = $1", id);
  if (r.empty()) return std::nullopt;
  return calendar_from_row(Row(r[0]));
}

std::vector<ExternalCalendar> PgCalendars::of_agent(Id agent_id) {
  return all_of(tx_.exec_params(std::string("SELECT ") + kCalendarColumns +
                                    " FROM external_calendars WHERE agent_id = $1 ORDER BY id",
                                agent_id),
                calendar_from_row<Row>);
}

std::vector<Id> PgCalendars::due(Instant now, size_t limit) {
  // Ties by id: SQLite reads them along its index on next_fetch_at, by rowid.
  auto r = tx_.exec_params(
      "SELECT id FROM external_calendars WHERE next_fetch_at <= $1 ORDER BY next_fetch_at, id "
      "LIMIT $2",
      to_epoch(now), limit_param(limit));
  std::vector<Id> out;
  for (const auto& row : r) out.push_back(Row(row).int64("id"));
  return out;
}

std::vector<std::pair<Id, TimeRange>> PgCalendars::busy_of(const std::vector<Id>& agent_ids,
                                                           TimeRange window) {
  std::vector<std::pair<Id, TimeRange>> out;
  if (agent_ids.empty()) return out;
  // As on SQLite: events of a day or less start at most a day before the
  // window; longer ones (at most 400 days) come from calendar_busy_long.
  auto r = tx_.exec_params(
      "SELECT agent_id, start_at, end_at FROM calendar_busy WHERE agent_id = ANY($1::bigint[]) "
      "AND start_at < $2 AND start_at >= $3 AND end_at > $4 "
      "UNION ALL SELECT agent_id, start_at, end_at FROM calendar_busy "
      "WHERE agent_id = ANY($1::bigint[]) AND end_at - start_at > 86400 AND end_at > $4 "
      "AND start_at < $3 AND start_at > $5 ORDER BY agent_id, start_at, end_at",
      bigint_array(agent_ids), to_epoch(window.end), to_epoch(window.start) - 86400,
      to_epoch(window.start), to_epoch(window.start) - 401 * 86400);
  for (const auto& row : r) {
    Row f(row);
    out.emplace_back(f.int64("agent_id"),
                     TimeRange{from_epoch(f.int64("start_at")), from_epoch(f.int64("end_at"))});
  }
  return out;
}

Id PgCalendars::insert(const ExternalCalendar& c) {
  auto r = tx_.exec_params1(
      "INSERT INTO external_calendars(agent_id, url, purpose, next_fetch_at, created_at) "
      "VALUES ($1, $2, $3, $4, $5) RETURNING id",
      c.agent_id, c.url, std::string(purpose_name(c.purpose)), to_epoch(c.next_fetch_at),
      to_epoch(c.created_at));
  return Row(r).int64("id");
}

void PgCalendars::save_fetch(const ExternalCalendar& c) {
  tx_.exec_params0(
      "UPDATE external_calendars SET etag = $1, last_modified = $2, content = $3, "
      "last_success_at = $4, last_attempt_at = $5, last_error = $6, warnings = $7, "
      "next_fetch_at = $8 WHERE id = $9",
      c.etag, c.last_modified, c.content, epoch_or_null(c.last_success_at),
      epoch_or_null(c.last_attempt_at), c.last_error, strings_to_json(c.warnings),
      to_epoch(c.next_fetch_at), c.id);
}

void PgCalendars::update_source(const ExternalCalendar& c) {
  tx_.exec_params0(
      "UPDATE external_calendars SET url = $1, purpose = $2, etag = '', last_modified = '', "
      "content = '', next_fetch_at = $3 WHERE id = $4",
      c.url, std::string(purpose_name(c.purpose)), to_epoch(c.next_fetch_at), c.id);
}

std::vector<std::pair<Id, std::int64_t>> PgCalendars::busy_versions(
    const std::vector<Id>& agent_ids) {
  if (agent_ids.empty()) return {};
  postgres::Batch alone(tx_.work());
  return busy_versions(alone, agent_ids).get();
}

postgres::Pending<std::vector<std::pair<Id, std::int64_t>>> PgCalendars::busy_versions(
    postgres::Batch& batch, const std::vector<Id>& agent_ids) {
  auto index =
      batch.add("SELECT id, busy_version FROM agents WHERE id = ANY($1::bigint[]) ORDER BY id",
                bigint_array(agent_ids));
  return {batch, index, [](const pqxx::result& r) {
            std::vector<std::pair<Id, std::int64_t>> out;
            for (const auto& row : r)
              out.emplace_back(Row(row).int64("id"), Row(row).int64("busy_version"));
            return out;
          }};
}

void PgCalendars::bump_busy_version(Id calendar_id) {
  tx_.exec_params0(
      "UPDATE agents SET busy_version = busy_version + 1 WHERE id = "
      "(SELECT agent_id FROM external_calendars WHERE id = $1)",
      calendar_id);
}

void PgCalendars::remove(Id calendar_id) {
  bump_busy_version(calendar_id);
  replace_openings(calendar_id, {});
  // Its busy time goes with it (ON DELETE CASCADE, as in SQLite).
  tx_.exec_params0("DELETE FROM external_calendars WHERE id = $1", calendar_id);
}

void PgCalendars::replace_busy(Id calendar_id, Id agent_id, const std::vector<TimeRange>& busy) {
  bump_busy_version(calendar_id);
  tx_.exec_params0("DELETE FROM calendar_busy WHERE calendar_id = $1", calendar_id);
  if (busy.empty()) return;
  // One statement for all the intervals: a fetch may bring hundreds.
  std::vector<Id> starts, ends;
  for (const TimeRange& b : busy) {
    starts.push_back(to_epoch(b.start));
    ends.push_back(to_epoch(b.end));
  }
  tx_.exec_params0(
      "INSERT INTO calendar_busy(calendar_id, agent_id, start_at, end_at) "
      "SELECT $1, $2, s, e FROM unnest($3::bigint[], $4::bigint[]) AS t(s, e)",
      calendar_id, agent_id, bigint_array(starts), bigint_array(ends));
}

void PgCalendars::replace_openings(Id calendar_id, const std::vector<Opening>& openings) {
  tx_.exec_params0(
      "DELETE FROM opening_services WHERE opening_id IN (SELECT id FROM openings WHERE "
      "calendar_id = $1)",
      calendar_id);
  tx_.exec_params0("DELETE FROM openings WHERE calendar_id = $1", calendar_id);
  for (const Opening& o : openings) {
    Id id = agenda_.insert_opening(o);
    tx_.exec_params0("UPDATE openings SET calendar_id = $1 WHERE id = $2", calendar_id, id);
  }
}

}  // namespace rdv
