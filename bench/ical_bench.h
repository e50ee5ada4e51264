// The iCal lines of the benchmark (section "6 iCal"): importing an agent's
// busy calendar as a refresh of the sync does, and producing an agent's feed
// as GET /ical/agents/{agent}/{secret}.ics does; time and peak memory, each
// next to a floor measured in the same run (bare libical for the import,
// plain string appends for the feed).
#pragma once

#include <vector>

#include "report.h"

namespace rdv::bench {

// The iCal lines of the benchmark: import of a 5,000-event feed with
// recurrences, export of an agent feed of 5,000 bookings; time and peak
// memory, each with its reference. Times are medians of `runs`; peak memory is
// that of forked children. Throws std::runtime_error when the import does not
// find the busy time the generated feed holds, or the feed not every booking
// (a benchmark that measures less work than it says is a defect). Up to about
// 8,500 events the text stays under the import's limit of 5 MiB; from about
// 6,400 the sync's cap of 5,000 busy periods keeps the earliest ones.
std::vector<Figure> ical_figures(int events = 5000, int runs = 5);

}  // namespace rdv::bench
