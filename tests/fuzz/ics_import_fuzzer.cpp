// libFuzzer target for the iCalendar import: any bytes, parsed as an agent's
// calendar and expanded over a window, must give a result or a CalendarError,
// within the caps, without memory errors (built with ASan and UBSan).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "calendar/ics_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const rdv::Zone paris = [] {
    rdv::preload_time_zones();
    return rdv::zone_named("Europe/Paris");
  }();
  rdv::ImportLimits limits;
  limits.max_occurrences = 2000;  // keeps each run short; the caps are what is tested
  limits.max_iterations = 20000;
  try {
    auto cal = rdv::ImportedCalendar::parse(
        std::string_view(reinterpret_cast<const char*>(data), size), paris, limits);
    auto start = *rdv::parse_rfc3339("2014-01-01T00:00:00Z");
    for (const auto& o : cal.occurrences({start, start + std::chrono::days{900}}))
      if (o.range.end < o.range.start) __builtin_trap();
  } catch (const rdv::CalendarError&) {
  }
  return 0;
}
