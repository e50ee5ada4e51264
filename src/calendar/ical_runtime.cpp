#include "calendar/ical_runtime.h"

namespace rdv {

icaltimezone* ical_utc() {
  static icaltimezone* const utc = icaltimezone_get_utc_timezone();  // thread-safe once
  return utc;
}

}  // namespace rdv
