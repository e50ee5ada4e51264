#include "calendar/ical_runtime.h"

namespace rdv {

icaltimezone* ical_utc() {
  static icaltimezone* const utc = icaltimezone_get_utc_timezone();  // thread-safe once
  return utc;
}

icaltimetype to_ical(LocalDateTime t) {
  auto day = date::floor<date::days>(t);
  date::year_month_day ymd{day};
  date::hh_mm_ss<std::chrono::seconds> hms{t - day};
  icaltimetype v = icaltime_null_time();
  v.year = static_cast<int>(ymd.year());
  v.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  v.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  v.hour = static_cast<int>(hms.hours().count());
  v.minute = static_cast<int>(hms.minutes().count());
  v.second = static_cast<int>(hms.seconds().count());
  return v;
}

std::optional<LocalDateTime> from_ical(const icaltimetype& v) {
  if (icaltime_is_null_time(v) || v.year < 1900 || v.year > 2200 || v.month < 1 || v.month > 12 ||
      v.day < 1 || v.day > 31 || v.hour < 0 || v.hour > 23 || v.minute < 0 || v.minute > 59 ||
      v.second < 0 || v.second > 60)
    return std::nullopt;
  date::year_month_day ymd{date::year{v.year}, date::month(static_cast<unsigned>(v.month)),
                           date::day(static_cast<unsigned>(v.day))};
  if (!ymd.ok()) return std::nullopt;
  auto t = LocalDateTime{date::local_days{ymd}};
  if (!v.is_date)
    t += std::chrono::hours{v.hour} + std::chrono::minutes{v.minute} +
         std::chrono::seconds{std::min(v.second, 59)};
  return t;
}

}  // namespace rdv
