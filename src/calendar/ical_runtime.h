// libical keeps process-wide state that it initialises lazily and without a
// lock; every use of libical goes through here first so that this happens once.
#pragma once

#include <libical/ical.h>

#include <optional>

#include "domain/time.h"

namespace rdv {

// libical's UTC zone, initialising libical's built-in zone table on first use.
icaltimezone* ical_utc();

// A floating libical date-time for a local one, and back (nullopt when the
// value is null or out of range, as in hostile files).
icaltimetype to_ical(LocalDateTime t);
std::optional<LocalDateTime> from_ical(const icaltimetype& v);

}  // namespace rdv
