// Agents' external calendars on SQLite; the openings a calendar publishes
// are written through the agenda.
#pragma once

#include "storage/calendars_store.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/sqlite_agenda.h"

namespace rdv {

class SqliteCalendars final : public CalendarsWriter {
 public:
  SqliteCalendars(sqlite::Connection& c, SqliteAgenda& agenda) : c_(c), agenda_(agenda) {}

  std::optional<ExternalCalendar> find(Id id) override;
  std::vector<ExternalCalendar> of_agent(Id agent_id) override;
  std::vector<Id> due(Instant now, size_t limit) override;
  std::vector<std::pair<Id, TimeRange>> busy_of(const std::vector<Id>& agent_ids,
                                                TimeRange window) override;
  std::vector<std::pair<Id, std::int64_t>> busy_versions(const std::vector<Id>& agent_ids) override;
  Id insert(const ExternalCalendar& c) override;
  void save_fetch(const ExternalCalendar& c) override;
  void update_source(const ExternalCalendar& c) override;
  void remove(Id calendar_id) override;
  void replace_busy(Id calendar_id, Id agent_id, const std::vector<TimeRange>& busy) override;
  void replace_openings(Id calendar_id, const std::vector<Opening>& openings) override;

 private:
  // In the same transaction as the change of its busy time.
  void bump_busy_version(Id calendar_id);
  sqlite::Connection& c_;
  SqliteAgenda& agenda_;
};

}  // namespace rdv
