// Dates as French readers expect them ("mardi 8 décembre à 9 h 30"), in the
// place's time zone: one way for the messages and the pages.
#pragma once

#include <string>

#include "domain/time.h"

namespace rdv {

std::string french_day(LocalDateTime t);        // "mardi 8 décembre", "mardi 1er décembre"
std::string french_date(Instant t, Zone zone);  // "lundi 7 décembre 2026"
std::string french_time(LocalDateTime t);       // "9 h 00", "14 h 30"
std::string french_time(Instant t, Zone zone);
std::string french_moment(Instant t, Zone zone);  // "mardi 8 décembre à 9 h 30"
// "heure de Cayenne" for a zone other than Paris's, "" for Paris.
std::string zone_label(Zone zone);

}  // namespace rdv
