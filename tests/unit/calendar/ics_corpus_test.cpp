// Every file of the real-world corpus (tests/data/ics-corpus, byte-identical
// copies of ../shared/ics-corpus) imported as a `busy` calendar of an agent in
// Europe/Paris. The expected intervals were worked out by reading each file;
// the comments say how.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "calendar/ics_import.h"
#include "crypto/tokens.h"

namespace rdv {
namespace {

std::string corpus(const std::string& name) {
  std::ifstream in(std::string(RDV_TEST_DATA) + "/ics-corpus/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// "2021-03-22 07:00" (UTC) as an instant.
Instant utc(const std::string& s) {
  return *parse_rfc3339(s.substr(0, 10) + "T" + s.substr(11) + ":00Z");
}

std::string show(Instant t) { return format_rfc3339(t, date::locate_zone("UTC")).substr(0, 16); }

using Interval = std::pair<std::string, std::string>;

std::vector<Interval> busy(const std::string& file, const std::string& from,
                           const std::string& to) {
  auto cal = ImportedCalendar::parse(corpus(file), zone_named("Europe/Paris"));
  std::vector<Interval> out;
  for (const auto& o : cal.occurrences({utc(from), utc(to)}))
    if (o.busy()) out.emplace_back(show(o.range.start), show(o.range.end));
  return out;
}

std::vector<Interval> expected(std::initializer_list<Interval> list) {
  std::vector<Interval> out;
  for (auto& [a, b] : list) out.emplace_back(show(utc(a)), show(utc(b)));
  return out;
}

TEST(IcsCorpus, KhalWeeklyWithMovedAndCancelledOccurrences) {
  // Weekly 07:00-12:00 Berlin (CEST, UTC+2) from 30 June 2014 until 6 August
  // 06:00Z: 30 June, 7, 14, 21, 28 July, 4 August. 7 July moved to 09:00-14:00,
  // 14 July cancelled.
  EXPECT_EQ(busy("khal_event_rrule_recuid_cancelled.ics", "2014-06-01 00:00", "2014-09-01 00:00"),
            expected({{"2014-06-30 05:00", "2014-06-30 10:00"},
                      {"2014-07-07 07:00", "2014-07-07 12:00"},
                      {"2014-07-21 05:00", "2014-07-21 10:00"},
                      {"2014-07-28 05:00", "2014-07-28 10:00"},
                      {"2014-08-04 05:00", "2014-08-04 10:00"}}));
}

TEST(IcsCorpus, GoogleOverridesWithoutTheirSeries) {
  // Four overrides in UTC, 11:00-12:00 on 24 to 27 March 2021, no master event.
  EXPECT_EQ(busy("icalevents_recurrenceid_google.ics", "2021-03-01 00:00", "2021-04-01 00:00"),
            expected({{"2021-03-24 11:00", "2021-03-24 12:00"},
                      {"2021-03-25 11:00", "2021-03-25 12:00"},
                      {"2021-03-26 11:00", "2021-03-26 12:00"},
                      {"2021-03-27 11:00", "2021-03-27 12:00"}}));
}

TEST(IcsCorpus, AppleTentativeConfirmedCancelled) {
  // Tentative counts as busy (23:00-23:50Z); Confirmed and No Status are
  // 09:00-10:00 in Vancouver (PDT, UTC-7); Cancelled is not busy.
  EXPECT_EQ(busy("nodeical_tentative-apple-calendar.ics", "2022-07-01 00:00", "2022-07-10 00:00"),
            expected({{"2022-07-04 23:00", "2022-07-04 23:50"},
                      {"2022-07-05 16:00", "2022-07-05 17:00"},
                      {"2022-07-07 16:00", "2022-07-07 17:00"}}));
}

TEST(IcsCorpus, SabreDavFloatingAllDayIsTransparent) {
  // 08:30-16:00 Brussels (CEST) on 8 April 2021; the all-day "Bern" is transparent.
  EXPECT_EQ(busy("icalevents_floating.ics", "2021-01-01 00:00", "2021-12-31 00:00"),
            expected({{"2021-04-08 06:30", "2021-04-08 14:00"}}));
}

TEST(IcsCorpus, MicrosoftSeveralExdatesOnOneLine) {
  // Fridays 11:00-11:30 "Eastern Standard Time" (New York) from 11 March 2022
  // until 29 April 15:00Z; 18 March, 1 and 8 April excluded. New York moves to
  // EDT on 13 March.
  EXPECT_EQ(
      busy("icalevents_multi_exdate_same_line_ms.ics", "2022-03-01 00:00", "2022-06-01 00:00"),
      expected({{"2022-03-11 16:00", "2022-03-11 16:30"},
                {"2022-03-25 15:00", "2022-03-25 15:30"},
                {"2022-04-15 15:00", "2022-04-15 15:30"},
                {"2022-04-22 15:00", "2022-04-22 15:30"},
                {"2022-04-29 15:00", "2022-04-29 15:30"}}));
}

TEST(IcsCorpus, MicrosoftTransparentAndOpaque) {
  // "Free" (all day, transparent) is not busy; "Busy" 07:00-22:30 Central
  // European (CEST) on 21 May 2021.
  EXPECT_EQ(busy("icalevents_transparent.ics", "2021-05-01 00:00", "2021-06-01 00:00"),
            expected({{"2021-05-21 05:00", "2021-05-21 20:30"}}));
}

TEST(IcsCorpus, CancelledWithParameterAndEndlessAllDayRule) {
  // All-day events of 30 October 2018 (Paris, CET): the tentative weekly one,
  // the confirmed one and the one without status are busy; both cancelled ones
  // are not. The weekly one comes back every Tuesday.
  EXPECT_EQ(busy("icalevents_status_and_url.ics", "2018-10-29 00:00", "2018-11-14 00:00"),
            expected({{"2018-10-29 23:00", "2018-10-30 23:00"},
                      {"2018-10-29 23:00", "2018-10-30 23:00"},
                      {"2018-10-29 23:00", "2018-10-30 23:00"},
                      {"2018-11-05 23:00", "2018-11-06 23:00"},
                      {"2018-11-12 23:00", "2018-11-13 23:00"}}));
}

TEST(IcsCorpus, MicrosoftFiveTimeZones) {
  // 09:00-10:00 "Pacific Standard Time" on 9 May 2023 (PDT, UTC-7).
  EXPECT_EQ(busy("icalevents_small_time_frame.ics", "2023-05-01 00:00", "2023-06-01 00:00"),
            expected({{"2023-05-09 16:00", "2023-05-09 17:00"}}));
}

TEST(IcsCorpus, MicrosoftWindowsZoneNames) {
  // 09:00-09:30 W. Europe (CEST) on 10 September 2020 and 08:30-09:30 Pacific
  // (PDT) on 15 September; both recurring series are transparent.
  EXPECT_EQ(busy("nodeical_ms_timezones.ics", "2020-06-01 00:00", "2021-04-01 00:00"),
            expected({{"2020-09-10 07:00", "2020-09-10 07:30"},
                      {"2020-09-15 15:30", "2020-09-15 16:30"}}));
}

TEST(IcsCorpus, ThunderbirdCustomZoneNamedSpaceOne) {
  // 15:00-16:00 Paris (CET) on 15 December 2023; 11:00-12:00 in the zone " 1"
  // (CET/CEST rules, defined after its use) on 8 January 2024.
  EXPECT_EQ(busy("nodeical_test_with_int_tzid.ics", "2023-12-01 00:00", "2024-02-01 00:00"),
            expected({{"2023-12-15 14:00", "2023-12-15 15:00"},
                      {"2024-01-08 10:00", "2024-01-08 11:00"}}));
}

TEST(IcsCorpus, ExchangeAllDaySeriesWithMovedOccurrence) {
  // Everything is transparent: nothing busy.
  EXPECT_TRUE(busy("nodeical_exchange_whole_day_moved_recurrence.ics", "2026-02-01 00:00",
                   "2026-09-01 00:00")
                  .empty());
  // But the occurrences are right: Tuesdays and Thursdays from Thursday 19
  // February 2026; Thursday 26 moved to Friday 27 by a date-time RECURRENCE-ID
  // (midnight W. Europe) on a DATE series. Days are Paris days (CET).
  auto cal = ImportedCalendar::parse(corpus("nodeical_exchange_whole_day_moved_recurrence.ics"),
                                     zone_named("Europe/Paris"));
  std::vector<Interval> all;
  for (const auto& o : cal.occurrences({utc("2026-02-18 00:00"), utc("2026-03-01 00:00")}))
    all.emplace_back(show(o.range.start), show(o.range.end));
  EXPECT_EQ(all, expected({{"2026-02-18 23:00", "2026-02-19 23:00"},
                           {"2026-02-23 23:00", "2026-02-24 23:00"},
                           {"2026-02-26 23:00", "2026-02-27 23:00"}}));
}

TEST(IcsCorpus, GoogleKievDailyWithOverride) {
  // Daily 14:00-15:00 Kiev (EEST, UTC+3) from 25 August 2016 until 28 August
  // 11:00Z (= 14:00 local, included); the 26th is overridden at the same time.
  EXPECT_EQ(busy("nodeical_google-calendar-kiev-tz.ics", "2016-08-01 00:00", "2016-09-01 00:00"),
            expected({{"2016-08-25 11:00", "2016-08-25 12:00"},
                      {"2016-08-26 11:00", "2016-08-26 12:00"},
                      {"2016-08-27 11:00", "2016-08-27 12:00"},
                      {"2016-08-28 11:00", "2016-08-28 12:00"}}));
}

TEST(IcsCorpus, KhalRdatePeriodsInAWindowsZoneWithoutItsSeries) {
  // A THISANDFUTURE override with no series stands for itself: DTSTART and 19
  // RDATE periods, Tuesdays 08:00-09:00 "Central Standard Time" (Chicago, CDT)
  // from 27 March to 31 July 2018.
  std::vector<Interval> want;
  auto day = date::sys_days{date::year{2018} / 3 / 27};
  for (int i = 0; i < 19; ++i, day += date::days{7}) {
    Instant s = day + std::chrono::hours{13};
    want.emplace_back(show(s), show(s + std::chrono::hours{1}));
  }
  EXPECT_EQ(busy("icalendar_issue_156_RDATE_with_PERIOD_TZID_khal.ics", "2018-03-01 00:00",
                 "2018-09-01 00:00"),
            want);
}

TEST(IcsCorpus, SixtTransparentReservation) {
  EXPECT_TRUE(busy("icalendar_issue_348_exception_parsing_value.ics", "2019-06-01 00:00",
                   "2019-07-01 00:00")
                  .empty());
}

TEST(IcsCorpus, OutlookDisplayNameZoneOnlyInItsVtimezone) {
  // Weekdays 09:30-09:45 in "Canberra, Melbourne, Sydney" (VTIMEZONE: +11 from
  // the first Sunday of October to the first Sunday of April, +10 otherwise).
  EXPECT_EQ(busy("ical4j_Standup.ics", "2009-03-09 00:00", "2009-03-10 00:00"),
            expected({{"2009-03-09 22:30", "2009-03-09 22:45"}}));  // Tuesday 10 March, +11
  EXPECT_EQ(busy("ical4j_Standup.ics", "2009-04-05 00:00", "2009-04-06 00:00"),
            expected({{"2009-04-05 23:30", "2009-04-05 23:45"}}));  // Monday 6 April, +10
  EXPECT_EQ(busy("ical4j_Standup.ics", "2026-12-06 12:00", "2026-12-11 12:00"),
            expected({{"2026-12-06 22:30", "2026-12-06 22:45"},  // Monday 7 to Friday 11
                      {"2026-12-07 22:30", "2026-12-07 22:45"},
                      {"2026-12-08 22:30", "2026-12-08 22:45"},
                      {"2026-12-09 22:30", "2026-12-09 22:45"},
                      {"2026-12-10 22:30", "2026-12-10 22:45"}}));
}

TEST(IcsCorpus, KhalSevenZonesRdatesAcrossZones) {
  // Series "abcde": monthly on the 9th, 6 times, 09:30 Europe_Berlin (CEST) =
  // 07:30Z, ending at 10:30 America_New_York (EDT) = 14:30Z: 7 hours. RDATEs at
  // 11:30 America_Bogota (UTC-5) on 11, 13, 15 April and 11:30 IndianReunion
  // (UTC+4) on 18 April. The override's RECURRENCE-ID (7 July 05:00Z) names no
  // occurrence, so it adds its own 9 April. Event "123": 19:30-20:30 London (BST).
  EXPECT_EQ(busy("khal_cal_lots_of_timezones.ics", "2014-04-01 00:00", "2014-10-01 00:00"),
            expected({{"2014-04-09 07:30", "2014-04-09 14:30"},
                      {"2014-04-09 07:30", "2014-04-09 14:30"},
                      {"2014-04-11 16:30", "2014-04-11 23:30"},
                      {"2014-04-13 16:30", "2014-04-13 23:30"},
                      {"2014-04-15 16:30", "2014-04-15 23:30"},
                      {"2014-04-18 07:30", "2014-04-18 14:30"},
                      {"2014-05-09 07:30", "2014-05-09 14:30"},
                      {"2014-05-09 18:30", "2014-05-09 19:30"},
                      {"2014-06-09 07:30", "2014-06-09 14:30"},
                      {"2014-07-09 07:30", "2014-07-09 14:30"},
                      {"2014-08-09 07:30", "2014-08-09 14:30"},
                      {"2014-09-09 07:30", "2014-09-09 14:30"}}));
}

TEST(IcsCorpus, ICloudExdatesAcrossDaylightSaving) {
  // Kinderturnen: Mondays 16:15-17:30 Berlin from 22 February 2016; 21 and 28
  // March excluded; Berlin moves to CEST on 27 March.
  EXPECT_EQ(busy("icalevents_icloud.ics", "2016-02-01 00:00", "2016-04-15 00:00"),
            expected({{"2016-02-22 15:15", "2016-02-22 16:30"},
                      {"2016-02-29 15:15", "2016-02-29 16:30"},
                      {"2016-03-07 15:15", "2016-03-07 16:30"},
                      {"2016-03-14 15:15", "2016-03-14 16:30"},
                      {"2016-04-04 14:15", "2016-04-04 15:30"},
                      {"2016-04-11 14:15", "2016-04-11 15:30"}}));
  // 5 and 12 September excluded; the rule ends on 1 October.
  EXPECT_EQ(busy("icalevents_icloud.ics", "2016-09-01 00:00", "2016-10-15 00:00"),
            expected({{"2016-09-19 14:15", "2016-09-19 15:30"},
                      {"2016-09-26 14:15", "2016-09-26 15:30"}}));
  // The yearly birthday, 10:00-11:00 Berlin (CET) every 9 December since 2015.
  EXPECT_EQ(busy("icalevents_icloud.ics", "2026-12-01 00:00", "2026-12-31 00:00"),
            expected({{"2026-12-09 09:00", "2026-12-09 10:00"}}));
}

TEST(IcsCorpus, KitchenSinkParserExample) {
  // April 2016: "Duration Test" daily twice at 15:00Z for 1h15m05s; the long
  // opaque event from 15 February to 15 May; the Saturday series 09:00-11:00 in
  // "(UTC-05:00) Eastern Time (US & Canada)" (New York, EDT) from 9 April. The
  // invalid date is skipped, all-day events are transparent.
  auto april = busy("icsparser_ICal.ics", "2016-04-01 00:00", "2016-05-01 00:00");
  EXPECT_EQ(april, expected({{"2016-02-15 08:00", "2016-05-15 09:00"},
                             {"2016-04-09 13:00", "2016-04-09 15:00"},
                             {"2016-04-16 13:00", "2016-04-16 15:00"},
                             {"2016-04-23 13:00", "2016-04-23 15:00"},
                             {"2016-04-25 15:00", "2016-04-25 16:15"},
                             {"2016-04-26 15:00", "2016-04-26 16:15"},
                             {"2016-04-30 13:00", "2016-04-30 15:00"}}));
  // The Duration Test ends 5 seconds after the quarter.
  auto cal = ImportedCalendar::parse(corpus("icsparser_ICal.ics"), zone_named("Europe/Paris"));
  int duration_tests = 0;
  for (const auto& o : cal.occurrences({utc("2016-04-25 00:00"), utc("2016-04-26 00:00")})) {
    if (o.summary != "Duration Test") continue;
    EXPECT_EQ(o.range.end, utc("2016-04-25 16:15") + std::chrono::seconds{5});
    ++duration_tests;
  }
  EXPECT_EQ(duration_tests, 1);
  // July 2016: 9 July excluded; COUNT=15 ends the series on 16 July.
  auto july = busy("icsparser_ICal.ics", "2016-07-01 00:00", "2016-08-01 00:00");
  EXPECT_EQ(july, expected({{"2016-07-02 13:00", "2016-07-02 15:00"},
                            {"2016-07-16 13:00", "2016-07-16 15:00"}}));
  // August-October 2017: BYMONTHDAY=23 (13:00-15:00Z) until 23 September
  // 00:00Z; Paris Wednesdays 08:00-09:00 (CEST); Sydney series on the second
  // Sunday every two months, twice: 13 August (AEST, overridden at the same
  // time) and 8 October (AEDT).
  std::vector<Interval> want = expected({{"2017-08-13 09:00", "2017-08-13 11:30"},
                                         {"2017-08-23 13:00", "2017-08-23 15:00"},
                                         {"2017-10-08 08:00", "2017-10-08 10:30"}});
  for (auto day = date::sys_days{date::year{2017} / 8 / 2};
       day <= date::sys_days{date::year{2017} / 10 / 25}; day += date::days{7})
    want.emplace_back(show(day + std::chrono::hours{6}), show(day + std::chrono::hours{7}));
  std::sort(want.begin(), want.end());
  EXPECT_EQ(busy("icsparser_ICal.ics", "2017-08-01 00:00", "2017-11-01 00:00"), want);
}

TEST(IcsCorpus, LargeExchangeExportAroundTheSpringChange) {
  // Week of 22 March 2021 (CET, UTC+1), read event by event from the 202:
  // Mondays 08:00-17:00 until 22 March 07:00Z (included); the Thursday all-day
  // "Away" every two weeks from 19 November 2020 (25 March, a Paris day);
  // Mon/Wed/Fri 09:30-10:00; Tue/Thu 10:00-10:30 except 25 March; single events
  // on 23 and 26 March; the Friday 17:30-19:00 series, its 26 March occurrence
  // overridden at the same time.
  EXPECT_EQ(busy("icalevents_recurring_override.ics", "2021-03-22 00:00", "2021-03-29 00:00"),
            expected({{"2021-03-22 07:00", "2021-03-22 16:00"},
                      {"2021-03-22 08:30", "2021-03-22 09:00"},
                      {"2021-03-23 09:00", "2021-03-23 09:30"},
                      {"2021-03-23 10:00", "2021-03-23 11:00"},
                      {"2021-03-23 11:00", "2021-03-23 12:00"},
                      {"2021-03-24 08:30", "2021-03-24 09:00"},
                      {"2021-03-24 23:00", "2021-03-25 23:00"},
                      {"2021-03-26 08:30", "2021-03-26 09:00"},
                      {"2021-03-26 09:00", "2021-03-26 09:30"},
                      {"2021-03-26 13:00", "2021-03-26 16:00"},
                      {"2021-03-26 16:30", "2021-03-26 18:00"}}));
  // After the change the Mon/Wed/Fri series stays at 09:30 local: 07:30Z.
  auto cal = ImportedCalendar::parse(corpus("icalevents_recurring_override.ics"),
                                     zone_named("Europe/Paris"));
  int seen = 0;
  for (const auto& o : cal.occurrences({utc("2021-03-29 00:00"), utc("2021-03-30 00:00")}))
    if (o.uid.find("00206A16DAD9D601") != std::string::npos) {
      EXPECT_EQ(o.range.start, utc("2021-03-29 07:30"));
      ++seen;
    }
  EXPECT_EQ(seen, 1);
}

TEST(IcsCorpus, CorpusFilesAreTheSharedOnesAndAllParse) {
  // Each file has the sha256 prefix its MANIFEST.md row gives, and parses.
  std::string manifest = corpus("MANIFEST.md");
  size_t checked = 0;
  std::istringstream rows(manifest);
  for (std::string row; std::getline(rows, row);) {
    if (row.rfind("| `", 0) != 0) continue;
    std::string name = row.substr(3, row.find('`', 3) - 3);
    std::string digest;
    for (size_t p = row.find('`'); p != std::string::npos; p = row.find('`', p + 1)) {
      size_t q = row.find('`', p + 1);
      if (q == std::string::npos) break;
      std::string token = row.substr(p + 1, q - p - 1);
      if (token.size() == 16 && token.find_first_not_of("0123456789abcdef") == std::string::npos)
        digest = token;
      p = q;
    }
    std::string text = corpus(name);
    EXPECT_EQ(token_hash(text).substr(0, 16), digest) << name;
    auto cal = ImportedCalendar::parse(text, zone_named("Europe/Paris"));
    EXPECT_GT(cal.event_count(), 0u) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 19u);
}

}  // namespace
}  // namespace rdv
