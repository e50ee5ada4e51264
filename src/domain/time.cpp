#include "domain/time.h"

#include <cstdio>

#include "domain/error.h"

namespace rdv {
namespace {

// Reads exactly `n` digits at `pos`; nullopt otherwise.
std::optional<int> digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Parses "YYYY-MM-DDTHH:MM[:SS]" at the start of `s`; `consumed` gets its length.
std::optional<LocalDateTime> parse_date_time_prefix(std::string_view s, size_t& consumed) {
  auto day = parse_local_date(s.substr(0, 10));
  if (!day || s.size() < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':')
    return std::nullopt;
  auto hh = digits(s, 11, 2), mm = digits(s, 14, 2);
  if (!hh || !mm || *hh > 23 || *mm > 59) return std::nullopt;
  int ss = 0;
  consumed = 16;
  if (s.size() >= 19 && s[16] == ':') {
    auto sec = digits(s, 17, 2);
    if (!sec || *sec > 59) return std::nullopt;
    ss = *sec;
    consumed = 19;
  }
  return LocalDateTime{*day} + std::chrono::hours{*hh} + std::chrono::minutes{*mm} +
         std::chrono::seconds{ss};
}

}  // namespace

void preload_time_zones() { (void)date::get_tzdb(); }

bool is_valid_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  try {
    (void)date::locate_zone(name);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

Zone zone_named(std::string_view name) {
  if (!is_valid_zone_name(name))
    throw ClientError(ErrorCode::kInvalidTimezone,
                      "unknown time zone '" + std::string(name.substr(0, 64)) +
                          "' (expected an IANA name such as Europe/Paris)");
  return date::locate_zone(name);
}

Instant to_instant(LocalDateTime local, Zone zone) {
  auto info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent)
    throw ClientError(ErrorCode::kNonexistentLocalTime,
                      "local time " + format_local(local) + " does not exist in " +
                          std::string(zone->name()) + " (daylight saving time change)");
  return Instant{local.time_since_epoch() - info.first.offset};
}

Instant to_instant_lenient(LocalDateTime local, Zone zone) {
  auto info = zone->get_info(local);
  return Instant{local.time_since_epoch() - info.first.offset};
}

LocalDateTime to_local(Instant instant, Zone zone) {
  return std::chrono::time_point_cast<std::chrono::seconds>(zone->to_local(instant));
}

std::optional<date::local_days> parse_local_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto y = digits(s, 0, 4), m = digits(s, 5, 2), d = digits(s, 8, 2);
  if (!y || !m || !d) return std::nullopt;
  date::year_month_day ymd{date::year{*y}, date::month(static_cast<unsigned>(*m)),
                           date::day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) return std::nullopt;
  return date::local_days{ymd};
}

std::optional<LocalDateTime> parse_local_date_time(std::string_view s) {
  size_t consumed = 0;
  auto t = parse_date_time_prefix(s, consumed);
  if (!t || consumed != s.size()) return std::nullopt;
  return t;
}

std::optional<Instant> parse_rfc3339(std::string_view s) {
  size_t pos = 0;
  auto local = parse_date_time_prefix(s, pos);
  if (!local || pos != 19) return std::nullopt;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  if (pos == s.size()) return std::nullopt;
  std::chrono::seconds offset{0};
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    auto hh = digits(s, pos + 1, 2), mm = digits(s, pos + 4, 2);
    if (!hh || !mm || s.size() < pos + 6 || s[pos + 3] != ':' || *hh > 23 || *mm > 59)
      return std::nullopt;
    offset = std::chrono::hours{*hh} + std::chrono::minutes{*mm};
    if (s[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return Instant{local->time_since_epoch() - offset};
}

namespace {

void put_digits(char* at, int value, int width) {
  for (int i = width - 1; i >= 0; --i, value /= 10) at[i] = static_cast<char>('0' + value % 10);
}

}  // namespace

// By hand rather than date::format (a stream per call) or snprintf: slot
// lists format thousands of dates per answer. Years 0 to 9999.
std::string format_local(LocalDateTime local) {
  auto day = date::floor<date::days>(local);
  date::year_month_day ymd{day};
  auto seconds = static_cast<int>((local - day).count());
  std::string out = "0000-00-00T00:00:00";
  put_digits(&out[0], static_cast<int>(ymd.year()), 4);
  put_digits(&out[5], static_cast<int>(static_cast<unsigned>(ymd.month())), 2);
  put_digits(&out[8], static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  put_digits(&out[11], seconds / 3600, 2);
  put_digits(&out[14], seconds / 60 % 60, 2);
  put_digits(&out[17], seconds % 60, 2);
  return out;
}

std::string format_rfc3339(Instant instant, Zone zone) {
  auto info = zone->get_info(instant);
  auto local = LocalDateTime{instant.time_since_epoch() + info.offset};
  auto off =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(info.offset).count());
  std::string out = format_local(local) + (off < 0 ? "-00:00" : "+00:00");
  if (off < 0) off = -off;
  put_digits(&out[20], off / 60, 2);
  put_digits(&out[23], off % 60, 2);
  return out;
}

}  // namespace rdv
