// Agents' own calendars as the source of truth: subscriptions to their iCal
// URLs, refreshed on a schedule, turned into busy time or into openings.
// A failed fetch or a bad file is recorded on the subscription and the last
// good data is kept.
#pragma once

#include <string>
#include <vector>

#include "booking/notifications.h"
#include "calendar/fetch.h"
#include "calendar/ics_import.h"
#include "domain/clock.h"
#include "domain/model.h"
#include "storage/store.h"

namespace rdv {

// Busy time is kept ready for slot searches over this span around the fetch.
inline constexpr auto kBusyPast = std::chrono::days{31};
inline constexpr auto kBusyFuture = std::chrono::days{731};

// The busy occurrences of `cal` in `window`, the earliest `max` of them
// (`warnings`, if given, is told when more were cut).
std::vector<CalendarOccurrence> busy_occurrences(const ImportedCalendar& cal, TimeRange window,
                                                 size_t max, std::vector<std::string>* warnings);

struct CalendarSyncOptions {
  std::chrono::minutes refresh_every{15};
  // Words that make an event of an `availability` calendar an opening.
  std::vector<std::string> availability_keywords{"rdv", "permanence"};
  NotificationPolicy notifications;  // to tell agents of bookings left without an opening
  // What one agent's calendars may weigh on the search: beyond these, the
  // subscription is refused or the rest of the calendar dropped, with a warning.
  size_t max_calendars_per_agent = 10;
  size_t max_openings_per_calendar = 2000;  // over the year ahead
  size_t max_busy_per_calendar = 5000;      // over the two years kept
};

// One busy interval of an agent, whatever its source.
struct BusyInterval {
  TimeRange range;
  std::string source;  // booking, absence, calendar
  std::string uid;
};

class CalendarSync {
 public:
  CalendarSync(Store& store, const Clock& clock, CalendarFetcher& fetcher,
               CalendarSyncOptions options = {});

  // Creates the subscription and fetches it at once. An agent who has
  // max_calendars_per_agent already gets ClientError kInvalidInput on "url".
  ExternalCalendar subscribe(Id agent_id, const std::string& url, CalendarPurpose purpose);
  // Fetches now; the answer tells how it went (last_error, last_success_at).
  ExternalCalendar refresh(Id calendar_id);
  // A new address or purpose: what was read before goes, the calendar is
  // read again at once, and the agent is told of bookings its openings no
  // longer cover.
  ExternalCalendar change(Id calendar_id, const std::optional<std::string>& url,
                          std::optional<CalendarPurpose> purpose);
  // Refreshes the subscriptions that are due; returns how many.
  size_t refresh_due(size_t max = 20);

  // The agent's busy intervals in the window, from every source, sorted.
  std::vector<BusyInterval> busy(Id agent_id, TimeRange window);
  // The same, within a read the caller holds.
  std::vector<BusyInterval> busy(StoreReader& r, Id agent_id, TimeRange window) const;

  // Tells the agent (in the outbox of `tx`) of each future confirmed booking
  // that no opening covers any more: after their calendar or their openings
  // changed. Returns those bookings' ids.
  std::vector<Id> tell_of_bookings_without_opening(StoreWriter& tx, Id agent_id);

 private:
  // The openings that the events of an `availability` calendar make.
  std::vector<Opening> openings_from(StoreReader& r, const ExternalCalendar& c,
                                     const ImportedCalendar& cal,
                                     std::vector<std::string>& warnings);

  Store& store_;
  const Clock& clock_;
  CalendarFetcher& fetcher_;
  CalendarSyncOptions options_;
};

// The agent's time zone: the one of their first organisation.
Zone agent_zone(StoreReader& r, const Agent& agent);

}  // namespace rdv
