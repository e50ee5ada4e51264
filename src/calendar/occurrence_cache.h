// Occurrences of repeating periods, remembered: every slot search expands
// the openings and absences of dozens of agents over weeks, and expanding a
// rule (libical, then ICU for each step) costs more than reading the rows.
// The key is the period's whole content (start, end, zone, rule, EXDATEs),
// never its id: a changed opening is a new key, so what is returned is always
// what occurrences() gives, in any process, with nothing to invalidate.
#pragma once

#include "calendar/recurrence.h"

namespace rdv {

// The occurrences of `p` overlapping `window`, as occurrences(p, window)
// gives them. Expansions are kept per 28-day block of UTC time, so windows
// that differ by a few hours share them; at most kMaxEntries blocks are
// kept (then all are forgotten at once). Thread-safe.
std::vector<TimeRange> cached_occurrences(const RepeatingPeriod& p, TimeRange window);

// Kept blocks, for the tests and the metrics.
struct OccurrenceCacheStats {
  size_t entries = 0, hits = 0, misses = 0;
};
OccurrenceCacheStats occurrence_cache_stats();

}  // namespace rdv
