// PgCalendars against SqliteCalendars: the same calls give the same results.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "unit/storage/pg_twin.h"

namespace rdv {
namespace {

using namespace rdv::testing;
using std::chrono::hours;
using std::chrono::seconds;

TimeRange range(const char* start, const char* end) { return {utc(start), utc(end)}; }

struct Seeded {
  Id place, service, a1, a2, c1, c2, c3;
};

const Instant t0 = from_epoch(1780272000);  // 2026-06-01T00:00:00Z

// Two agents; A1 has calendars 1 (busy, due at t0 + 100 s) and 2
// (availability, due at t0 + 50 s), A2 has calendar 3 (busy, t0 + 50 s).
Seeded seed(Twin& twin) {
  auto ids = twin.same([](Parts& p) {
    Id org = p.directory.insert_organisation(organisation("Mairie"));
    Id place_id = p.directory.insert_place(place(org, "A", "33000"));
    Id service_id = p.directory.insert_service(service(org, "S"));
    Id a1 = p.directory.insert_agent(agent("A1", {org}));
    Id a2 = p.directory.insert_agent(agent("A2", {org}));
    auto calendar = [&](Id agent_id, CalendarPurpose purpose, int due_in, const char* url) {
      // What a fetch brings is not taken at insertion.
      return p.calendars.insert({0,
                                 agent_id,
                                 url,
                                 purpose,
                                 "etag",
                                 "lm",
                                 "content",
                                 t0,
                                 t0,
                                 "error",
                                 {"warning"},
                                 t0 + seconds(due_in),
                                 t0 - hours(1)});
    };
    Id c1 = calendar(a1, CalendarPurpose::kBusy, 100, "https://cal.example.fr/1.ics");
    Id c2 = calendar(a1, CalendarPurpose::kAvailability, 50, "https://cal.example.fr/2.ics");
    Id c3 = calendar(a2, CalendarPurpose::kBusy, 50, "https://cal.example.fr/3.ics");
    return std::vector<Id>{place_id, service_id, a1, a2, c1, c2, c3};
  });
  EXPECT_EQ(ids.size(), 7u);
  return {ids.at(0), ids.at(1), ids.at(2), ids.at(3), ids.at(4), ids.at(5), ids.at(6)};
}

TEST(PgCalendars, FindsFetchesAndUpdatesLikeSqlite) {
  Twin twin;
  Seeded s = seed(twin);
  auto read = twin.same([&](Parts& p) {
    return std::vector<std::string>{show(p.calendars.find(s.c1)), show(p.calendars.find(999)),
                                    show(p.calendars.of_agent(s.a1)),
                                    show(p.calendars.of_agent(999))};
  });
  EXPECT_NE(read[0].find("etag=\"\" lm=\"\" content=\"\" success=null attempt=null error=\"\" "
                         "warnings=[]"),
            std::string::npos)
      << read[0];
  EXPECT_EQ(read[1], "null");
  EXPECT_EQ(read[3], "[]");

  auto due = twin.same([&](Parts& p) {
    return std::vector<std::vector<Id>>{
        p.calendars.due(t0 + seconds(60), 10),
        p.calendars.due(t0 + seconds(100), 10),
        p.calendars.due(t0 + seconds(100), 2),
        p.calendars.due(t0 + seconds(49), 10),
        p.calendars.due(t0 + seconds(100), 0),
        p.calendars.due(t0 + seconds(100), std::numeric_limits<size_t>::max())};
  });
  EXPECT_EQ(due[0], (std::vector<Id>{s.c2, s.c3}));  // equally overdue: by id
  EXPECT_EQ(due[1], (std::vector<Id>{s.c2, s.c3, s.c1}));
  EXPECT_EQ(due[2], (std::vector<Id>{s.c2, s.c3}));
  EXPECT_TRUE(due[3].empty());
  EXPECT_TRUE(due[4].empty());
  EXPECT_EQ(due[5].size(), 3u);

  twin.same([&](Parts& p) {
    ExternalCalendar c = *p.calendars.find(s.c1);
    c.etag = "\"v2\"";
    c.last_modified = "Mon, 01 Jun 2026 00:00:00 GMT";
    c.content = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
    c.last_success_at = t0 + seconds(5);
    c.last_attempt_at = t0 + seconds(5);
    c.warnings = {"RRULE ignored", "no DTEND"};
    c.next_fetch_at = t0 + hours(1);
    c.url = "https://not.saved.example.fr";  // a fetch keeps the source
    c.purpose = CalendarPurpose::kAvailability;
    p.calendars.save_fetch(c);
    ExternalCalendar failed = *p.calendars.find(s.c3);
    failed.last_success_at = std::nullopt;
    failed.last_attempt_at = t0 + seconds(7);
    failed.last_error = "HTTP 404";
    p.calendars.save_fetch(failed);
    ExternalCalendar moved = *p.calendars.find(s.c2);
    moved.etag = "old";
    moved.content = "old content";
    moved.last_success_at = t0;
    p.calendars.save_fetch(moved);
    moved.url = "https://cal.example.fr/2-new.ics";
    moved.purpose = CalendarPurpose::kBusy;
    moved.next_fetch_at = t0 - seconds(1);
    moved.etag = "not kept";
    moved.last_error = "not kept either";
    p.calendars.update_source(moved);
    return 0;
  });
  auto fetched = twin.same([&](Parts& p) {
    return std::vector<std::vector<ExternalCalendar>>{p.calendars.of_agent(s.a1),
                                                      p.calendars.of_agent(s.a2)};
  });
  ASSERT_EQ(fetched[0].size(), 2u);
  EXPECT_EQ(fetched[0][0].etag, "\"v2\"");
  EXPECT_EQ(fetched[0][0].url, "https://cal.example.fr/1.ics");
  EXPECT_EQ(fetched[0][0].warnings.size(), 2u);
  EXPECT_EQ(fetched[0][1].etag, "");
  EXPECT_EQ(fetched[0][1].content, "");
  EXPECT_TRUE(fetched[0][1].last_success_at);  // kept: only what was fetched is forgotten
  EXPECT_EQ(fetched[0][1].purpose, CalendarPurpose::kBusy);
  ASSERT_EQ(fetched[1].size(), 1u);
  EXPECT_FALSE(fetched[1][0].last_success_at);
  EXPECT_EQ(fetched[1][0].last_error, "HTTP 404");
  EXPECT_EQ(twin.same([&](Parts& p) { return p.calendars.due(t0, 10); }), std::vector<Id>{s.c2});
}

TEST(PgCalendars, BusyTimeLikeSqlite) {
  Twin twin;
  Seeded s = seed(twin);
  // The window is [Jun 10, Jun 20).
  const TimeRange window = range("2026-06-10T00:00:00Z", "2026-06-20T00:00:00Z");
  twin.same([&](Parts& p) {
    p.calendars.replace_busy(s.c1, s.a1, {range("2026-06-11T00:00:00Z", "2026-06-12T00:00:00Z")});
    // Replaced by these, given out of order.
    p.calendars.replace_busy(
        s.c1, s.a1,
        {range("2026-06-15T10:00:00Z", "2026-06-15T11:00:00Z"),
         range("2026-06-09T22:00:00Z", "2026-06-10T01:00:00Z"),    // across the start
         range("2026-06-09T00:00:00Z", "2026-06-10T00:00:00Z"),    // ends at the start
         range("2026-06-20T00:00:00Z", "2026-06-20T01:00:00Z"),    // starts at the end
         range("2026-06-19T23:00:00Z", "2026-06-21T00:00:00Z"),    // across the end
         range("2025-01-01T00:00:00Z", "2026-12-31T00:00:00Z")});  // over 400 days
    p.calendars.replace_busy(s.c2, s.a1, {range("2026-06-14T08:00:00Z", "2026-06-14T09:00:00Z")});
    p.calendars.replace_busy(s.c3, s.a2, {range("2026-06-12T08:00:00Z", "2026-06-12T09:00:00Z")});
    return 0;
  });
  auto busy = twin.same([&](Parts& p) {
    return std::vector<std::vector<std::pair<Id, TimeRange>>>{
        p.calendars.busy_of({s.a2, s.a1}, window), p.calendars.busy_of({s.a1}, window),
        p.calendars.busy_of({}, kAllTime), p.calendars.busy_of({999}, kAllTime),
        p.calendars.busy_of({s.a2}, range("2026-06-12T09:00:00Z", "2026-06-13T00:00:00Z"))};
  });
  ASSERT_EQ(busy[0].size(), 5u);
  EXPECT_EQ(busy[0][0],
            std::make_pair(s.a1, range("2026-06-09T22:00:00Z", "2026-06-10T01:00:00Z")));
  EXPECT_EQ(busy[0][4].first, s.a2);
  EXPECT_EQ(busy[1].size(), 4u);
  EXPECT_TRUE(busy[2].empty());
  EXPECT_TRUE(busy[3].empty());
  EXPECT_TRUE(busy[4].empty());
  // Each replacement moved its agent's busy version (searches keep busy time under it).
  auto versions = [&] {
    return twin.same([&](Parts& p) { return p.calendars.busy_versions({s.a2, s.a1, 999}); });
  };
  using Versions = std::vector<std::pair<Id, std::int64_t>>;
  EXPECT_EQ(versions(), (Versions{{s.a1, 3}, {s.a2, 1}}));

  twin.same([&](Parts& p) {
    p.calendars.replace_busy(s.c3, s.a2, {});
    p.calendars.remove(s.c1);  // with its busy time
    return 0;
  });
  auto left = twin.same([&](Parts& p) { return p.calendars.busy_of({s.a1, s.a2}, kAllTime); });
  ASSERT_EQ(left.size(), 1u);  // calendar 2's
  EXPECT_EQ(left[0].second, range("2026-06-14T08:00:00Z", "2026-06-14T09:00:00Z"));
  EXPECT_EQ(versions(), (Versions{{s.a1, 4}, {s.a2, 2}}));  // the removal moved it too
}

TEST(PgCalendars, OpeningsLikeSqlite) {
  Twin twin;
  Seeded s = seed(twin);
  const TimeRange june = range("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z");
  // An opening of A1's own keeps the highest id throughout, so that both
  // stores number the next openings alike (SQLite gives the id of the last
  // rows deleted again, PostgreSQL never does).
  twin.same([&](Parts& p) {
    p.calendars.replace_openings(
        s.c2,
        {opening(s.a1, s.place, {s.service}, period("2026-06-11T09:00:00", "2026-06-11T10:00:00")),
         opening(s.a1, s.place, {s.service},
                 period("2026-06-12T09:00:00", "2026-06-12T10:00:00"))});
    p.calendars.replace_openings(s.c3,
                                 {opening(s.a2, s.place, {s.service},
                                          period("2026-06-13T09:00:00", "2026-06-13T10:00:00"))});
    return p.agenda.insert_opening(
        opening(s.a1, s.place, {s.service}, period("2026-06-14T09:00:00", "2026-06-14T10:00:00")));
  });
  auto first = twin.same([&](Parts& p) {
    return std::vector<std::vector<Opening>>{
        p.agenda.openings_for_service(s.service, june, std::nullopt),
        p.agenda.agent_openings(s.a1, june)};
  });
  EXPECT_EQ(first[0].size(), 4u);
  EXPECT_EQ(first[1].size(), 1u);  // the calendar's are not the agent's own

  twin.same([&](Parts& p) {
    p.calendars.replace_openings(
        s.c2,
        {opening(s.a1, s.place, {s.service},
                 period("2026-06-18T09:00:00", "2026-06-18T10:00:00", "FREQ=DAILY;COUNT=2"))});
    p.calendars.replace_openings(s.c1, {});  // had none
    return 0;
  });
  auto second = twin.same(
      [&](Parts& p) { return p.agenda.openings_for_service(s.service, june, std::nullopt); });
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[1].period.rrule, "FREQ=DAILY;COUNT=2");  // by agent, then id
  EXPECT_EQ(second[2].agent_id, s.a2);

  twin.same([&](Parts& p) {
    p.calendars.remove(s.c2);
    return 0;
  });
  auto left = twin.same([&](Parts& p) {
    return std::vector<std::string>{
        show(p.calendars.find(s.c2)), show(p.calendars.of_agent(s.a1)),
        show(p.agenda.openings_for_service(s.service, june, std::nullopt))};
  });
  EXPECT_EQ(left[0], "null");
  EXPECT_EQ(left[1].find("2.ics"), std::string::npos) << left[1];
  EXPECT_EQ(left[2].find("2026-06-18"), std::string::npos) << left[2];
  EXPECT_NE(left[2].find("2026-06-13"), std::string::npos) << left[2];
  EXPECT_NE(left[2].find("2026-06-14"), std::string::npos) << left[2];
}

}  // namespace
}  // namespace rdv
