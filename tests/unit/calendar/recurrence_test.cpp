#include "calendar/recurrence.h"

#include <gtest/gtest.h>

#include "domain/error.h"

namespace rdv {
namespace {

LocalDateTime local(const char* s) { return *parse_local_date_time(s); }
Instant utc(const char* s) { return *parse_rfc3339(s); }

RepeatingPeriod weekly_tuesday_morning() {
  RepeatingPeriod p;
  p.start = local("2026-03-17T09:00");  // a Tuesday, before the spring change
  p.end = local("2026-03-17T12:00");
  p.zone = zone_named("Europe/Paris");
  p.rrule = "FREQ=WEEKLY;BYDAY=TU";
  return p;
}

TEST(Recurrence, WeeklyRuleKeepsLocalTimeAcrossDaylightSaving) {
  auto occ = occurrences(weekly_tuesday_morning(),
                         {utc("2026-03-16T00:00:00Z"), utc("2026-04-01T00:00:00Z")});
  ASSERT_EQ(occ.size(), 3u);
  EXPECT_EQ(occ[0], (TimeRange{utc("2026-03-17T08:00:00Z"), utc("2026-03-17T11:00:00Z")}));
  EXPECT_EQ(occ[1], (TimeRange{utc("2026-03-24T08:00:00Z"), utc("2026-03-24T11:00:00Z")}));
  // After 29 March Paris is at +02:00: 09:00 local is 07:00 UTC.
  EXPECT_EQ(occ[2], (TimeRange{utc("2026-03-31T07:00:00Z"), utc("2026-03-31T10:00:00Z")}));
}

TEST(Recurrence, ExdatesRemoveOccurrences) {
  auto p = weekly_tuesday_morning();
  p.exdates = {local("2026-03-24T09:00")};
  auto occ = occurrences(p, {utc("2026-03-16T00:00:00Z"), utc("2026-04-01T00:00:00Z")});
  ASSERT_EQ(occ.size(), 2u);
  EXPECT_EQ(occ[0].start, utc("2026-03-17T08:00:00Z"));
  EXPECT_EQ(occ[1].start, utc("2026-03-31T07:00:00Z"));
}

TEST(Recurrence, SecondTuesdayOfTheMonth) {
  RepeatingPeriod p;
  p.start = local("2026-01-13T14:00");
  p.end = local("2026-01-13T17:00");
  p.zone = zone_named("Indian/Reunion");
  p.rrule = "FREQ=MONTHLY;BYDAY=2TU";
  auto occ = occurrences(p, {utc("2026-01-01T00:00:00Z"), utc("2026-05-01T00:00:00Z")});
  ASSERT_EQ(occ.size(), 4u);
  EXPECT_EQ(occ[0].start, utc("2026-01-13T10:00:00Z"));
  EXPECT_EQ(occ[1].start, utc("2026-02-10T10:00:00Z"));
  EXPECT_EQ(occ[2].start, utc("2026-03-10T10:00:00Z"));
  EXPECT_EQ(occ[3].start, utc("2026-04-14T10:00:00Z"));
}

TEST(Recurrence, CountAndUntilBoundTheRule) {
  auto p = weekly_tuesday_morning();
  p.rrule = "FREQ=WEEKLY;COUNT=3";
  auto occ = occurrences(p, {utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")});
  EXPECT_EQ(occ.size(), 3u);
  EXPECT_EQ(last_end(p), utc("2026-03-31T10:00:00Z"));

  // UNTIL in UTC: 2026-03-31T07:00Z is exactly 09:00 in Paris, so it is included.
  p.rrule = "FREQ=WEEKLY;UNTIL=20260331T070000Z";
  occ = occurrences(p, {utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")});
  EXPECT_EQ(occ.size(), 3u);

  p.rrule = "FREQ=WEEKLY";
  EXPECT_EQ(last_end(p), std::nullopt);
  p.rrule = "";
  EXPECT_EQ(last_end(p), utc("2026-03-17T11:00:00Z"));
}

TEST(Recurrence, JumpingToAFarWindowGivesTheSameOccurrencesAsWalking) {
  for (const char* rule : {"FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH;INTERVAL=2",
                           "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
                           "FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"}) {
    SCOPED_TRACE(rule);
    Zone paris = zone_named("Europe/Paris");
    auto local_of = [paris](Instant t) { return to_local(t, paris); };
    LocalDateTime start = local("2020-01-06T10:00");
    auto walked = expand_local_starts(start, local_of, rule, start, local("2028-06-01T00:00"));
    auto jumped = expand_local_starts(start, local_of, rule, local("2026-06-01T00:00"),
                                      local("2028-06-01T00:00"));
    std::vector<LocalDateTime> tail;
    for (auto t : walked)
      if (t >= local("2026-06-01T00:00")) tail.push_back(t);
    EXPECT_EQ(jumped, tail);
    EXPECT_FALSE(tail.empty());
  }
}

TEST(Recurrence, ExpansionIsCapped) {
  Zone paris = zone_named("Europe/Paris");
  ExpansionLimits limits;
  limits.max_occurrences = 100;
  auto starts = expand_local_starts(
      local("2026-01-01T00:00"), [paris](Instant t) { return to_local(t, paris); }, "FREQ=DAILY",
      local("2026-01-01T00:00"), local("2126-01-01T00:00"), limits);
  EXPECT_EQ(starts.size(), 100u);
}

TEST(Recurrence, RejectsInvalidOrTooFrequentRules) {
  for (const char* bad :
       {"", "garbage", "FREQ=SECONDLY", "FREQ=MINUTELY", "FREQ=HOURLY", "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;INTERVAL=0", "BYDAY=MO", "FREQ=WEEKLY;COUNT=-3"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(validate_rrule(bad), ClientError);
  }
  EXPECT_NO_THROW(validate_rrule("RRULE:FREQ=WEEKLY;BYDAY=TU,TH"));
  EXPECT_NO_THROW(validate_rrule("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271231T000000Z"));
}

}  // namespace
}  // namespace rdv
