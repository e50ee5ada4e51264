#include "french_dates.h"

#include <array>

namespace rdv {

std::string french_day(LocalDateTime t) {
  static const std::array<const char*, 7> days = {"dimanche", "lundi",    "mardi", "mercredi",
                                                  "jeudi",    "vendredi", "samedi"};
  static const std::array<const char*, 12> months = {
      "janvier", "février", "mars",      "avril",   "mai",      "juin",
      "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
  auto day = date::floor<date::days>(t);
  date::year_month_day ymd{day};
  date::weekday wd{day};
  unsigned d = static_cast<unsigned>(ymd.day());
  return std::string(days[wd.c_encoding()]) + " " + (d == 1 ? "1er" : std::to_string(d)) + " " +
         months[static_cast<unsigned>(ymd.month()) - 1];
}

std::string french_time(LocalDateTime t) {
  auto since_midnight = t - date::floor<date::days>(t);
  auto h = std::chrono::duration_cast<std::chrono::hours>(since_midnight).count();
  auto m = std::chrono::duration_cast<std::chrono::minutes>(since_midnight).count() % 60;
  return std::to_string(h) + " h" +
         (m ? " " + std::string(m < 10 ? "0" : "") + std::to_string(m) : std::string());
}

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
