// Agents' external calendars (iCal feeds read here): what was fetched, the
// busy time read from them and the openings they publish. A part of the store
// split by kind of data (see StoreReader::calendars()).
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "domain/model.h"
#include "domain/time.h"

namespace rdv {

class CalendarsReader {
 public:
  virtual ~CalendarsReader() = default;

  virtual std::optional<ExternalCalendar> find(Id id) = 0;
  virtual std::vector<ExternalCalendar> of_agent(Id agent_id) = 0;
  // Calendars whose next fetch is due at `now`, the most overdue first.
  virtual std::vector<Id> due(Instant now, size_t limit) = 0;
  // Busy time read from external calendars, per agent, touching the window.
  virtual std::vector<std::pair<Id, TimeRange>> busy_of(const std::vector<Id>& agent_ids,
                                                        TimeRange window) = 0;
  // Per agent, a number that grows with every change of that busy time
  // (replace_busy, remove), in the same transaction.
  virtual std::vector<std::pair<Id, std::int64_t>> busy_versions(
      const std::vector<Id>& agent_ids) = 0;
};

class CalendarsWriter : public CalendarsReader {
 public:
  virtual Id insert(const ExternalCalendar& c) = 0;
  // Saves what a fetch changed: validators, content, status, next fetch.
  virtual void save_fetch(const ExternalCalendar& c) = 0;
  // A new url or purpose: what was fetched (content, etag) is forgotten and
  // the calendar is due at once.
  virtual void update_source(const ExternalCalendar& c) = 0;
  // Removes the calendar with its busy time and the openings it made.
  // Both this and replace_busy move the agent's busy version.
  virtual void remove(Id calendar_id) = 0;
  virtual void replace_busy(Id calendar_id, Id agent_id, const std::vector<TimeRange>& busy) = 0;
  virtual void replace_openings(Id calendar_id, const std::vector<Opening>& openings) = 0;
};

}  // namespace rdv
