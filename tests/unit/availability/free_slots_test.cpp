#include "availability/free_slots.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

namespace rdv {
namespace {

using namespace std::chrono_literals;

LocalDateTime local(const char* s) { return *parse_local_date_time(s); }
Instant utc(const char* s) { return *parse_rfc3339(s); }

ModeSet modes(std::initializer_list<Mode> ms) {
  ModeSet s;
  for (Mode m : ms) s.add(m);
  return s;
}

SlotRules half_hour_rules() {
  SlotRules r;
  r.service_id = 1;
  r.duration = 30min;
  r.step = 30min;
  r.min_notice = 0min;
  r.horizon = std::chrono::days{3650};
  r.modes = modes({Mode::kInPerson});
  return r;
}

Opening opening(const char* start, const char* end, const char* zone = "Europe/Paris",
                const char* rrule = "") {
  Opening o;
  o.id = 1;
  o.agent_id = 7;
  o.place_id = 3;
  o.service_ids = {1};
  o.modes = modes({Mode::kInPerson, Mode::kVideo});
  o.period = {local(start), local(end), zone_named(zone), rrule, {}};
  return o;
}

HeldTime booking(const char* start, const char* end, Id service = 2) {
  return {99, 7, service, utc(start), {utc(start), utc(end)}};
}

const Instant kLongAgo = utc("2020-01-01T00:00:00Z");

TEST(FreeSlots, CutsOpeningIntoSlotsOfTheDuration) {
  AgentAgenda agenda{7, {opening("2026-12-01T09:00", "2026-12-01T12:00")}, {}, {}, {}};
  auto slots = free_slots(half_hour_rules(), {agenda},
                          {utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")}, kLongAgo);
  ASSERT_EQ(slots.size(), 6u);
  EXPECT_EQ(slots.front().start, utc("2026-12-01T08:00:00Z"));  // 09:00 in Paris, winter
  EXPECT_EQ(slots.back().end, utc("2026-12-01T11:00:00Z"));
  EXPECT_EQ(slots.front().agent_id, 7);
  EXPECT_EQ(slots.front().place_id, 3);
  EXPECT_EQ(slots.front().mode, Mode::kInPerson);  // video is not a mode of the service
}

TEST(FreeSlots, StepCanDifferFromDuration) {
  auto rules = half_hour_rules();
  rules.duration = 45min;
  rules.step = 15min;
  AgentAgenda agenda{7, {opening("2026-12-01T09:00", "2026-12-01T10:00")}, {}, {}, {}};
  auto slots = free_slots(rules, {agenda},
                          {utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")}, kLongAgo);
  ASSERT_EQ(slots.size(), 2u);  // 09:00-09:45 and 09:15-10:00
}

TEST(FreeSlots, DaylightSavingDaysHave23And25Hours) {
  auto rules = half_hour_rules();
  rules.duration = 60min;
  rules.step = 60min;
  for (auto [day, next, expected] : {std::tuple{"2026-03-29T00:00", "2026-03-30T00:00", 23u},
                                     std::tuple{"2026-10-25T00:00", "2026-10-26T00:00", 25u},
                                     std::tuple{"2026-10-26T00:00", "2026-10-27T00:00", 24u}}) {
    SCOPED_TRACE(day);
    AgentAgenda agenda{7, {opening(day, next)}, {}, {}, {}};
    auto slots = free_slots(rules, {agenda},
                            {utc("2026-03-01T00:00:00Z"), utc("2026-12-01T00:00:00Z")}, kLongAgo);
    EXPECT_EQ(slots.size(), expected);
  }
}

TEST(FreeSlots, WeeklyPermanenceAcrossDaylightSavingInParisAndCayenne) {
  auto rules = half_hour_rules();
  rules.duration = 60min;
  rules.step = 60min;
  AgentAgenda paris{
      7,
      {opening("2026-10-20T09:00", "2026-10-20T10:00", "Europe/Paris", "FREQ=WEEKLY")},
      {},
      {},
      {}};
  auto slots = free_slots(rules, {paris},
                          {utc("2026-10-19T00:00:00Z"), utc("2026-10-30T00:00:00Z")}, kLongAgo);
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].start, utc("2026-10-20T07:00:00Z"));  // +02:00
  EXPECT_EQ(slots[1].start, utc("2026-10-27T08:00:00Z"));  // +01:00 after 25 October

  AgentAgenda cayenne{
      7,
      {opening("2026-10-20T09:00", "2026-10-20T10:00", "America/Cayenne", "FREQ=WEEKLY")},
      {},
      {},
      {}};
  slots = free_slots(rules, {cayenne}, {utc("2026-10-19T00:00:00Z"), utc("2026-10-30T00:00:00Z")},
                     kLongAgo);
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].start, utc("2026-10-20T12:00:00Z"));  // -03:00 all year
  EXPECT_EQ(slots[1].start, utc("2026-10-27T12:00:00Z"));
}

TEST(FreeSlots, RruleWithExdateAndRepeatingAbsence) {
  auto o = opening("2026-12-01T09:00", "2026-12-01T10:00", "Europe/Paris", "FREQ=DAILY;COUNT=5");
  o.period.exdates = {local("2026-12-02T09:00")};
  RepeatingPeriod every_thursday{local("2026-12-03T00:00"),
                                 local("2026-12-04T00:00"),
                                 zone_named("Europe/Paris"),
                                 "FREQ=WEEKLY",
                                 {}};
  AgentAgenda agenda{7, {o}, {every_thursday}, {}, {}};
  auto rules = half_hour_rules();
  rules.duration = 60min;
  rules.step = 60min;
  auto slots = free_slots(rules, {agenda},
                          {utc("2026-11-30T00:00:00Z"), utc("2026-12-10T00:00:00Z")}, kLongAgo);
  ASSERT_EQ(slots.size(), 3u);  // 1, 4, 5 December: the 2nd is excluded, the 3rd is a Thursday
  EXPECT_EQ(slots[0].start, utc("2026-12-01T08:00:00Z"));
  EXPECT_EQ(slots[1].start, utc("2026-12-04T08:00:00Z"));
  EXPECT_EQ(slots[2].start, utc("2026-12-05T08:00:00Z"));
}

TEST(FreeSlots, BookingsAndBuffersBlockNeighbouringSlots) {
  auto rules = half_hour_rules();
  rules.buffer_after = 15min;
  auto b = booking("2026-12-01T08:00:00Z", "2026-12-01T08:30:00Z");  // 09:00-09:30 local
  AgentAgenda agenda{7, {opening("2026-12-01T09:00", "2026-12-01T11:00")}, {}, {}, {b}};
  auto slots = free_slots(rules, {agenda},
                          {utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")}, kLongAgo);
  // 09:00 taken; 09:30 would start during nothing but ends at 10:00 + 15 min: free,
  // since the booked visit ended at 09:30 and had no buffer of its own.
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[0].start, utc("2026-12-01T08:30:00Z"));

  rules.buffer_after = 0min;
  rules.buffer_before = 15min;  // now 09:30 needs 09:15-09:30 free, which the visit covers
  slots = free_slots(rules, {agenda}, {utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")},
                     kLongAgo);
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].start, utc("2026-12-01T09:00:00Z"));

  // The booked visit's own buffer after (10 min) blocks 09:30 too.
  agenda.held[0].blocked.end += 10min;
  rules.buffer_before = 0min;
  slots = free_slots(rules, {agenda}, {utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")},
                     kLongAgo);
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].start, utc("2026-12-01T09:00:00Z"));
}

TEST(FreeSlots, GroupSessionsCountSeats) {
  auto rules = half_hour_rules();
  rules.duration = 120min;
  rules.step = 120min;
  rules.capacity = 6;
  AgentAgenda agenda{7, {opening("2026-12-01T14:00", "2026-12-01T18:00")}, {}, {}, {}};
  for (int i = 0; i < 4; ++i)
    agenda.held.push_back(booking("2026-12-01T13:00:00Z", "2026-12-01T15:00:00Z", 1));
  TimeRange day{utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")};
  auto slots = free_slots(rules, {agenda}, day, kLongAgo);
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].remaining, 2);
  EXPECT_EQ(slots[1].remaining, 6);

  for (int i = 0; i < 2; ++i)
    agenda.held.push_back(booking("2026-12-01T13:00:00Z", "2026-12-01T15:00:00Z", 1));
  slots = free_slots(rules, {agenda}, day, kLongAgo);
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0].start, utc("2026-12-01T15:00:00Z"));

  // A cancelled seat frees a place.
  agenda.held.erase(agenda.held.begin());
  slots = free_slots(rules, {agenda}, day, kLongAgo);
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].remaining, 1);
}

TEST(FreeSlots, MinimumNoticeAndHorizon) {
  auto rules = half_hour_rules();
  rules.min_notice = 60min;
  rules.horizon = std::chrono::days{2};
  auto o = opening("2026-12-01T09:00", "2026-12-01T11:00", "Europe/Paris", "FREQ=DAILY");
  AgentAgenda agenda{7, {o}, {}, {}, {}};
  Instant now = utc("2026-12-01T08:10:00Z");  // 09:10 in Paris
  auto slots =
      free_slots(rules, {agenda}, {utc("2026-11-30T00:00:00Z"), utc("2026-12-31T00:00:00Z")}, now);
  // Today only 10:30 (09:10 + one hour of notice, next step), four tomorrow, and
  // on the day after only 09:00 (the horizon ends at 09:10).
  ASSERT_FALSE(slots.empty());
  EXPECT_EQ(slots.front().start, utc("2026-12-01T09:30:00Z"));
  EXPECT_LE(slots.back().start, now + std::chrono::days{2});
  EXPECT_EQ(slots.back().start, utc("2026-12-03T08:00:00Z"));
  EXPECT_EQ(slots.size(), 1u + 4u + 1u);
}

TEST(FreeSlots, ModeAndPlaceFiltersAndLimit) {
  auto rules = half_hour_rules();
  rules.modes = modes({Mode::kInPerson, Mode::kVideo});
  AgentAgenda agenda{7, {opening("2026-12-01T09:00", "2026-12-01T12:00")}, {}, {}, {}};
  TimeRange day{utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")};
  EXPECT_EQ(free_slots(rules, {agenda}, day, kLongAgo).size(), 12u);  // both modes
  SlotFilter video;
  video.mode = Mode::kVideo;
  EXPECT_EQ(free_slots(rules, {agenda}, day, kLongAgo, video).size(), 6u);
  SlotFilter elsewhere;
  elsewhere.place_id = 4;
  EXPECT_TRUE(free_slots(rules, {agenda}, day, kLongAgo, elsewhere).empty());
  SlotFilter first;
  first.limit = 1;
  auto one = free_slots(rules, {agenda}, day, kLongAgo, first);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].start, utc("2026-12-01T08:00:00Z"));
}

// Property: whatever the busy ranges and bookings, no offered slot (with its
// buffers) touches any of them, and every free step of the opening is offered.
TEST(FreeSlots, PropertyNoSlotOverlapsBusyTime) {
  std::mt19937 rng(42);
  auto rules = half_hour_rules();
  rules.buffer_before = 5min;
  rules.buffer_after = 10min;
  for (int round = 0; round < 200; ++round) {
    AgentAgenda agenda{
        7,
        {opening("2026-12-01T08:00", "2026-12-01T18:00", "Europe/Paris", "FREQ=DAILY")},
        {},
        {},
        {}};
    Instant base = utc("2026-12-01T07:00:00Z");
    std::uniform_int_distribution<int> minute(0, 3 * 24 * 60), length(5, 180);
    for (int i = 0; i < 6; ++i) {
      Instant s = base + std::chrono::minutes{minute(rng)};
      agenda.busy.push_back({s, s + std::chrono::minutes{length(rng)}});
      Instant bs = base + std::chrono::minutes{minute(rng)};
      agenda.held.push_back(
          {99, 7, 2, bs, {bs, bs + 30min + std::chrono::minutes{length(rng) % 20}}});
    }
    TimeRange window{base, base + std::chrono::days{3}};
    auto slots = free_slots(rules, {agenda}, window, kLongAgo);
    auto busy_at = [&](TimeRange r) {
      for (auto& x : agenda.busy)
        if (x.overlaps(r)) return true;
      for (auto& b : agenda.held)
        if (b.blocked.overlaps(r)) return true;
      return false;
    };
    for (const Slot& s : slots)
      ASSERT_FALSE(busy_at({s.start - rules.buffer_before, s.end + rules.buffer_after}));
    // Completeness: every free step of each occurrence is offered.
    size_t expected = 0;
    for (int day = 0; day < 3; ++day)
      for (int k = 0; k < 20; ++k) {
        Instant s = base + std::chrono::days{day} + k * 30min;
        if (!busy_at({s - rules.buffer_before, s + 30min + rules.buffer_after})) ++expected;
      }
    ASSERT_EQ(slots.size(), expected);
  }
}

// Openings stored before rules were checked may never match (or match only
// far from their start). They must yield nothing and cost little per search:
// 20 of them once made a public search take tens of seconds.
TEST(FreeSlots, StoredRulesThatNeverMatchAreCheapAndYieldNothing) {
  const std::pair<const char*, const char*> dead[] = {
      {"2026-01-05T09:00", "FREQ=MONTHLY;BYDAY=6MO"},
      {"2026-01-05T09:00", "FREQ=MONTHLY;BYDAY=-53MO"},
      {"2026-01-05T09:00", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"},
      {"2026-01-05T09:00", "FREQ=YEARLY;BYMONTH=13"},
      {"2026-01-05T09:00", "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11"},
      {"2026-01-05T09:00", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"},
      {"2026-01-05T09:00", "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6"},
      {"2026-02-05T09:00", "FREQ=YEARLY;BYMONTHDAY=30"},  // February, from DTSTART
      {"2026-02-05T09:00", "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=30"},
      {"2027-01-05T09:00", "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29"},
  };
  AgentAgenda agenda{
      7,
      {opening("2026-01-05T09:00", "2026-01-05T12:00", "Europe/Paris", "FREQ=WEEKLY;BYDAY=MO")},
      {},
      {},
      {}};
  TimeRange window{utc("2026-06-01T00:00:00Z"),
                   utc("2026-06-01T00:00:00Z") + std::chrono::days{93}};
  auto expected = free_slots(half_hour_rules(), {agenda}, window, kLongAgo);
  for (int i = 0; i < 20; ++i) {
    auto [start, rule] = dead[i % std::size(dead)];
    Opening o = opening(start, start, "Europe/Paris", rule);
    o.period.end = o.period.start + std::chrono::hours{3};
    agenda.openings.push_back(o);
  }
  auto t0 = std::chrono::steady_clock::now();
  auto slots = free_slots(half_hour_rules(), {agenda}, window, kLongAgo);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ timing ] 93-day search, 20 openings with rules that never match: %.1f ms\n", ms);
  EXPECT_EQ(slots, expected);
  EXPECT_EQ(expected.size(), 14u * 6u);  // the good weekly opening, 14 Mondays
}

}  // namespace
}  // namespace rdv
