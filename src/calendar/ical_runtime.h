// libical keeps process-wide state that it initialises lazily and without a
// lock; every use of libical goes through here first so that this happens once.
#pragma once

#include <libical/ical.h>

namespace rdv {

// libical's UTC zone, initialising libical's built-in zone table on first use.
icaltimezone* ical_utc();

}  // namespace rdv
