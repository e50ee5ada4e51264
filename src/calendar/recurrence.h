// Recurrence expansion (RFC 5545 RRULE) over libical's iterator, with caps so
// that no rule can make us loop or allocate without bound.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/model.h"
#include "domain/time.h"

namespace rdv {

struct ExpansionLimits {
  size_t max_occurrences = 5000;   // kept per call
  size_t max_iterations = 200000;  // steps of the iterator per call
};

// Throws ClientError kInvalidRrule unless `rrule` (with or without "RRULE:") is a
// valid rule repeating at most daily.
void validate_rrule(std::string_view rrule);

// Converts an instant to the rule's local time (to read a UTC UNTIL).
using LocalOf = std::function<LocalDateTime(Instant)>;

// Local start times of the occurrences of `rrule` from `dtstart` that fall in
// [from, to), dtstart included when it is in the window. Empty rule: dtstart only.
// Any frequency is expanded (within the limits); `iterations`, when given, gets
// the number of iterator steps spent, so callers can share a budget.
std::vector<LocalDateTime> expand_local_starts(LocalDateTime dtstart, const LocalOf& local_of,
                                               std::string_view rrule, LocalDateTime from,
                                               LocalDateTime to, ExpansionLimits limits = {},
                                               size_t* iterations = nullptr);

// The occurrences of `p` overlapping `window`, as UTC ranges, sorted, EXDATEs
// removed. Each occurrence keeps the local wall-clock length of the first one.
std::vector<TimeRange> occurrences(const RepeatingPeriod& p, TimeRange window,
                                   ExpansionLimits limits = {});

// The first instant covered by `p`, and the last one or nullopt when it repeats
// without end; used to index rules by the window they can touch.
Instant first_start(const RepeatingPeriod& p);
std::optional<Instant> last_end(const RepeatingPeriod& p);

}  // namespace rdv
