// Instants, local date-times and time zones. Every instant is UTC; local times
// only exist together with an IANA zone, and converting them is done here only.
#pragma once

#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rdv {

using Instant = std::chrono::sys_seconds;
using LocalDateTime = date::local_seconds;
using Zone = const date::time_zone*;
using Minutes = std::chrono::minutes;

struct TimeRange {
  Instant start;
  Instant end;
  bool overlaps(const TimeRange& o) const { return start < o.end && o.start < end; }
  bool operator==(const TimeRange&) const = default;
};

// Every instant a stored row may hold (from 1970, two centuries on): for
// "all of an agent's openings", whatever their dates.
inline constexpr TimeRange kAllTime{Instant{}, Instant{} + std::chrono::hours{24 * 365 * 200}};

// Loads the system tz database once; call at start-up, before threads.
void preload_time_zones();

// The zone named `name`, or ClientError kInvalidTimezone.
Zone zone_named(std::string_view name);
bool is_valid_zone_name(std::string_view name);

// Strict conversion for user input: a time in a DST gap is rejected
// (kNonexistentLocalTime); in a fold the first occurrence is taken.
Instant to_instant(LocalDateTime local, Zone zone);
// RFC 5545 conversion for recurrence occurrences: a time in a gap is read with
// the offset in force before the gap (02:30 on the spring day becomes 03:30).
Instant to_instant_lenient(LocalDateTime local, Zone zone);
LocalDateTime to_local(Instant instant, Zone zone);

// "2026-03-29T09:30" or "2026-03-29T09:30:00"; nullopt when malformed.
std::optional<LocalDateTime> parse_local_date_time(std::string_view text);
// "2026-03-29" ; nullopt when malformed.
std::optional<date::local_days> parse_local_date(std::string_view text);
// RFC 3339 with "Z" or an offset; fractions of seconds are dropped.
std::optional<Instant> parse_rfc3339(std::string_view text);

// "2026-03-29T09:30:00+02:00" in the given zone.
std::string format_rfc3339(Instant instant, Zone zone);
std::string format_local(LocalDateTime local);  // "2026-03-29T09:30:00"

// Epoch seconds, as stored in databases.
inline std::int64_t to_epoch(Instant t) { return t.time_since_epoch().count(); }
inline Instant from_epoch(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }

}  // namespace rdv
