#include "domain/french_dates.h"

#include <array>
#include <cstdio>

namespace rdv {
namespace {

const std::array<const char*, 7> kDays = {"dimanche", "lundi",    "mardi", "mercredi",
                                          "jeudi",    "vendredi", "samedi"};
const std::array<const char*, 12> kMonths = {"janvier",   "février", "mars",     "avril",
                                             "mai",       "juin",    "juillet",  "août",
                                             "septembre", "octobre", "novembre", "décembre"};

}  // namespace

std::string french_day(LocalDateTime t) {
  auto day = date::floor<date::days>(t);
  date::year_month_day ymd{day};
  date::weekday wd{day};
  unsigned d = static_cast<unsigned>(ymd.day());
  return std::string(kDays[wd.c_encoding()]) + " " + (d == 1 ? "1er" : std::to_string(d)) + " " +
         kMonths[static_cast<unsigned>(ymd.month()) - 1];
}

std::string french_date(Instant t, Zone zone) {
  LocalDateTime local = to_local(t, zone);
  date::year_month_day ymd{date::floor<date::days>(local)};
  return french_day(local) + " " + std::to_string(static_cast<int>(ymd.year()));
}

std::string french_time(LocalDateTime t) {
  date::hh_mm_ss<std::chrono::seconds> hms{t - date::floor<date::days>(t)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%d h %02d", static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()));
  return buf;
}

std::string french_time(Instant t, Zone zone) { return french_time(to_local(t, zone)); }

std::string french_moment(Instant t, Zone zone) {
  LocalDateTime local = to_local(t, zone);
  return french_day(local) + " à " + french_time(local);
}

std::string zone_label(Zone zone) {
  std::string name(zone->name());
  if (name == "Europe/Paris") return "";
  std::string city = name.substr(name.rfind('/') + 1);
  for (char& c : city)
    if (c == '_') c = ' ';
  return "heure de " + city;
}

}  // namespace rdv
