// The remembered occurrences are exactly the computed ones, whatever the
// window (across block boundaries, daylight saving changes, EXDATEs, periods
// longer than a block), and a changed period is never answered from memory.
#include "calendar/occurrence_cache.h"

#include <gtest/gtest.h>

#include <random>

namespace rdv {
namespace {

Instant utc(const char* s) { return *parse_rfc3339(s); }
LocalDateTime local(const char* s) { return *parse_local_date_time(s); }

TEST(OccurrenceCache, GivesWhatOccurrencesGivesForAnyWindow) {
  Zone paris = zone_named("Europe/Paris"), cayenne = zone_named("America/Cayenne");
  std::vector<RepeatingPeriod> periods = {
      {local("2026-01-05T09:00"), local("2026-01-05T12:00"), paris, "FREQ=WEEKLY", {}},
      {local("2026-01-05T09:00"),
       local("2026-01-05T12:00"),
       paris,
       "FREQ=WEEKLY;INTERVAL=2",
       {local("2026-03-30T09:00"), local("2026-10-26T09:00")}},
      {local("2026-02-01T23:30"), local("2026-02-02T01:30"), paris, "FREQ=DAILY;COUNT=400", {}},
      {local("2026-03-02T08:00"), local("2026-03-20T18:00"), paris, "FREQ=MONTHLY", {}},
      {local("2026-03-29T02:30"), local("2026-03-29T03:30"), paris, "FREQ=YEARLY", {}},
      {local("2026-01-07T14:00"),
       local("2026-01-07T17:00"),
       cayenne,
       "FREQ=MONTHLY;BYDAY=1WE;UNTIL=20271231T000000Z",
       {}},
      {local("2026-06-10T10:00"), local("2026-06-10T11:00"), paris, "", {}},
  };
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> hours(0, 24 * 800), span(1, 24 * 120);
  Instant origin = utc("2025-12-01T00:00:00Z");
  for (int i = 0; i < 400; ++i) {
    const RepeatingPeriod& p = periods[static_cast<size_t>(i) % periods.size()];
    Instant start = origin + std::chrono::hours{hours(rng)} + std::chrono::minutes{rng() % 60};
    TimeRange window{start, start + std::chrono::hours{span(rng)}};
    ASSERT_EQ(cached_occurrences(p, window), occurrences(p, window))
        << p.rrule << " over " << format_rfc3339(window.start, paris) << " / "
        << format_rfc3339(window.end, paris);
  }
  EXPECT_GT(occurrence_cache_stats().hits, 0u);
}

TEST(OccurrenceCache, AChangedPeriodIsANewKey) {
  Zone paris = zone_named("Europe/Paris");
  RepeatingPeriod p{local("2026-01-05T09:00"), local("2026-01-05T12:00"), paris, "FREQ=WEEKLY", {}};
  TimeRange week{utc("2026-05-04T00:00:00Z"), utc("2026-05-11T00:00:00Z")};
  ASSERT_EQ(cached_occurrences(p, week).size(), 1u);
  p.end = local("2026-01-05T11:00");  // the agent ends an hour earlier
  auto shorter = cached_occurrences(p, week);
  ASSERT_EQ(shorter.size(), 1u);
  EXPECT_EQ(shorter[0].end, utc("2026-05-04T09:00:00Z"));  // 11:00 in Paris, summer time
  p.exdates = {local("2026-05-04T09:00")};                 // and cancels that Monday
  EXPECT_TRUE(cached_occurrences(p, week).empty());
}

}  // namespace
}  // namespace rdv
