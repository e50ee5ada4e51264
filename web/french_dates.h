// Dates as French readers expect them: "mardi 8 décembre à 9 h 30", in the
// place's time zone.
#pragma once

#include <string>

#include "domain/time.h"

namespace rdv {

std::string french_day(LocalDateTime t);          // "mardi 8 décembre"
std::string french_time(LocalDateTime t);         // "9 h 30", "14 h"
std::string french_moment(Instant t, Zone zone);  // "mardi 8 décembre à 9 h 30"
// "heure de Cayenne" for a zone other than Paris, "" for Paris.
std::string zone_label(Zone zone);

}  // namespace rdv
