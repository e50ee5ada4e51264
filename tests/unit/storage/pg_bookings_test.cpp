// PgBookings against SqliteBookings: the same calls on both stores give the
// same bookings, documents, counts and statistics, field by field (see
// pg_twin.h); then what only PostgreSQL has to prove: an overlap refused
// between concurrent transactions.
#include "storage/postgres/pg_bookings.h"

#include <gtest/gtest.h>

#include <future>

#include "storage/postgres/connection.h"
#include "unit/storage/pg_twin.h"

namespace rdv::testing {
namespace {

Booking booking(Id service, Id agent, Id place, Instant start, Minutes length) {
  Booking b;
  b.service_id = service;
  b.agent_id = agent;
  b.place_id = place;
  b.start = start;
  b.end = start + length;
  b.resident = {"Léa", "Dupont", "lea@example.fr", ""};
  b.created_at = kDay - 24h;
  b.updated_at = kDay - 24h;
  return b;
}

// Bookings of several agents, services and organisations, with ties on start
// times, a group session, a cancelled one and one in the past.
void insert_dataset(Twin& t) {
  t.same([](Parts& p) {
    std::vector<Id> ids;
    Booking b1 = booking(kService1, kClaire, kPlace1, at(10h), 30min);
    b1.buffer_before = 5min;
    b1.buffer_after = 10min;
    ids.push_back(p.bookings.insert(b1));

    Booking b2 = booking(kService1, kClaire, kPlace1, at(11h), 30min);
    b2.resident = {"Léa", "Dupont", "Lea@Example.FR", "+33611111111"};
    b2.booked_by = BookedBy::kDesk;
    b2.booked_by_account_id = kDesk;
    b2.mandate_json = R"({"kind":"aidant","name":"Marc"})";
    b2.notes = "fauteuil roulant";
    b2.sequence = 2;
    ids.push_back(p.bookings.insert(b2));

    Booking b3 = booking(kService1, kClaire, kPlace1, at(9h), 30min);
    b3.status = BookingStatus::kCancelled;
    b3.cancel_reason = "empêchée";
    ids.push_back(p.bookings.insert(b3));

    Booking b4 = booking(kService3, kPaul, kPlace2, at(10h), 30min);
    b4.mode = Mode::kPhone;
    b4.resident = {"Omar", "Benali", "", "+33611111111"};
    b4.created_at = kDay - 48h;
    ids.push_back(p.bookings.insert(b4));

    Booking b5 = booking(kService1, kInes, kPlace1, at(10h), 30min);
    b5.status = BookingStatus::kDone;
    b5.booked_by = BookedBy::kAgent;
    b5.resident = {"Jean", "Martin", "jean@example.fr", ""};
    ids.push_back(p.bookings.insert(b5));

    for (const char* who : {"Ana", "Bo", "Cy"}) {
      Booking seat = booking(kGroupService, kClaire, kPlace1, at(14h), 60min);
      seat.capacity = 3;
      seat.resident = {who, "Groupe", std::string(who) + "@example.fr", ""};
      ids.push_back(p.bookings.insert(seat));
    }

    Booking b9 = booking(kService1, kClaire, kPlace1, at(24h + 9h), 30min);
    b9.status = BookingStatus::kNoShow;
    ids.push_back(p.bookings.insert(b9));

    Booking b10 = booking(kService3, kPaul, kPlace2, at(-72h), 30min);
    b10.resident = {"Léa", "Dupont", "LEA@example.fr", ""};
    b10.created_at = kDay - 30 * 24h;
    ids.push_back(p.bookings.insert(b10));
    return ids;
  });
}

TEST(PgBookings, InsertFindAndUpdateMatchSqlite) {
  SeededTwin t;
  insert_dataset(t);
  for (Id id : {1, 2, 3, 4, 5, 6, 9, 10, 999})
    t.same([&](Parts& p) { return p.bookings.find(id); });

  // Every column update() saves, buffers and mandate included.
  Booking changed = *t.same([](Parts& p) { return p.bookings.find(1); });
  changed.agent_id = kPaul;
  changed.place_id = kPlace2;
  changed.mode = Mode::kVideo;
  changed.start = at(16h);
  changed.end = at(16h + 45min);
  changed.buffer_before = 15min;
  changed.buffer_after = 0min;
  changed.status = BookingStatus::kDone;
  changed.notes = "vu";
  changed.cancel_reason = "-";
  changed.updated_at = kDay + 17h;
  changed.sequence = 3;
  changed.summary = "dossier complet";
  changed.survey_answered = true;
  changed.reminders_opt_out = true;
  changed.mandate_json = R"({"kind":"tutelle"})";
  t.same([&](Parts& p) { p.bookings.update(changed); });
  auto found = t.same([](Parts& p) { return p.bookings.find(1); });
  ASSERT_TRUE(found);
  EXPECT_EQ(show(*found), show(changed));

  // Back to false flags and another agent: the 0/1 columns both ways.
  changed.survey_answered = false;
  changed.reminders_opt_out = false;
  changed.agent_id = kInes;
  t.same([&](Parts& p) { p.bookings.update(changed); });
  found = t.same([](Parts& p) { return p.bookings.find(1); });
  EXPECT_EQ(show(*found), show(changed));
}

TEST(PgBookings, TimeQueriesMatchSqlite) {
  SeededTwin t;
  insert_dataset(t);
  TimeRange day{kDay, kDay + 24h};
  auto holding = [&](std::vector<Id> agents, TimeRange window) {
    return t.same([&](Parts& p) { return p.bookings.holding_time(agents, window); });
  };
  EXPECT_TRUE(holding({}, day).empty());
  EXPECT_EQ(holding({kClaire}, day).size(), 5u);  // not the cancelled one, not tomorrow's
  EXPECT_EQ(holding({kInes, 99, kClaire, kPaul}, day).size(), 7u);
  // Blocked time is [block_start, block_end): booking 1 blocks 09:55-10:40.
  EXPECT_TRUE(holding({kClaire}, {at(10h + 40min), at(11h)}).empty());
  EXPECT_EQ(holding({kClaire}, {at(10h + 39min), at(11h)}).size(), 1u);
  EXPECT_EQ(holding({kClaire}, {at(9h), at(9h + 55min)}).size(), 0u);
  EXPECT_EQ(holding({kClaire}, {at(9h), at(9h + 56min)}).size(), 1u);
  EXPECT_EQ(holding({kClaire}, {at(10h + 39min), at(11h + 1min)}).size(), 2u);
  // Found from up to two days before the window's start only.
  EXPECT_EQ(holding({kPaul}, {at(-72h + 10min), at(-71h)}).size(), 1u);

  for (bool cancelled : {false, true}) {
    t.same([&](Parts& p) { return p.bookings.of_agent(kClaire, day, cancelled); });
    t.same([&](Parts& p) { return p.bookings.of_agent(kClaire, kAllTime, cancelled); });
  }
  EXPECT_TRUE(t.same([&](Parts& p) {
                 return p.bookings.of_agent(kClaire, {at(9h), at(9h)}, true);
               }).empty());
  EXPECT_EQ(t.same([&](Parts& p) {
               return p.bookings.of_agent(kClaire, {at(9h), at(10h)}, true);
             }).size(),
            1u);  // start in [from, to)
}

TEST(PgBookings, ListMatchesSqliteForEveryFilter) {
  SeededTwin t;
  insert_dataset(t);
  auto list = [&](BookingFilter f) { return t.same([&](Parts& p) { return p.bookings.list(f); }); };
  EXPECT_EQ(list({}).size(), 10u);
  EXPECT_EQ(list({.agent_id = kClaire}).size(), 7u);
  EXPECT_EQ(list({.organisation_id = kOrg2}).size(), 2u);
  EXPECT_EQ(list({.booked_by_account_id = kDesk}).size(), 1u);
  EXPECT_EQ(list({.service_id = kGroupService}).size(), 3u);
  EXPECT_EQ(list({.place_id = kPlace2}).size(), 2u);
  EXPECT_EQ(list({.status = BookingStatus::kCancelled}).size(), 1u);
  EXPECT_EQ(list({.status = BookingStatus::kNoShow}).size(), 1u);
  EXPECT_EQ(list({.from = at(10h)}).size(), 8u);
  EXPECT_EQ(list({.to = at(10h)}).size(), 2u);
  EXPECT_EQ(list({.from = at(10h), .to = at(14h)}).size(), 4u);
  EXPECT_EQ(list({.organisation_id = kOrg1,
                  .status = BookingStatus::kConfirmed,
                  .from = at(0h),
                  .to = at(24h)})
                .size(),
            5u);
  EXPECT_TRUE(list({.agent_id = 99}).empty());
  EXPECT_TRUE(list({.limit = 0}).empty());

  // Pages of three by (start, id), across ties on the start (10:00 three
  // times, 14:00 three times).
  std::vector<Id> paged;
  BookingFilter page{.limit = 3};
  for (;;) {
    auto got = list(page);
    for (auto& b : got) paged.push_back(b.id);
    if (got.size() < 3) break;
    page.after = std::make_pair(got.back().start, got.back().id);
  }
  std::vector<Id> all;
  for (auto& b : list({})) all.push_back(b.id);
  EXPECT_EQ(paged, all);
  EXPECT_EQ(list({.after = std::make_pair(at(10h), Id{4}), .limit = 2}).size(), 2u);
}

TEST(PgBookings, ContactsCountsAndIdempotencyMatchSqlite) {
  SeededTwin t;
  insert_dataset(t);
  for (Id service : {kService1, kGroupService, kService3, Id{99}})
    t.same([&](Parts& p) { return p.bookings.count_of_service(service); });

  auto of_contact = [&](const std::string& email, const std::string& phone) {
    return t.same([&](Parts& p) { return p.bookings.of_contact(email, phone); });
  };
  EXPECT_EQ(of_contact("lea@EXAMPLE.fr", "").size(), 5u);  // whatever the case
  EXPECT_EQ(of_contact("", "+33611111111").size(), 2u);
  EXPECT_EQ(of_contact("lea@example.fr", "+33611111111").size(), 6u);
  EXPECT_TRUE(of_contact("", "").empty());  // "" matches nothing, not the empty columns
  EXPECT_TRUE(of_contact("nobody@example.fr", "+33000000000").empty());

  auto open = [&](Id service, const std::string& email, const std::string& phone, Instant now) {
    return t.same([&](Parts& p) { return p.bookings.open_of_contact(service, email, phone, now); });
  };
  EXPECT_EQ(open(kService1, "LEA@example.fr", "", kDay), 3);             // not the cancelled one
  EXPECT_EQ(open(kService1, "LEA@example.fr", "", at(10h + 30min)), 2);  // booking 1 is over
  EXPECT_EQ(open(kService1, "", "+33611111111", kDay), 1);
  EXPECT_EQ(open(kService3, "lea@example.fr", "+33611111111", kDay - 100h), 2);
  EXPECT_EQ(open(kService1, "", "", kDay), 0);

  auto counts = [&](Id organisation, TimeRange made) {
    return t.same([&](Parts& p) { return p.bookings.counts(organisation, made); });
  };
  EXPECT_EQ(counts(kOrg1, kAllTime).size(), 6u);
  EXPECT_EQ(counts(kOrg2, kAllTime).size(), 1u);
  EXPECT_EQ(counts(kOrg2, {kDay - 48h, kDay}).size(), 1u);  // made in [start, end)
  EXPECT_TRUE(counts(kOrg2, {kDay - 48h - 1s, kDay - 48h}).empty());
  EXPECT_TRUE(counts(99, kAllTime).empty());

  t.same([](Parts& p) {
    p.bookings.save_idempotent("key-1", {"request-1", 2}, kDay);
    p.bookings.save_idempotent("key-2", {"request-2", 4}, kDay + 1h);
  });
  for (const char* key : {"key-1", "key-2", "key-3"})
    t.same([&](Parts& p) { return p.bookings.idempotent(key); });
  t.same([](Parts& p) { p.bookings.purge_idempotency_keys(kDay + 1h); });  // older than
  EXPECT_FALSE(t.same([](Parts& p) { return p.bookings.idempotent("key-1"); }));
  EXPECT_TRUE(t.same([](Parts& p) { return p.bookings.idempotent("key-2"); }));
}

TEST(PgBookings, DocumentsAndRetentionMatchSqlite) {
  SeededTwin t;
  // 1, 2: ended long ago; 3, 4: cancelled long ago; 5: to come.
  t.same([](Parts& p) {
    Booking a = booking(kService1, kClaire, kPlace1, at(-20 * 24h), 30min);
    a.mandate_json = R"({"kind":"aidant"})";
    p.bookings.insert(a);
    p.bookings.insert(booking(kService1, kClaire, kPlace1, at(-19 * 24h), 30min));
    for (int day : {-18, -17}) {
      Booking c = booking(kService1, kPaul, kPlace1, at(day * 24h), 30min);
      c.status = BookingStatus::kCancelled;
      c.updated_at = at(day * 24h - 24h);
      c.notes = "à rappeler";
      c.summary = "annulé";
      c.cancel_reason = "malade";
      c.mandate_json = R"({"kind":"tutelle"})";
      p.bookings.insert(c);
    }
    Booking future = booking(kService1, kInes, kPlace1, at(24h), 30min);
    future.mandate_json = R"({"kind":"aidant"})";
    future.notes = "prévenir";
    p.bookings.insert(future);
  });
  // Documents whose ids run against their bookings' ids, so that orders
  // show; the last one (the highest id) stays until new ones are added.
  t.same([](Parts& p) {
    std::vector<Id> ids;
    for (Id booking_id : {5, 2, 4, 1, 3, 5, 2}) {
      std::string name = "piece-" + std::to_string(booking_id) + ".pdf";
      ids.push_back(p.bookings.insert_document({0, booking_id, name, "application/pdf",
                                                1000 + booking_id, "stored-" + name, kDay - 24h}));
    }
    return ids;
  });
  for (Id id : {1, 2, 3, 4, 5, 6}) t.same([&](Parts& p) { return p.bookings.documents_of(id); });

  t.same([](Parts& p) { p.bookings.anonymise(5); });
  EXPECT_TRUE(t.same([](Parts& p) { return p.bookings.documents_of(5); }).empty());
  auto anonymised = t.same([](Parts& p) { return p.bookings.find(5); });
  EXPECT_EQ(anonymised->resident.last_name, "");
  EXPECT_EQ(anonymised->notes, "");

  t.same([](Parts& p) { p.bookings.clear_mandates_ended_before(at(-19 * 24h)); });
  for (Id id : {1, 2, 3, 4}) t.same([&](Parts& p) { return p.bookings.find(id); });

  auto cancelled = t.same([](Parts& p) {
    return p.bookings.anonymise_cancelled_before(at(-18 * 24h - 24h + 1s));  // booking 3 only
  });
  EXPECT_EQ(cancelled.size(), 1u);
  cancelled = t.same([](Parts& p) { return p.bookings.anonymise_cancelled_before(kDay); });
  EXPECT_EQ(cancelled.size(), 1u);
  EXPECT_TRUE(t.same([](Parts& p) { return p.bookings.anonymise_cancelled_before(kDay); }).empty());
  for (Id id : {3, 4}) t.same([&](Parts& p) { return p.bookings.find(id); });

  // Two documents per booking, returned in SQLite's order for both calls.
  t.same([](Parts& p) {
    p.bookings.insert_document({0, 3, "b.pdf", "application/pdf", 1, "s-b", kDay});
    p.bookings.insert_document({0, 4, "c.pdf", "application/pdf", 1, "s-c", kDay});
    p.bookings.insert_document({0, 3, "d.pdf", "application/pdf", 1, "s-d", kDay});
  });
  t.same([](Parts& p) { return p.bookings.anonymise_cancelled_before(kDay); });

  auto ended = t.same([](Parts& p) { return p.bookings.delete_ended_before(at(-18 * 24h)); });
  EXPECT_EQ(ended.size(), 3u);  // the documents of bookings 1 and 2
  for (Id id : {1, 2, 3}) t.same([&](Parts& p) { return p.bookings.find(id); });
  EXPECT_TRUE(
      t.same([](Parts& p) { return p.bookings.delete_ended_before(at(-18 * 24h)); }).empty());
  t.same([](Parts& p) { return p.bookings.list({}); });
}

TEST(PgBookings, SurveyStatsMatchSqlite) {
  SeededTwin t;
  t.same([](Parts& p) {
    p.bookings.insert_survey_answer(kOrg1, kService1, {5, true, "parfait"}, "2030-03-17");
    p.bookings.insert_survey_answer(kOrg1, kService1, {4, false, ""}, "2030-03-17");
    p.bookings.insert_survey_answer(kOrg1, kService1, {4, true, "bien"}, "2030-03-18");
    p.bookings.insert_survey_answer(kOrg1, kGroupService, {3, false, ""}, "2030-03-18");
    p.bookings.insert_survey_answer(kOrg2, kService3, {1, false, "long"}, "2030-03-18");
  });
  auto stats = t.same([](Parts& p) { return p.bookings.survey_stats(kOrg1); });
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_DOUBLE_EQ(stats[0].average_rating, 13.0 / 3);
  t.same([](Parts& p) { return p.bookings.survey_stats(kOrg2); });
  EXPECT_TRUE(t.same([](Parts& p) { return p.bookings.survey_stats(99); }).empty());
}

TEST(PgBookings, RefusedOverlapsAreSlotTakenLikeSqlite) {
  SeededTwin t;
  // Successful writes first: PostgreSQL spends an id on a refused insert,
  // SQLite does not, and the ids compared must stay in step.
  t.same([](Parts& p) {
    Booking x = booking(kService1, kClaire, kPlace1, at(10h), 30min);
    x.buffer_after = 15min;  // blocks 10:00-10:45
    p.bookings.insert(x);
    p.bookings.insert(booking(kService1, kClaire, kPlace1, at(10h + 45min), 15min));  // adjacent
    Booking cancelled = booking(kService1, kClaire, kPlace1, at(10h + 15min), 30min);
    cancelled.status = BookingStatus::kCancelled;  // holds no time
    p.bookings.insert(cancelled);
    p.bookings.insert(booking(kService1, kPaul, kPlace1, at(10h), 30min));  // another agent
    for (int seat = 0; seat < 3; ++seat) {
      Booking b = booking(kGroupService, kClaire, kPlace1, at(14h), 60min);
      b.capacity = 3;
      p.bookings.insert(b);
    }
  });

  t.both_refuse_booking([](Parts& p) {
    p.bookings.insert(booking(kService1, kClaire, kPlace1, at(10h + 40min), 20min));
  });
  t.both_refuse_booking([](Parts& p) {
    Booking fourth = booking(kGroupService, kClaire, kPlace1, at(14h), 60min);
    fourth.capacity = 3;
    p.bookings.insert(fourth);
  });
  t.both_refuse_booking([](Parts& p) {
    Booking moved = *p.bookings.find(2);
    moved.start = at(10h + 30min);
    moved.end = at(10h + 45min);
    p.bookings.update(moved);
  });
  t.both_refuse_booking([](Parts& p) {
    Booking back = *p.bookings.find(3);
    back.status = BookingStatus::kConfirmed;
    p.bookings.update(back);
  });
  t.both_refuse_booking([](Parts& p) {
    Booking reassigned = *p.bookings.find(4);
    reassigned.agent_id = kClaire;
    p.bookings.update(reassigned);
  });
  t.same([](Parts& p) { return p.bookings.list({}); });

  // Through the foundation's transactions: translated the same way.
  postgres::Pool pool(t.url(), 1);
  EXPECT_THROW(postgres::with_transaction(pool,
                                          [](pqxx::dbtransaction& tx) {
                                            PgBookings(tx).insert(booking(kService1, kClaire,
                                                                          kPlace1, at(10h), 30min));
                                          }),
               SlotTakenError);
}

TEST(PgBookings, ConcurrentOverlapIsRefusedWhenTheFirstCommits) {
  SeededTwin t;
  pqxx::connection other(t.url());
  pqxx::work first(t.pg());
  PgBookings(first).insert(booking(kService1, kClaire, kPlace1, at(10h), 30min));
  // The second insert waits for the first transaction, then is refused.
  auto second = std::async(std::launch::async, [&] {
    pqxx::work tx(other);
    tx.exec0("SET LOCAL lock_timeout = '10s'");
    PgBookings(tx).insert(booking(kService1, kClaire, kPlace1, at(10h + 15min), 30min));
    tx.commit();
  });
  EXPECT_EQ(second.wait_for(200ms), std::future_status::timeout);
  first.commit();
  EXPECT_THROW(second.get(), SlotTakenError);
}

}  // namespace
}  // namespace rdv::testing
