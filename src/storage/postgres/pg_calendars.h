// Agents' external calendars on PostgreSQL, in the transaction it is given;
// the openings a calendar publishes are written through the agenda.
#pragma once

#include <pqxx/pqxx>

#include "storage/calendars_store.h"
#include "storage/postgres/pg_agenda.h"
#include "storage/postgres/statements.h"

namespace rdv {

class PgCalendars final : public CalendarsWriter {
 public:
  PgCalendars(pqxx::dbtransaction& tx, PgAgenda& agenda) : tx_(tx), agenda_(agenda) {}

  std::optional<ExternalCalendar> find(Id id) override;
  std::vector<ExternalCalendar> of_agent(Id agent_id) override;
  std::vector<Id> due(Instant now, size_t limit) override;
  std::vector<std::pair<Id, TimeRange>> busy_of(const std::vector<Id>& agent_ids,
                                                TimeRange window) override;
  std::vector<std::pair<Id, std::int64_t>> busy_versions(const std::vector<Id>& agent_ids) override;
  // The same, added to a batch (PostgresStore's agenda_rows and service_and_agenda).
  static postgres::Pending<std::vector<std::pair<Id, std::int64_t>>> busy_versions(
      postgres::Batch& batch, const std::vector<Id>& agent_ids);
  Id insert(const ExternalCalendar& c) override;
  void save_fetch(const ExternalCalendar& c) override;
  void update_source(const ExternalCalendar& c) override;
  void remove(Id calendar_id) override;
  void replace_busy(Id calendar_id, Id agent_id, const std::vector<TimeRange>& busy) override;
  void replace_openings(Id calendar_id, const std::vector<Opening>& openings) override;

 private:
  // In the same transaction as the change of its busy time.
  void bump_busy_version(Id calendar_id);
  postgres::Statements tx_;
  PgAgenda& agenda_;
};

}  // namespace rdv
