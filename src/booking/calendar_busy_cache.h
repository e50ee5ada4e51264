// The busy time read from agents' own calendars, kept in memory per agent:
// about a third of a slot search was reading these rows again (an agent's
// calendar holds thousands of them). Exact in every process: each search
// reads the agents' busy versions (which every change moves, in its own
// transaction) and uses what it remembers only under the same version.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "storage/calendars_store.h"

namespace rdv {

// The busy ranges of each agent of `versions` touching `window`, as
// CalendarsReader::busy_of gives them. `versions` are the agents' busy
// versions as CalendarsReader::busy_versions gave them, in the same
// transaction, before. Thread-safe; process-wide.
std::map<Id, std::vector<TimeRange>> cached_calendar_busy(
    CalendarsReader& r, const std::vector<std::pair<Id, std::int64_t>>& versions, TimeRange window);

}  // namespace rdv
