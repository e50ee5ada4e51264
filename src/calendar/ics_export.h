// Writing iCalendar for others: the agents' feeds and the residents' .ics.
// Times are written in UTC, which every client reads without a VTIMEZONE.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/time.h"

namespace rdv {

struct IcsEvent {
  std::string uid;   // stable across changes
  int sequence = 0;  // grows with every change, so clients replace their copy
  Instant stamp;     // when this version was made
  TimeRange range;
  std::string summary, description, location, url;
  bool cancelled = false;    // STATUS:CANCELLED
  bool transparent = false;  // TRANSP:TRANSPARENT (shown, not busy)
  // Scheduling messages (METHOD:REQUEST/CANCEL) name who organises and who attends.
  std::string organizer_email, organizer_name;
  std::string attendee_email, attendee_name;
};

// A VCALENDAR holding the events. `method` is empty for a feed, or PUBLISH,
// REQUEST, CANCEL; `name` becomes X-WR-CALNAME when not empty.
std::string write_ics(const std::vector<IcsEvent>& events, std::string_view method,
                      std::string_view name);

}  // namespace rdv
