// The busy time read from agents' own calendars, kept in memory per agent:
// about a third of a slot search was reading these rows again (an agent's
// calendar holds thousands of them). Exact in every process: each search
// reads the agents' busy versions (which every change moves, in its own
// transaction) and uses what it remembers only under the same version.
#pragma once

#include <map>
#include <vector>

#include "storage/calendars_store.h"

namespace rdv {

// The busy ranges of each of `agents` touching `window`, as
// CalendarsReader::busy_of gives them. Thread-safe; process-wide.
std::map<Id, std::vector<TimeRange>> cached_calendar_busy(CalendarsReader& r,
                                                          const std::vector<Id>& agents,
                                                          TimeRange window);

}  // namespace rdv
