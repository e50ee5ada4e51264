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

// Bounds of the rules we accept (validate_rrule).
inline constexpr int kMaxRruleInterval = 1000;
inline constexpr int kMaxRruleCount = 1000;
inline constexpr int kRruleTrialYears = 10;  // a rule must match within this span of its start

struct ExpansionLimits {
  size_t max_occurrences = 2000;  // kept per call
  // Steps of the iterator per call. One step is about 2 µs; 2000 cover a COUNT
  // rule walked from its start (COUNT <= kMaxRruleCount) plus a year of daily
  // occurrences, so that no stored rule costs more than a few ms per call.
  size_t max_iterations = 2000;
};

// Throws ClientError kInvalidRrule unless `rrule` (with or without "RRULE:") is
// a valid RFC 5545 rule repeating at most daily, without BYHOUR, BYMINUTE or
// BYSECOND, within the bounds above, that can match (no BYMONTH=2 with only
// BYMONTHDAY=30) and does match within kRruleTrialYears of `dtstart`; with
// COUNT, the series must end within 1800 of its periods (it is walked from its
// start at each expansion). Without `dtstart` a start on 1 January of a leap
// year is assumed, which misses rules that fail only because of their start
// (FREQ=YEARLY;BYMONTHDAY=30 from a day of February): pass the real start.
void validate_rrule(std::string_view rrule, std::optional<LocalDateTime> dtstart = std::nullopt);

// True when the rule can give more than one occurrence a day: FREQ=SECONDLY,
// MINUTELY or HOURLY, or several BYHOUR, BYMINUTE or BYSECOND values.
bool repeats_more_than_daily(std::string_view rrule);

// Converts an instant to the rule's local time (to read a UTC UNTIL).
using LocalOf = std::function<LocalDateTime(Instant)>;

// Local start times of the occurrences of `rrule` from `dtstart` that fall in
// [from, to), dtstart included when it is in the window. Empty rule: dtstart only.
// Any frequency is expanded (within the limits); `iterations`, when given, gets
// the number of iterator steps spent, so callers can share a budget. A window
// where the rule cannot match costs no iterator step, whatever the rule; a
// COUNT series is walked from its start, over 1800 of its periods at most.
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
