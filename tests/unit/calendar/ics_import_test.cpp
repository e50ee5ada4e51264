// The importer on hand-written and hostile input: refused cleanly, bounded,
// never crashing, keeping what can be read.
#include "calendar/ics_import.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "calendar/recurrence.h"
#include "calendar/windows_zones.h"

namespace rdv {
namespace {

Instant utc(const char* s) { return *parse_rfc3339(s); }
Zone paris() { return zone_named("Europe/Paris"); }

std::string calendar(const std::string& body) {
  return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "END:VCALENDAR\r\n";
}

std::string event(const std::string& props) {
  return "BEGIN:VEVENT\r\nUID:x@test\r\nDTSTAMP:20260101T000000Z\r\n" + props + "END:VEVENT\r\n";
}

TEST(IcsImport, RefusesWhatIsNotACalendar) {
  EXPECT_THROW(ImportedCalendar::parse("", paris()), CalendarError);
  EXPECT_THROW(ImportedCalendar::parse("<html><body>Login</body></html>", paris()), CalendarError);
  EXPECT_THROW(ImportedCalendar::parse("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026", paris()),
               CalendarError);  // truncated
  ImportLimits small;
  small.max_bytes = 100;
  EXPECT_THROW(ImportedCalendar::parse(calendar(std::string(200, '\n')), paris(), small),
               CalendarError);
}

TEST(IcsImport, EmptyCalendarIsFine) {
  auto cal = ImportedCalendar::parse(calendar(""), paris());
  EXPECT_EQ(cal.event_count(), 0u);
  EXPECT_TRUE(cal.occurrences({utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")}).empty());
}

TEST(IcsImport, FloatingTimesAreTheAgentsLocalTime) {
  auto cal = ImportedCalendar::parse(
      calendar(event("DTSTART:20260329T090000\r\nDTEND:20260329T100000\r\n")), paris());
  auto occ = cal.occurrences({utc("2026-03-29T00:00:00Z"), utc("2026-03-30T00:00:00Z")});
  ASSERT_EQ(occ.size(), 1u);
  EXPECT_EQ(occ[0].range.start, utc("2026-03-29T07:00:00Z"));  // CEST from that morning
  EXPECT_EQ(occ[0].range.end, utc("2026-03-29T08:00:00Z"));
}

TEST(IcsImport, AllDayEventsCoverTheLocalDayAcrossTheChange) {
  auto cal = ImportedCalendar::parse(
      calendar(event("DTSTART;VALUE=DATE:20261025\r\nDTEND;VALUE=DATE:20261026\r\n")), paris());
  auto occ = cal.occurrences({utc("2026-10-01T00:00:00Z"), utc("2026-11-01T00:00:00Z")});
  ASSERT_EQ(occ.size(), 1u);
  EXPECT_TRUE(occ[0].all_day);
  EXPECT_EQ(occ[0].range.start, utc("2026-10-24T22:00:00Z"));
  EXPECT_EQ(occ[0].range.end, utc("2026-10-25T23:00:00Z"));  // a 25-hour day
}

TEST(IcsImport, UnknownZoneFallsBackAndIsReported) {
  auto cal = ImportedCalendar::parse(
      calendar(event("DTSTART;TZID=Mars/Olympus:20260601T090000\r\nDURATION:PT1H\r\n")), paris());
  auto occ = cal.occurrences({utc("2026-06-01T00:00:00Z"), utc("2026-06-02T00:00:00Z")});
  ASSERT_EQ(occ.size(), 1u);
  EXPECT_EQ(occ[0].range.start, utc("2026-06-01T07:00:00Z"));
  ASSERT_FALSE(cal.warnings().empty());
  EXPECT_NE(cal.warnings()[0].find("Mars/Olympus"), std::string::npos);
}

TEST(IcsImport, PrefixedZoneNamesResolve) {
  auto cal = ImportedCalendar::parse(
      calendar(event("DTSTART;TZID=/mozilla.org/20050126_1/America/Cayenne:20260601T090000\r\n"
                     "DURATION:PT30M\r\n")),
      paris());
  auto occ = cal.occurrences({utc("2026-06-01T00:00:00Z"), utc("2026-06-02T00:00:00Z")});
  ASSERT_EQ(occ.size(), 1u);
  EXPECT_EQ(occ[0].range.start, utc("2026-06-01T12:00:00Z"));
  EXPECT_TRUE(cal.warnings().empty());
}

TEST(IcsImport, EventsRepeatingMoreOftenThanDailyAreNotExpanded) {
  TimeRange fortnight{utc("2026-06-01T00:00:00Z"), utc("2026-06-15T00:00:00Z")};
  ImportLimits skipping;
  skipping.sub_daily = SubDailyEvents::kSkipped;
  for (const char* rule : {"FREQ=SECONDLY", "FREQ=MINUTELY;INTERVAL=15", "FREQ=HOURLY;COUNT=100000",
                           "FREQ=DAILY;BYHOUR=9,10,11", "FREQ=WEEKLY;BYDAY=MO;BYMINUTE=0,30"}) {
    SCOPED_TRACE(rule);
    std::string text = calendar(
        event("DTSTART:20260601T090000Z\r\nDURATION:PT30M\r\nSUMMARY:Permanence\r\nRRULE:" +
              std::string(rule) + "\r\n"));
    auto first_only = ImportedCalendar::parse(text, paris());
    auto occ = first_only.occurrences(fortnight);
    ASSERT_EQ(occ.size(), 1u);
    EXPECT_EQ(occ[0].range.start, utc("2026-06-01T09:00:00Z"));
    ASSERT_EQ(first_only.warnings().size(), 1u);
    const std::string& warning = first_only.warnings()[0];
    EXPECT_EQ(warning.rfind("event 'Permanence' (FREQ=", 0), 0u) << warning;
    EXPECT_NE(warning.find("repeats more often than daily: only its first occurrence is kept"),
              std::string::npos)
        << warning;

    auto skipped = ImportedCalendar::parse(text, paris(), skipping);
    EXPECT_EQ(skipped.event_count(), 0u);
    EXPECT_TRUE(skipped.occurrences(fortnight).empty());
    EXPECT_EQ(skipped.warnings().size(), 1u);
  }
  // One time a day is at most daily: expanded.
  auto daily = ImportedCalendar::parse(
      calendar(
          event("DTSTART:20260601T090000Z\r\nDURATION:PT30M\r\nRRULE:FREQ=DAILY;BYHOUR=9\r\n")),
      paris());
  EXPECT_EQ(daily.occurrences(fortnight).size(), 14u);
  EXPECT_TRUE(daily.warnings().empty());
}

TEST(IcsImport, HostileRulesStayCheap) {
  // Every second forever, and rules that never match (libical would look for
  // a match up to the year 20000), in many events.
  std::string body;
  for (int i = 0; i < 200; ++i)
    body += "BEGIN:VEVENT\r\nUID:e" + std::to_string(i) +
            "\r\nDTSTART:20200101T000000Z\r\nDURATION:PT1S\r\nRRULE:" +
            (i % 2 ? "FREQ=SECONDLY" : "FREQ=MONTHLY;BYDAY=6MO") + "\r\nEND:VEVENT\r\n";
  auto t0 = std::chrono::steady_clock::now();
  auto cal = ImportedCalendar::parse(calendar(body), paris());
  auto occ = cal.occurrences({utc("2026-01-01T00:00:00Z"), utc("2029-01-01T00:00:00Z")});
  std::printf(
      "[ timing ] 200 hostile events over three years: %.1f ms\n",
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  EXPECT_TRUE(occ.empty());
}

TEST(IcsImport, CutExpansionsAreReported) {
  std::string text =
      calendar(event("DTSTART:20260101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\n"));
  TimeRange two_months{utc("2026-01-01T00:00:00Z"), utc("2026-03-01T00:00:00Z")};
  ImportLimits few;
  few.max_occurrences = 10;
  std::vector<std::string> warnings;
  EXPECT_EQ(ImportedCalendar::parse(text, paris(), few).occurrences(two_months, &warnings).size(),
            10u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("stopped at 10 occurrences"), std::string::npos);

  ImportLimits short_walk;
  short_walk.max_iterations = 5;
  warnings.clear();
  EXPECT_EQ(
      ImportedCalendar::parse(text, paris(), short_walk).occurrences(two_months, &warnings).size(),
      5u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("cut short"), std::string::npos);
}

TEST(Recurrence, SubDailyRulesJumpToTheWindow) {
  auto local_of = [](Instant t) { return LocalDateTime{t.time_since_epoch()}; };
  auto starts = expand_local_starts(
      *parse_local_date_time("2020-01-01T00:07"), local_of, "FREQ=MINUTELY;INTERVAL=15",
      *parse_local_date_time("2026-06-01T10:00"), *parse_local_date_time("2026-06-01T11:00"));
  ASSERT_EQ(starts.size(), 4u);  // 10:07, 10:22, 10:37, 10:52: the grid of the first start
  EXPECT_EQ(format_local(starts[0]), "2026-06-01T10:07:00");
  EXPECT_EQ(format_local(starts[3]), "2026-06-01T10:52:00");
}

TEST(IcsImport, TooManyEventsAreCut) {
  std::string body;
  for (int i = 0; i < 50; ++i)
    body += "BEGIN:VEVENT\r\nUID:e" + std::to_string(i) +
            "\r\nDTSTART:20260101T000000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\n";
  ImportLimits limits;
  limits.max_events = 10;
  auto cal = ImportedCalendar::parse(calendar(body), paris(), limits);
  EXPECT_EQ(cal.event_count(), 10u);
  EXPECT_FALSE(cal.warnings().empty());
}

TEST(IcsImport, BadValuesSkipTheEventNotTheFile) {
  auto cal = ImportedCalendar::parse(
      calendar(event("SUMMARY:no start\r\n") +
               event("DTSTART:20261399T250000Z\r\nSUMMARY:bad date\r\n") +
               event("DTSTART:20260601T090000Z\r\nDTEND:20260601T080000Z\r\nSUMMARY:negative\r\n") +
               event("DTSTART:20260602T090000Z\r\nDURATION:PT1H\r\nSUMMARY:Caf\xe9 Latin-1\r\n")),
      paris());
  auto occ = cal.occurrences({utc("2026-06-01T00:00:00Z"), utc("2026-06-03T00:00:00Z")});
  ASSERT_EQ(occ.size(), 2u);
  EXPECT_EQ(occ[0].range.start, occ[0].range.end);  // end before start: an instant
  EXPECT_EQ(occ[1].summary, "Caf\xe9 Latin-1");     // bytes kept as they came
}

TEST(IcsImport, WindowIsCapped) {
  auto cal = ImportedCalendar::parse(
      calendar(event("DTSTART:20200101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\n")),
      paris());
  auto occ = cal.occurrences({utc("2020-01-01T00:00:00Z"), utc("2120-01-01T00:00:00Z")});
  EXPECT_LE(occ.size(), static_cast<size_t>(ImportLimits{}.max_window.count()) + 1);
}

TEST(IcsImport, WindowsZoneTable) {
  EXPECT_TRUE(windows_zone_table_is_sorted());
  EXPECT_EQ(iana_for_windows_zone("Romance Standard Time"), "Europe/Paris");
  EXPECT_EQ(iana_for_windows_zone("W. Europe Standard Time"), "Europe/Berlin");
  EXPECT_EQ(iana_for_windows_zone("SA Eastern Standard Time"), "America/Cayenne");
  EXPECT_EQ(iana_for_windows_zone("(UTC+01:00) Brussels, Copenhagen, Madrid, Paris"),
            "Europe/Paris");
  EXPECT_EQ(iana_for_windows_zone("Nowhere Standard Time"), std::nullopt);
  // Every target is a zone the system knows.
  for (const char* name : {"Romance Standard Time", "FLE Standard Time", "Yukon Standard Time",
                           "Mauritius Standard Time", "UTC-11"})
    EXPECT_TRUE(is_valid_zone_name(*iana_for_windows_zone(name))) << name;
}

}  // namespace
}  // namespace rdv
