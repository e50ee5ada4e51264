// Agents' agendas as published here: openings (when an agent receives, for
// which services, where) and absences. A part of the store split by kind of
// data (see StoreReader::agenda()); openings read from an agent's own
// calendar are written through CalendarsWriter::replace_openings.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "domain/model.h"
#include "domain/time.h"

namespace rdv {

class AgendaReader {
 public:
  virtual ~AgendaReader() = default;

  // Openings offering `service_id` that may have an occurrence in `window`,
  // of agents whose account is not deactivated (someone who left offers
  // nothing).
  virtual std::vector<Opening> openings_for_service(Id service_id, TimeRange window,
                                                    std::optional<Id> agent_id) = 0;
  // Openings an agent published here (not those read from their own calendar)
  // that may have an occurrence in the window.
  virtual std::vector<Opening> agent_openings(Id agent_id, TimeRange window) = 0;
  // Absences of these agents that may have an occurrence in `window`.
  virtual std::vector<Absence> absences_of(const std::vector<Id>& agent_ids, TimeRange window) = 0;
};

// What a slot search reads of the agents offering one service (see
// booking/agendas.cpp), asked of the store as one read (StoreReader::
// agenda_rows) so that PostgreSQL answers it in one or two round trips
// rather than four.
struct AgendaQuery {
  Id service_id = 0;
  TimeRange openings_window;   // openings that may have an occurrence in it
  TimeRange busy_window;       // absences and held time touching it
  std::optional<Id> agent_id;  // only this agent
};

// The agents are those of `openings`: with no opening, everything is empty.
struct AgendaRows {
  std::vector<Opening> openings;                           // AgendaReader::openings_for_service
  std::vector<Absence> absences;                           // AgendaReader::absences_of
  std::vector<HeldTime> held;                              // BookingsReader::holding_time
  std::vector<std::pair<Id, std::int64_t>> busy_versions;  // CalendarsReader::busy_versions
};

// Whether the rows read for `wide` hold every row `needed` reads: the same
// service and agent, and windows at least as wide.
inline bool covers(const AgendaQuery& wide, const AgendaQuery& needed) {
  auto holds = [](TimeRange outer, TimeRange inner) {
    return outer.start <= inner.start && inner.end <= outer.end;
  };
  return wide.service_id == needed.service_id && wide.agent_id == needed.agent_id &&
         holds(wide.openings_window, needed.openings_window) &&
         holds(wide.busy_window, needed.busy_window);
}

// The agents of these openings, each once, in id order.
inline std::vector<Id> agents_of(const std::vector<Opening>& openings) {
  std::set<Id> distinct;
  for (const Opening& o : openings) distinct.insert(o.agent_id);
  return {distinct.begin(), distinct.end()};
}

class AgendaWriter : public AgendaReader {
 public:
  virtual Id insert_opening(const Opening& o) = 0;
  // Everything but the agent (and an opening's calendar).
  virtual void update_opening(const Opening& o) = 0;
  virtual void delete_opening(Id opening_id) = 0;
  virtual Id insert_absence(const Absence& a) = 0;
  virtual void update_absence(const Absence& a) = 0;
  virtual void delete_absence(Id absence_id) = 0;
};

}  // namespace rdv
