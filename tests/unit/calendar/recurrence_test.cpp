#include "calendar/recurrence.h"

#include <gtest/gtest.h>
#include <libical/ical.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "calendar/ical_runtime.h"
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
    ExpansionLimits eight_years{5000, 5000};  // more than a request may spend
    auto walked =
        expand_local_starts(start, local_of, rule, start, local("2028-06-01T00:00"), eight_years);
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

void expect_refused(const char* rule, std::optional<LocalDateTime> start = std::nullopt) {
  SCOPED_TRACE(rule);
  try {
    validate_rrule(rule, start);
    ADD_FAILURE() << "accepted";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidRrule);
  }
}

TEST(Recurrence, RefusesPartsOutOfRangeAndPartsBelowADay) {
  for (const char* bad :
       {// Numbered weekdays: ±1..5 in a month, ±1..53 in a year, nowhere else.
        "FREQ=MONTHLY;BYDAY=6MO", "FREQ=MONTHLY;BYDAY=-6MO", "FREQ=MONTHLY;BYDAY=-53MO",
        "FREQ=YEARLY;BYDAY=54MO", "FREQ=YEARLY;BYMONTH=3;BYDAY=6SU", "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=DAILY;BYDAY=1MO", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO",
        // Days that no month or year has.
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30,31",
        "FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-30",
        "FREQ=YEARLY;BYMONTH=13", "FREQ=YEARLY;BYMONTH=2L", "FREQ=YEARLY;BYYEARDAY=367",
        "FREQ=YEARLY;BYWEEKNO=54", "FREQ=MONTHLY;BYMONTHDAY=32",
        // Parts that the frequency does not take.
        "FREQ=MONTHLY;BYWEEKNO=1", "FREQ=MONTHLY;BYYEARDAY=1", "FREQ=WEEKLY;BYMONTHDAY=3",
        "FREQ=DAILY;BYSETPOS=2", "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=1", "FREQ=MONTHLY;BYSETPOS=1",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=32", "FREQ=YEARLY;BYDAY=MO;BYSETPOS=367",
        // Below a day.
        "FREQ=DAILY;BYHOUR=9,14", "FREQ=DAILY;BYHOUR=9", "FREQ=WEEKLY;BYMINUTE=0,30",
        "FREQ=DAILY;BYSECOND=1", "FREQ=DAILY;BYHOUR=25",
        // Bounds, and what libical reads loosely.
        "FREQ=DAILY;INTERVAL=1001", "FREQ=DAILY;INTERVAL=65537", "FREQ=DAILY;INTERVAL=1x",
        "FREQ=DAILY;COUNT=1001", "FREQ=DAILY;COUNT=99999999999", "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;UNTIL=20261301", "FREQ=DAILY;COUNT=3;UNTIL=20270101",
        "FREQ=DAILY;RSCALE=GREGORIAN", "FREQ=DAILY;SKIP=FORWARD", "FREQ=DAILY;FREQ=WEEKLY"})
    expect_refused(bad);
}

// Rules right in every part that still match nothing, or only after years,
// because of their start: the trial expansion refuses them.
TEST(Recurrence, RefusesRulesThatDoNotMatchWithinTenYearsOfTheirStart) {
  LocalDateTime february = local("2026-02-05T09:00");
  for (const char* bad :
       {"FREQ=YEARLY;BYMONTHDAY=30",               // the month of DTSTART: February
        "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=30",  // every February
        "FREQ=YEARLY;BYWEEKNO=1;BYMONTH=6;BYDAY=MO", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
        "FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=20", "FREQ=YEARLY;BYYEARDAY=60;BYMONTH=1",
        "FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2"})  // a fifth Monday in February: 2044
    expect_refused(bad, february);
  expect_refused("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", local("2027-01-05T09:00"));
  expect_refused("FREQ=YEARLY;BYMONTH=2", local("2026-01-30T09:00"));  // 30 February
  // The same rules from other starts are fine.
  EXPECT_NO_THROW(validate_rrule("FREQ=YEARLY;BYMONTHDAY=30", local("2026-03-05T09:00")));
  EXPECT_NO_THROW(
      validate_rrule("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=30", local("2026-04-01T09:00")));
  EXPECT_NO_THROW(
      validate_rrule("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", local("2028-01-05T09:00")));
  EXPECT_NO_THROW(validate_rrule("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5", february));
  // A COUNT series is walked from its start each time: at most 1800 of its periods.
  expect_refused("FREQ=DAILY;BYDAY=MO;COUNT=300", february);  // 2100 days
  EXPECT_NO_THROW(validate_rrule("FREQ=WEEKLY;BYDAY=MO;COUNT=300", february));
  EXPECT_NO_THROW(validate_rrule("FREQ=DAILY;INTERVAL=2;BYDAY=MO;COUNT=250", february));
}

TEST(Recurrence, AcceptsTheRulesCalendarsWrite) {
  LocalDateTime start = local("2026-03-17T09:00");
  for (const char* good :
       {"FREQ=DAILY", "FREQ=DAILY;INTERVAL=2;COUNT=10", "FREQ=DAILY;INTERVAL=1000",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261231T230000Z", "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
        "FREQ=MONTHLY;BYDAY=2TU", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "FREQ=YEARLY;BYYEARDAY=100,-1",
        "FREQ=YEARLY;BYDAY=20MO", "FREQ=DAILY;COUNT=1000", "freq=weekly;byday=tu",
        "RRULE:FREQ=YEARLY;INTERVAL=1000"}) {
    SCOPED_TRACE(good);
    EXPECT_NO_THROW(validate_rrule(good, start));
  }
}

// Rules stored before they were checked: nothing in the window, found out cheaply.
TEST(Recurrence, StoredRulesThatNeverMatchYieldOnlyTheirStart) {
  for (const char* rule :
       {"FREQ=MONTHLY;BYDAY=6MO", "FREQ=MONTHLY;BYDAY=-53MO", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=YEARLY;BYMONTH=13", "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
        "FREQ=YEARLY;BYMONTHDAY=30", "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=30",
        "FREQ=DAILY;COUNT=1000;BYMONTH=2;BYMONTHDAY=30"}) {
    RepeatingPeriod p = weekly_tuesday_morning();
    p.start = local("2026-02-05T09:00");
    p.end = local("2026-02-05T10:00");
    p.rrule = rule;
    auto t0 = std::chrono::steady_clock::now();
    auto occ = occurrences(p, {utc("2026-01-01T00:00:00Z"), utc("2026-04-01T00:00:00Z")});
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ timing ] %-58s %8.2f ms\n", rule, ms);
    ASSERT_LE(occ.size(), 1u) << rule;  // DTSTART counts, whatever the rule
  }
}

// A random rule of daily or longer periods, in the parts calendars use.
std::string random_rule(std::mt19937& rng) {
  auto pick = [&](auto... options) {
    const char* all[] = {options...};
    return std::string(all[std::uniform_int_distribution<size_t>(0, sizeof...(options) - 1)(rng)]);
  };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  std::string freq = pick("DAILY", "WEEKLY", "MONTHLY", "YEARLY");
  std::string rule = "FREQ=" + freq;
  if (chance(0.3)) rule += ";INTERVAL=" + pick("2", "3", "4", "12");
  if (chance(0.3)) rule += ";BYMONTH=" + pick("1", "2", "2,8", "4,6,9,11", "12", "3,5,7");
  if (freq != "WEEKLY" && chance(0.3))
    rule += ";BYMONTHDAY=" + pick("1", "15", "29", "30", "31", "-1", "-30", "1,-1", "13");
  bool numbered = freq == "MONTHLY" || freq == "YEARLY";
  bool weekno = freq == "YEARLY" && chance(0.15);
  if (weekno) rule += ";BYWEEKNO=" + pick("1", "20", "52", "53", "-1", "1,27");
  if (freq == "YEARLY" && !weekno && chance(0.15))
    rule += ";BYYEARDAY=" + pick("1", "60", "100", "366", "-1", "-366");
  if (chance(0.5)) {
    std::string day = pick("MO", "TU", "FR", "SU", "MO,WE,FR", "SA,SU");
    if (numbered && !weekno && day.size() == 2 && chance(0.5))
      day = pick("1", "2", "-1", "5", "-5", "20", "53") + day;
    rule += ";BYDAY=" + day;
  }
  if (numbered && rule.find(";BY") != std::string::npos && chance(0.25))
    rule += ";BYSETPOS=" + pick("1", "2", "-1", "-2", "5", "40");
  if (chance(0.2)) rule += ";WKST=" + pick("SU", "TH", "MO");
  return rule;
}

// libical alone, from DTSTART: what expand_local_starts must give for a rule it accepts.
std::vector<LocalDateTime> libical_starts(const std::string& rule, LocalDateTime start,
                                          LocalDateTime end) {
  std::vector<LocalDateTime> out;
  icalrecur_iterator* it =
      icalrecur_iterator_new(icalrecurrencetype_from_string(rule.c_str()), to_ical(start));
  for (icaltimetype t = icalrecur_iterator_next(it);
       !icaltime_is_null_time(t) && *from_ical(t) < end && out.size() < 20000;
       t = icalrecur_iterator_next(it))
    if (*from_ical(t) != start) out.push_back(*from_ical(t));
  icalrecur_iterator_free(it);
  return out;
}

// The day filter that spares libical its searches must never hide an
// occurrence: a short window far from the start gives what walking there does,
// and walking gives what libical alone does for the rules accepted.
TEST(Recurrence, FarWindowsKeepEveryOccurrenceOfRandomRules) {
  std::mt19937 rng(2026);
  auto local_of = [](Instant t) { return LocalDateTime{t.time_since_epoch()}; };
  int accepted = 0, with_far_occurrences = 0;
  for (int round = 0; round < 200; ++round) {
    std::string rule = random_rule(rng);
    LocalDateTime start =
        local("2024-01-01T09:00") + date::days{std::uniform_int_distribution<int>(0, 4 * 365)(rng)};
    SCOPED_TRACE(rule + " from " + format_local(start));
    LocalDateTime end = start + date::years{12};
    auto walked = expand_local_starts(start, local_of, rule, start, end, {20000, 20000});
    try {
      validate_rrule(rule, start);
      ++accepted;
      std::vector<LocalDateTime> after_start(walked.begin() + 1, walked.end());
      ASSERT_EQ(after_start, libical_starts(rule, start, end));
    } catch (const ClientError&) {
      // refused now, but perhaps stored before: the filter must hold for it too
    }
    for (int w = 0; w < 4; ++w) {
      LocalDateTime from = start + date::days{std::uniform_int_distribution<int>(3, 11 * 365)(rng)};
      LocalDateTime to = from + date::days{std::uniform_int_distribution<int>(1, 93)(rng)};
      std::vector<LocalDateTime> expected;
      for (LocalDateTime t : walked)
        if (t >= from && t < to) expected.push_back(t);
      with_far_occurrences += !expected.empty();
      ASSERT_EQ(expand_local_starts(start, local_of, rule, from, to), expected)
          << format_local(from) << " to " << format_local(to);
    }
  }
  std::printf("[ info   ] %d of 200 random rules accepted, %d windows with occurrences\n", accepted,
              with_far_occurrences);
  EXPECT_GT(accepted, 100);
  EXPECT_GT(with_far_occurrences, 200);
}

}  // namespace
}  // namespace rdv
