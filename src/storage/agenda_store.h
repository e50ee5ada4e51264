// Agents' agendas as published here: openings (when an agent receives, for
// which services, where) and absences. A part of the store split by kind of
// data (see StoreReader::agenda()); openings read from an agent's own
// calendar are written through CalendarsWriter::replace_openings.
#pragma once

#include <optional>
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
