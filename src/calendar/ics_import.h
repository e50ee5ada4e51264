// Reading other people's calendars: iCalendar text (Outlook, Google, Apple,
// Thunderbird, Nextcloud...) parsed with libical and expanded into UTC
// occurrences. Everything a hostile file could make large is capped.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/time.h"

namespace rdv {

struct CalendarOccurrence {
  TimeRange range;
  std::string uid;
  std::string summary, description, location;
  bool all_day = false;
  bool transparent = false;  // TRANSP:TRANSPARENT: shown but not busy
  bool cancelled = false;    // STATUS:CANCELLED
  bool busy() const { return !transparent && !cancelled; }
};

// Events whose rule repeats more often than daily (FREQ=SECONDLY, MINUTELY,
// HOURLY, several BYHOUR...) are never expanded: one file could make
// thousands of occurrences a day. They keep their first occurrence, or are
// skipped whole; either way a warning says so.
enum class SubDailyEvents { kFirstOccurrenceOnly, kSkipped };

struct ImportLimits {
  size_t max_bytes = 5 << 20;          // of the text
  size_t max_events = 20000;           // VEVENTs read
  size_t max_occurrences = 20000;      // per expansion, all events together
  size_t max_iterations = 200000;      // recurrence steps per expansion, all events together
  std::chrono::days max_window{1100};  // longest window expanded at once
  SubDailyEvents sub_daily = SubDailyEvents::kFirstOccurrenceOnly;
};

// The text is not a calendar we can use.
struct CalendarError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ImportedCalendar {
 public:
  // Parses iCalendar text. Floating times and all-day events are read in
  // `local_zone` (the agent's), as are TZIDs nobody can resolve.
  // Throws CalendarError when the text is not an iCalendar with events.
  static ImportedCalendar parse(std::string_view text, Zone local_zone, ImportLimits limits = {});

  // Occurrences overlapping `window` (cut to max_window), sorted by start.
  // RRULE, RDATE, EXDATE and RECURRENCE-ID overrides are applied. When a limit
  // cuts the expansion, `warnings` (if given) is told.
  std::vector<CalendarOccurrence> occurrences(TimeRange window,
                                              std::vector<std::string>* warnings = nullptr) const;

  size_t event_count() const;
  // Things read but not understood (unknown time zones, bad values), for the subscription's status.
  const std::vector<std::string>& warnings() const;

  struct Impl;

 private:
  explicit ImportedCalendar(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace rdv
