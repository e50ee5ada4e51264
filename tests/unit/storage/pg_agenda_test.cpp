// PgAgenda against SqliteAgenda: the same calls give the same results.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/storage/pg_twin.h"

namespace rdv {
namespace {

using namespace rdv::testing;

TEST(PgAgenda, OpeningsLikeSqlite) {
  Twin twin;
  auto ids = twin.same([](Parts& p) {
    Id org = p.directory.insert_organisation(organisation("Mairie"));
    std::vector<Id> out{p.directory.insert_place(place(org, "A", "33000")),
                        p.directory.insert_place(place(org, "B", "33100"))};
    for (const char* name : {"S1", "S2", "S3"})
      out.push_back(p.directory.insert_service(service(org, name)));
    for (const char* name : {"A1", "A2", "A3"})
      out.push_back(p.directory.insert_agent(agent(name, {org})));
    return out;
  });
  ASSERT_EQ(ids.size(), 8u);
  Id place_a = ids[0], place_b = ids[1], s1 = ids[2], s2 = ids[3], s3 = ids[4], a1 = ids[5],
     a2 = ids[6], a3 = ids[7];
  // A3 has left: their openings are offered no more (A1's active account
  // changes nothing).
  twin.execute(
      "INSERT INTO accounts(name, email, status, agent_id, created_at) VALUES "
      "('A3', 'a3@example.fr', 'deactivated', " +
      std::to_string(a3) + ", 0), ('A1', 'a1@example.fr', 'active', " + std::to_string(a1) +
      ", 0)");

  auto openings = twin.same([&](Parts& p) {
    std::vector<Id> o;
    o.push_back(p.agenda.insert_opening(
        opening(a1, place_a, {s1, s2},
                period("2026-12-01T09:00:00", "2026-12-01T12:00:00", "FREQ=WEEKLY;COUNT=4",
                       {local("2026-12-08T09:00:00")}))));
    o.push_back(p.agenda.insert_opening(
        opening(a2, place_b, {s1}, period("2027-01-05T14:00:00", "2027-01-05T17:00:00"))));
    Opening endless = opening(a1, place_b, {s1},
                              period("2026-11-02T08:30:00", "2026-11-02T10:00:00", "FREQ=WEEKLY"));
    endless.modes.add(Mode::kVideo);
    o.push_back(p.agenda.insert_opening(endless));  // last_end NULL
    o.push_back(p.agenda.insert_opening(
        opening(a3, place_a, {s1}, period("2026-12-03T09:00:00", "2026-12-03T12:00:00"))));
    // Services given out of order: read back by id.
    o.push_back(p.agenda.insert_opening(
        opening(a1, place_a, {s3, s1}, period("2026-12-04T09:00:00", "2026-12-04T12:00:00"))));
    o.push_back(p.agenda.insert_opening(
        opening(a2, place_a, {}, period("2026-12-04T09:00:00", "2026-12-04T12:00:00"))));
    return o;
  });
  ASSERT_EQ(openings.size(), 6u);
  // An opening read from A1's own calendar: offered, but not among A1's own.
  twin.same([&](Parts& p) {
    Id calendar = p.calendars.insert({0,
                                      a1,
                                      "https://cal.example.fr/a1.ics",
                                      CalendarPurpose::kAvailability,
                                      "",
                                      "",
                                      "",
                                      std::nullopt,
                                      std::nullopt,
                                      "",
                                      {},
                                      utc("2026-01-01T00:00:00Z"),
                                      utc("2026-01-01T00:00:00Z")});
    p.calendars.replace_openings(
        calendar,
        {opening(a1, place_b, {s1}, period("2026-12-10T09:00:00", "2026-12-10T10:00:00"))});
    return calendar;
  });

  const TimeRange december{utc("2026-12-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")};
  const TimeRange january{utc("2027-01-01T00:00:00Z"), utc("2027-02-01T00:00:00Z")};
  const TimeRange october{utc("2026-10-01T00:00:00Z"), utc("2026-11-01T00:00:00Z")};
  // Ends when the first occurrence of the first opening starts (08:00 UTC).
  const TimeRange just_before{utc("2026-11-30T00:00:00Z"), utc("2026-12-01T08:00:00Z")};
  // Starts when the last occurrence of the first opening ends (Dec 22, 11:00 UTC).
  const TimeRange just_after{utc("2026-12-22T11:00:00Z"), utc("2026-12-23T00:00:00Z")};
  auto offered = twin.same([&](Parts& p) {
    return std::vector<std::vector<Opening>>{
        p.agenda.openings_for_service(s1, december, std::nullopt),
        p.agenda.openings_for_service(s1, december, a1),
        p.agenda.openings_for_service(s1, december, a2),
        p.agenda.openings_for_service(s1, january, std::nullopt),
        p.agenda.openings_for_service(s1, october, std::nullopt),
        p.agenda.openings_for_service(s2, december, std::nullopt),
        p.agenda.openings_for_service(s2, just_before, std::nullopt),
        p.agenda.openings_for_service(s2, just_after, std::nullopt),
        p.agenda.openings_for_service(s1, december, a3),
        p.agenda.openings_for_service(999, kAllTime, std::nullopt)};
  });
  ASSERT_EQ(offered[0].size(), 4u);                           // not A3's; the calendar's too
  EXPECT_EQ(offered[0][0].service_ids, std::vector<Id>{s1});  // the service asked for only
  EXPECT_EQ(offered[1].size(), 4u);
  EXPECT_TRUE(offered[2].empty());
  ASSERT_EQ(offered[3].size(), 2u);  // the endless one and A2's, by agent
  EXPECT_EQ(offered[3][0].agent_id, a1);
  EXPECT_TRUE(offered[4].empty());
  EXPECT_EQ(offered[5].size(), 1u);
  EXPECT_TRUE(offered[6].empty());
  EXPECT_TRUE(offered[7].empty());
  EXPECT_TRUE(offered[8].empty());
  EXPECT_TRUE(offered[9].empty());

  auto own = twin.same([&](Parts& p) {
    return std::vector<std::vector<Opening>>{
        p.agenda.agent_openings(a1, december), p.agenda.agent_openings(a1, january),
        p.agenda.agent_openings(a2, kAllTime), p.agenda.agent_openings(a1, october),
        p.agenda.agent_openings(a3, kAllTime)};
  });
  ASSERT_EQ(own[0].size(), 3u);  // not the calendar's
  EXPECT_EQ(own[0][0].service_ids, (std::vector<Id>{s1, s2}));
  EXPECT_EQ(own[0][2].service_ids, (std::vector<Id>{s1, s3}));
  EXPECT_EQ(own[1].size(), 1u);
  ASSERT_EQ(own[2].size(), 2u);
  EXPECT_TRUE(own[2][1].service_ids.empty());
  EXPECT_TRUE(own[3].empty());
  EXPECT_EQ(own[4].size(), 1u);  // deactivated or not, still their own

  twin.same([&](Parts& p) {
    Opening changed =
        opening(a2, place_b, {s3, s2},
                period("2026-12-15T10:00:00", "2026-12-15T11:30:00", "FREQ=DAILY;COUNT=3"));
    changed.id = openings[0];
    changed.modes = ModeSet::from_csv("video,phone").value();
    p.agenda.update_opening(changed);  // the agent stays A1
    p.agenda.delete_opening(openings[4]);
    p.agenda.delete_opening(999);
    return 0;
  });
  auto updated = twin.same([&](Parts& p) {
    return std::vector<std::vector<Opening>>{
        p.agenda.agent_openings(a1, december), p.agenda.openings_for_service(s1, december, a1),
        p.agenda.openings_for_service(s3, december, std::nullopt)};
  });
  ASSERT_EQ(updated[0].size(), 2u);
  EXPECT_EQ(updated[0][0].agent_id, a1);
  EXPECT_EQ(updated[0][0].place_id, place_b);
  EXPECT_EQ(updated[0][0].service_ids, (std::vector<Id>{s2, s3}));
  EXPECT_EQ(updated[1].size(), 2u);  // the endless one and the calendar's
  EXPECT_EQ(updated[2].size(), 1u);
}

TEST(PgAgenda, AbsencesLikeSqlite) {
  Twin twin;
  auto agents = twin.same([](Parts& p) {
    Id org = p.directory.insert_organisation(organisation("Mairie"));
    std::vector<Id> out;
    for (const char* name : {"A1", "A2", "A3"})
      out.push_back(p.directory.insert_agent(agent(name, {org})));
    return out;
  });
  ASSERT_EQ(agents.size(), 3u);
  Id a1 = agents[0], a2 = agents[1], a3 = agents[2];

  auto absences = twin.same([&](Parts& p) {
    std::vector<Id> out;
    // The latest first: read back by agent, then start, then id.
    out.push_back(p.agenda.insert_absence(
        absence(a1, period("2026-12-20T00:00:00", "2026-12-24T00:00:00"), "Congés")));
    out.push_back(p.agenda.insert_absence(
        absence(a2, period("2026-12-02T00:00:00", "2026-12-03T00:00:00"), "")));
    out.push_back(p.agenda.insert_absence(
        absence(a1,
                period("2026-12-02T13:00:00", "2026-12-02T14:00:00", "FREQ=DAILY",
                       {local("2026-12-05T13:00:00"), local("2026-12-06T13:00:00")}),
                "Pause")));
    out.push_back(p.agenda.insert_absence(
        absence(a1, period("2026-12-20T00:00:00", "2026-12-21T00:00:00"), "Même début")));
    out.push_back(p.agenda.insert_absence(
        absence(a3, period("2027-03-01T00:00:00", "2027-03-02T00:00:00"), "Formation")));
    return out;
  });
  ASSERT_EQ(absences.size(), 5u);
  const TimeRange december{utc("2026-12-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")};
  const TimeRange january{utc("2027-01-01T00:00:00Z"), utc("2027-02-01T00:00:00Z")};
  // Ends when A2's absence starts (Dec 2, 00:00 Paris).
  const TimeRange before_a2{utc("2026-12-01T00:00:00Z"), utc("2026-12-01T23:00:00Z")};
  auto away = twin.same([&](Parts& p) {
    return std::vector<std::vector<Absence>>{
        p.agenda.absences_of({a2, a1}, december), p.agenda.absences_of({a1}, january),
        p.agenda.absences_of({}, kAllTime),       p.agenda.absences_of({a3, a2, a1}, kAllTime),
        p.agenda.absences_of({a3}, december),     p.agenda.absences_of({999}, kAllTime),
        p.agenda.absences_of({a2}, before_a2),    p.agenda.absences_of({a1, a1}, december)};
  });
  ASSERT_EQ(away[0].size(), 4u);
  EXPECT_EQ(away[0][0].reason, "Pause");
  EXPECT_EQ(away[0][1].reason, "Congés");
  EXPECT_EQ(away[0][3].agent_id, a2);
  ASSERT_EQ(away[1].size(), 1u);  // the daily break never ends
  EXPECT_EQ(away[1][0].period.exdates.size(), 2u);
  EXPECT_TRUE(away[2].empty());
  EXPECT_EQ(away[3].size(), 5u);
  EXPECT_TRUE(away[4].empty());
  EXPECT_TRUE(away[5].empty());
  EXPECT_TRUE(away[6].empty());
  EXPECT_EQ(away[7].size(), 3u);  // an agent named twice, each absence once

  twin.same([&](Parts& p) {
    Absence a = absence(a2, period("2027-01-10T00:00:00", "2027-01-11T00:00:00"), "Reporté");
    a.id = absences[0];
    p.agenda.update_absence(a);  // the agent stays A1
    p.agenda.delete_absence(absences[1]);
    p.agenda.delete_absence(999);
    return 0;
  });
  auto moved = twin.same([&](Parts& p) {
    return std::vector<std::vector<Absence>>{p.agenda.absences_of({a1, a2}, december),
                                             p.agenda.absences_of({a1, a2}, january)};
  });
  EXPECT_EQ(moved[0].size(), 2u);
  ASSERT_EQ(moved[1].size(), 2u);
  EXPECT_EQ(moved[1][1].reason, "Reporté");
  EXPECT_EQ(moved[1][1].agent_id, a1);
}

}  // namespace
}  // namespace rdv
