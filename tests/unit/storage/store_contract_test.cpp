// The storage contract: what every store must do, run on SQLite and on
// PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "storage/store_parts.h"
#include "support/test_stores.h"

namespace rdv {
namespace {

Instant utc(const char* s) { return *parse_rfc3339(s); }
LocalDateTime local(const char* s) { return *parse_local_date_time(s); }

struct Seed {
  Id org, place, service, agent;
};

// An in-person opening of `agent` for the seed's service at its place.
Opening in_person_opening(const Seed& s, Id agent, RepeatingPeriod period) {
  Opening o;
  o.agent_id = agent;
  o.place_id = s.place;
  o.service_ids = {s.service};
  o.modes.add(Mode::kInPerson);
  o.period = std::move(period);
  return o;
}

// A service's context as a new booking reads it, with the agenda of a week.
std::optional<ServiceContext> context_of(StoreReader& r, Id service, std::optional<Id> place) {
  TimeRange week{utc("2026-12-01T00:00:00Z"), utc("2026-12-08T00:00:00Z")};
  return r.service_and_agenda(service, place, {service, week, week, std::nullopt}).context;
}

Seed seed(Store& store) {
  Seed s{};
  store.write([&](StoreWriter& tx) {
    s.org = tx.directory().insert_organisation({0, "Mairie de Bègles", "commune", "Europe/Paris"});
    Place p;
    p.organisation_id = s.org;
    p.name = "Hôtel de ville";
    p.postcode = "33130";
    p.timezone = "Europe/Paris";
    s.place = tx.directory().insert_place(p);
    Service svc;
    svc.organisation_id = s.org;
    svc.name = "Carte d'identité";
    svc.keywords = {"CNI", "passeport"};
    svc.modes.add(Mode::kInPerson);
    s.service = tx.directory().insert_service(svc);
    s.agent = tx.directory().insert_agent(
        {0, "Claire Martin", "claire@example.fr", "", "secret-1", {s.org}});
    tx.agenda().insert_opening(in_person_opening(s, s.agent,
                                                 {local("2026-12-01T09:00"),
                                                  local("2026-12-01T12:00"),
                                                  zone_named("Europe/Paris"),
                                                  "FREQ=WEEKLY;COUNT=4",
                                                  {local("2026-12-08T09:00")}}));
  });
  return s;
}

class StoreContract : public ::testing::TestWithParam<testing::StoreKind> {
 protected:
  std::unique_ptr<Store> fresh_store() { return testing::make_test_store(GetParam(), dir_); }

  testing::TempDir dir_;
};

Booking booking_at(const Seed& s, const char* start, const char* end) {
  Booking b;
  b.service_id = s.service;
  b.agent_id = s.agent;
  b.place_id = s.place;
  b.start = utc(start);
  b.end = utc(end);
  b.resident = {"Léa", "Dupont", "lea@example.fr", ""};
  return b;
}

TEST_P(StoreContract, RoundTripsEntitiesAndMigratesOnce) {
  std::string where = testing::fresh_test_database(GetParam(), dir_);
  Seed s = seed(*testing::open_test_store(GetParam(), where));
  auto reopened = testing::open_test_store(GetParam(), where);  // no migration twice
  Store& store = *reopened;
  store.read([&](StoreReader& r) {
    auto svc = r.service(s.service);
    ASSERT_TRUE(svc);
    EXPECT_EQ(svc->name, "Carte d'identité");
    EXPECT_EQ(svc->keywords, (std::vector<std::string>{"CNI", "passeport"}));
    EXPECT_TRUE(svc->modes.has(Mode::kInPerson));
    auto agent = r.agent(s.agent);
    ASSERT_TRUE(agent);
    EXPECT_EQ(agent->organisation_ids, std::vector<Id>{s.org});
    auto openings = r.agenda().openings_for_service(
        s.service, {utc("2026-12-01T00:00:00Z"), utc("2026-12-31T00:00:00Z")}, std::nullopt);
    ASSERT_EQ(openings.size(), 1u);
    EXPECT_EQ(openings[0].period.rrule, "FREQ=WEEKLY;COUNT=4");
    EXPECT_EQ(openings[0].period.exdates, std::vector<LocalDateTime>{local("2026-12-08T09:00")});
    EXPECT_EQ(std::string(openings[0].period.zone->name()), "Europe/Paris");
    EXPECT_FALSE(r.service(12345));
  });
}

TEST_P(StoreContract, WindowQueriesSkipRulesThatEnded) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  store.read([&](StoreReader& r) {
    // COUNT=4 from 1 December: the last occurrence ends on 22 December.
    EXPECT_TRUE(
        r.agenda()
            .openings_for_service(
                s.service, {utc("2027-01-01T00:00:00Z"), utc("2027-02-01T00:00:00Z")}, std::nullopt)
            .empty());
    EXPECT_TRUE(
        r.agenda()
            .openings_for_service(
                s.service, {utc("2026-11-01T00:00:00Z"), utc("2026-11-30T00:00:00Z")}, std::nullopt)
            .empty());
    EXPECT_TRUE(
        r.agenda()
            .openings_for_service(
                s.service, {utc("2026-12-01T00:00:00Z"), utc("2026-12-31T00:00:00Z")}, s.agent + 1)
            .empty());
  });
}

TEST_P(StoreContract, SearchIsAccentAndCaseInsensitive) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  store.read([&](StoreReader& r) {
    EXPECT_EQ(r.directory().search_services({"identite"}, std::nullopt, 10).size(), 1u);
    EXPECT_EQ(r.directory().search_services({"cni"}, std::nullopt, 10).size(), 1u);
    EXPECT_EQ(r.directory().search_services({"begles"}, std::nullopt, 10).size(),
              1u);  // organisation
    EXPECT_EQ(r.directory().search_services({"carte", "passeport"}, std::nullopt, 10).size(), 1u);
    EXPECT_TRUE(r.directory().search_services({"carte", "grise"}, std::nullopt, 10).empty());
    EXPECT_TRUE(r.directory().search_services({"identite"}, Mode::kVideo, 10).empty());
    EXPECT_EQ(r.directory().places_offering(s.service, "33").size(), 1u);
    EXPECT_TRUE(r.directory().places_offering(s.service, "75").empty());
  });
}

TEST_P(StoreContract, DatabaseRefusesOverlappingConfirmedBookings) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  store.write([&](StoreWriter& tx) {
    tx.bookings().insert(booking_at(s, "2026-12-01T08:00:00Z", "2026-12-01T08:30:00Z"));
  });
  EXPECT_THROW(store.write([&](StoreWriter& tx) {
    tx.bookings().insert(booking_at(s, "2026-12-01T08:15:00Z", "2026-12-01T08:45:00Z"));
  }),
               SlotTakenError);
  // Back to back is fine; a cancelled booking blocks nothing.
  store.write([&](StoreWriter& tx) {
    tx.bookings().insert(booking_at(s, "2026-12-01T08:30:00Z", "2026-12-01T09:00:00Z"));
    auto cancelled = booking_at(s, "2026-12-01T09:00:00Z", "2026-12-01T09:30:00Z");
    cancelled.status = BookingStatus::kCancelled;
    tx.bookings().insert(cancelled);
    tx.bookings().insert(booking_at(s, "2026-12-01T09:00:00Z", "2026-12-01T09:30:00Z"));
  });
  store.read([&](StoreReader& r) {
    auto found = r.bookings().holding_time(
        {s.agent}, {utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")});
    EXPECT_EQ(found.size(), 3u);
  });
}

TEST_P(StoreContract, DatabaseCapsGroupSessionSeats) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  auto seat = booking_at(s, "2026-12-01T13:00:00Z", "2026-12-01T15:00:00Z");
  seat.capacity = 3;
  for (int i = 0; i < 3; ++i) store.write([&](StoreWriter& tx) { tx.bookings().insert(seat); });
  EXPECT_THROW(store.write([&](StoreWriter& tx) { tx.bookings().insert(seat); }), SlotTakenError);
}

TEST_P(StoreContract, WriteRollsBackOnError) {
  auto owned = fresh_store();
  Store& store = *owned;
  EXPECT_THROW(store.write([&](StoreWriter& tx) {
    tx.directory().insert_organisation({0, "Temporaire", "commune", "Europe/Paris"});
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  store.read([&](StoreReader& r) { EXPECT_TRUE(r.directory().is_empty()); });
}

// A service's capacity raised from 1: the booking already made at a start
// is the first seat of that session, on every store.
TEST_P(StoreContract, RaisingACapacityMakesTheBookingThereTheFirstSeat) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  auto at = [&] { return booking_at(s, "2026-12-01T13:00:00Z", "2026-12-01T15:00:00Z"); };
  store.write([&](StoreWriter& tx) { tx.bookings().insert(at()); });  // capacity 1
  auto seat = at();
  seat.capacity = 3;
  for (int i = 0; i < 2; ++i) store.write([&](StoreWriter& tx) { tx.bookings().insert(seat); });
  EXPECT_THROW(store.write([&](StoreWriter& tx) { tx.bookings().insert(seat); }), SlotTakenError);
}

// Links sign a row's id: an id given once is never given again, even after
// the row with the largest id was deleted (retention, purges).
TEST_P(StoreContract, IdsOfDeletedRowsAreNeverGivenAgain) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  Id first_booking = 0, first_link = 0;
  store.write([&](StoreWriter& tx) {
    first_booking =
        tx.bookings().insert(booking_at(s, "2026-12-01T08:00:00Z", "2026-12-01T08:30:00Z"));
    first_link = tx.residents().insert_link(
        {0, "lea@example.fr", "", utc("2026-12-01T08:00:00Z"), utc("2026-12-01T09:00:00Z"), {}});
    tx.residents().set_link_token_hash(first_link, "hash-1");
  });
  store.write([&](StoreWriter& tx) {
    tx.bookings().delete_ended_before(utc("2027-01-01T00:00:00Z"));
    tx.residents().purge(utc("2027-01-01T00:00:00Z"));
  });
  store.write([&](StoreWriter& tx) {
    EXPECT_GT(tx.bookings().insert(booking_at(s, "2026-12-01T08:00:00Z", "2026-12-01T08:30:00Z")),
              first_booking);
    Id link = tx.residents().insert_link(
        {0, "jean@example.fr", "", utc("2026-12-01T08:00:00Z"), utc("2026-12-01T09:00:00Z"), {}});
    EXPECT_GT(link, first_link);
  });
}

// Mailboxes match with ASCII letters folded and nothing else, on every store:
// PostgreSQL's lower() would also fold É, by the database's locale.
TEST_P(StoreContract, MailboxesMatchWithAsciiCaseFoldedOnly) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  const Instant now = utc("2026-11-30T08:00:00Z");
  store.write([&](StoreWriter& tx) {
    auto b = booking_at(s, "2026-12-01T08:00:00Z", "2026-12-01T08:30:00Z");
    b.resident.email = "jean@\u00c9cole.fr";  // a UTF-8 domain, É upper case
    tx.bookings().insert(b);
    tx.residents().insert_link({0, "jean@\u00c9cole.fr", "", now, now + std::chrono::hours(1), {}});
  });
  store.read([&](StoreReader& r) {
    EXPECT_EQ(r.bookings().of_contact("JEAN@\u00c9cole.fr", "").size(), 1u);
    EXPECT_EQ(r.bookings().of_contact("jean@\u00e9cole.fr", "").size(), 0u);
    EXPECT_EQ(r.bookings().open_of_contact(s.service, "Jean@\u00c9cole.fr", "", now), 1);
    EXPECT_EQ(r.bookings().open_of_contact(s.service, "jean@\u00e9cole.fr", "", now), 0);
    EXPECT_EQ(r.residents().links_since("JEAN@\u00c9cole.fr", "", now), 1);
    EXPECT_EQ(r.residents().links_since("jean@\u00e9cole.fr", "", now), 0);
  });
}

// A booking under the limit per contact counts the contact's open bookings
// and inserts in one round trip on PostgreSQL: the count is the one before
// the insert, and an overlap is refused as by insert().
TEST_P(StoreContract, InsertCountingContactCountsTheOpenBookingsBeforeItsInsert) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  const Instant now = utc("2026-11-30T08:00:00Z");
  CountedInsert first, second;
  store.write([&](StoreWriter& tx) {
    first = tx.insert_counting_contact(
        booking_at(s, "2026-12-01T08:00:00Z", "2026-12-01T08:30:00Z"), now);
    Booking again = booking_at(s, "2026-12-01T09:00:00Z", "2026-12-01T09:30:00Z");
    again.resident.email = "LEA@example.fr";
    second = tx.insert_counting_contact(again, now);
  });
  EXPECT_EQ(first.open_of_contact, 0);
  EXPECT_EQ(second.open_of_contact, 1);
  EXPECT_GT(second.id, first.id);
  EXPECT_THROW(store.write([&](StoreWriter& tx) {
    tx.insert_counting_contact(booking_at(s, "2026-12-01T08:15:00Z", "2026-12-01T08:45:00Z"), now);
  }),
               SlotTakenError);
  store.read([&](StoreReader& r) {
    ASSERT_TRUE(r.booking(second.id));
    EXPECT_EQ(r.booking(second.id)->start, utc("2026-12-01T09:00:00Z"));
    EXPECT_EQ(r.bookings().open_of_contact(s.service, "lea@example.fr", "", now), 2);
  });
}

// Memberships have no id of their own: every store gives them by role, then
// organisation, then territory, whatever order they were written in.
TEST_P(StoreContract, MembershipsComeInOneOrder) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  Id other = 0, account = 0;
  store.write([&](StoreWriter& tx) {
    other = tx.directory().insert_organisation({0, "CCAS de Bègles", "ccas", "Europe/Paris"});
    Account a;
    a.name = "Claire Martin";
    a.email = "claire@example.fr";
    a.created_at = utc("2026-11-30T08:00:00Z");
    a.memberships = {{Role::kOrgAdmin, other, std::nullopt},
                     {Role::kAgent, other, std::nullopt},
                     {Role::kAdmin, std::nullopt, std::nullopt},
                     {Role::kAgent, s.org, std::nullopt}};
    account = tx.accounts().insert_account(a);
  });
  store.read([&](StoreReader& r) {
    auto a = r.accounts().account(account);
    ASSERT_TRUE(a);
    std::vector<Membership> expected = {{Role::kAdmin, std::nullopt, std::nullopt},
                                        {Role::kAgent, s.org, std::nullopt},
                                        {Role::kAgent, other, std::nullopt},
                                        {Role::kOrgAdmin, other, std::nullopt}};
    EXPECT_EQ(a->memberships, expected);
  });
}

// A service stays in its organisation: an update naming another one changes
// nothing, not even the search text built from the organisation's name.
TEST_P(StoreContract, AServiceNeverMovesToAnotherOrganisation) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  store.write([&](StoreWriter& tx) {
    Id other = tx.directory().insert_organisation({0, "CCAS de Talence", "ccas", "Europe/Paris"});
    Service moved = *tx.directory().service(s.service);
    moved.organisation_id = other;
    moved.name = "Déménagée";
    tx.directory().update_service(moved);
  });
  store.read([&](StoreReader& r) {
    auto kept = r.directory().service(s.service);
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->organisation_id, s.org);
    EXPECT_EQ(kept->name, "Carte d'identité");
    EXPECT_TRUE(r.directory().search_services({"talence"}, std::nullopt, 10).empty());
  });
  store.write([&](StoreWriter& tx) {
    Service renamed = *tx.directory().service(s.service);
    renamed.name = "Passeport";
    tx.directory().update_service(renamed);
  });
  store.read(
      [&](StoreReader& r) { EXPECT_EQ(r.directory().service(s.service)->name, "Passeport"); });
}

// Writes queued behind another are committed in one transaction, and each
// behaves as if it ran alone: it sees the writes before it, and what it
// throws (before any statement, after writing, or an error of the database
// itself: an overlapping booking) rolls back its own writes only and reaches
// its own caller. The group's first write is refused by the database (its
// savepoint was set with the BEGIN); some begin with reads sent together
// (the service's context), which on PostgreSQL carry the write's savepoint.
TEST_P(StoreContract, WritesThatArriveTogetherAreCommittedTogetherEachAsIfAlone) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  const auto before = store.writes();
  Id temporary = 0;
  auto insert_at = [&](const char* start, const char* end) {
    return [&, start, end](StoreWriter& tx) { tx.bookings().insert(booking_at(s, start, end)); };
  };
  auto read_then_insert_at = [&](const char* start, const char* end) {
    return [&, start, end](StoreWriter& tx) {
      ASSERT_TRUE(context_of(tx, s.service, std::nullopt));
      tx.bookings().insert(booking_at(s, start, end));
    };
  };
  std::atomic<bool> go{false};
  std::vector<std::function<void(StoreWriter&)>> writes = {
      [&](StoreWriter& tx) {  // open until the others are queued behind
        while (!go) std::this_thread::yield();
        tx.bookings().insert(booking_at(s, "2026-12-01T08:00:00Z", "2026-12-01T08:30:00Z"));
      },
      insert_at("2026-12-01T08:15:00Z", "2026-12-01T08:45:00Z"),  // the write before holds 8:15
      read_then_insert_at("2026-12-01T09:00:00Z", "2026-12-01T09:30:00Z"),
      [&](StoreWriter&) { throw std::runtime_error("before any statement"); },
      [&](StoreWriter& tx) {
        temporary =
            tx.directory().insert_organisation({0, "Temporaire", "commune", "Europe/Paris"});
        throw std::runtime_error("boom");
      },
      insert_at("2026-12-01T09:15:00Z", "2026-12-01T09:45:00Z"),  // the one before holds 9:15
      read_then_insert_at("2026-12-01T10:00:00Z", "2026-12-01T10:30:00Z"),
  };
  std::vector<std::string> outcome(writes.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < writes.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        store.write(writes[i]);
      } catch (const SlotTakenError&) {
        outcome[i] = "slot taken";
      } catch (const std::exception& e) {
        outcome[i] = e.what();
      }
    });
    while (store.writes().waiting < i + 1) std::this_thread::yield();  // queued in this order
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(outcome, (std::vector<std::string>{"", "slot taken", "", "before any statement", "boom",
                                               "slot taken", ""}));
  store.read([&](StoreReader& r) {
    auto held = r.bookings().holding_time(
        {s.agent}, {utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")});
    ASSERT_EQ(held.size(), 3u);
    EXPECT_EQ(held[0].start, utc("2026-12-01T08:00:00Z"));
    EXPECT_EQ(held[1].start, utc("2026-12-01T09:00:00Z"));
    EXPECT_EQ(held[2].start, utc("2026-12-01T10:00:00Z"));
    EXPECT_NE(temporary, 0);
    EXPECT_FALSE(r.organisation(temporary));
  });
  const auto after = store.writes();
  EXPECT_EQ(after.writes - before.writes, 7u);
  EXPECT_EQ(after.groups - before.groups, 2u);  // the first alone, then the six together
  EXPECT_EQ(after.waiting, 0u);
}

// A write whose last statement the database refuses after the write
// returned (on PostgreSQL its jobs go with the next write's first statement:
// here a payload jsonb refuses, NUL) is never reported made without being
// stored, nor is any write of its group: each write's answer says whether its
// booking is there. (On SQLite the jobs are written at once and such a
// payload is stored.)
TEST_P(StoreContract, NoWriteOfAGroupIsReportedMadeUnlessItIsStored) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  Job refused;
  refused.kind = JobKind::kEmail;
  refused.idempotency_key = "refused";
  refused.payload = std::string("a\0b", 3);
  refused.run_at = refused.created_at = utc("2026-11-30T08:00:00Z");
  refused.max_attempts = 1;
  const std::vector<const char*> starts = {"2026-12-01T08:00:00Z", "2026-12-01T09:00:00Z",
                                           "2026-12-01T10:00:00Z"};
  auto insert_at = [&](const char* start) {
    Booking b = booking_at(s, start, start);
    b.end = b.start + std::chrono::minutes{30};
    return b;
  };
  std::atomic<bool> go{false};
  std::vector<std::function<void(StoreWriter&)>> writes = {
      [&](StoreWriter&) {  // open until the others are queued behind
        while (!go) std::this_thread::yield();
      },
      [&](StoreWriter& tx) {
        ASSERT_TRUE(context_of(tx, s.service, std::nullopt));
        tx.bookings().insert(insert_at(starts[0]));
        tx.jobs().enqueue({refused});
      },
      // As bookings do, each begins with the reads of the write before: on
      // PostgreSQL what waits rides in their batch.
      [&](StoreWriter& tx) {
        ASSERT_TRUE(context_of(tx, s.service, std::nullopt));
        tx.bookings().insert(insert_at(starts[1]));
      },
      [&](StoreWriter& tx) {
        ASSERT_TRUE(context_of(tx, s.service, std::nullopt));
        tx.bookings().insert(insert_at(starts[2]));
      },
  };
  std::vector<int> made(writes.size(), 0);  // not vector<bool>: each thread writes its own
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < writes.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        store.write(writes[i]);
        made[i] = 1;
      } catch (const std::exception&) {
      }
    });
    while (store.writes().waiting < i + 1) std::this_thread::yield();  // queued in this order
  }
  go = true;
  for (auto& t : threads) t.join();
  store.read([&](StoreReader& r) {
    for (std::size_t i = 0; i < starts.size(); ++i) {
      Instant start = utc(starts[i]);
      bool stored =
          !r.bookings().holding_time({s.agent}, {start, start + std::chrono::minutes{1}}).empty();
      EXPECT_EQ(made[i + 1] == 1, stored) << starts[i];
    }
  });
  if (GetParam() == testing::StoreKind::kPostgres) {
    EXPECT_EQ(made[1], 0) << "the database refused its jobs";
  }
}

std::string describe(const AgendaRows& rows) {
  std::string out;
  for (const Opening& o : rows.openings) {
    out += "opening " + std::to_string(o.id) + " of " + std::to_string(o.agent_id) + " for";
    for (Id s : o.service_ids) out += " " + std::to_string(s);
    out += " at " + format_local(o.period.start) + " " + o.period.rrule + "\n";
  }
  for (const Absence& a : rows.absences)
    out += "absence " + std::to_string(a.id) + " of " + std::to_string(a.agent_id) + " at " +
           format_local(a.period.start) + " " + a.reason + "\n";
  for (const HeldTime& h : rows.held)
    out += "held by " + std::to_string(h.booking_id) + " of " + std::to_string(h.agent_id) +
           " from " + std::to_string(to_epoch(h.blocked.start)) + "\n";
  for (auto [agent, version] : rows.busy_versions)
    out += "busy version of " + std::to_string(agent) + ": " + std::to_string(version) + "\n";
  return out;
}

// A slot search's rows read at once (on PostgreSQL in one or two round
// trips) are those the parts give one read after the other.
TEST_P(StoreContract, AgendaRowsAreWhatThePartsReadOneAfterTheOther) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  Id second = 0, third = 0, gone = 0;
  store.write([&](StoreWriter& tx) {
    second =
        tx.directory().insert_agent({0, "Paul Roy", "paul@example.fr", "", "secret-2", {s.org}});
    third = tx.directory().insert_agent({0, "Ana Lima", "ana@example.fr", "", "secret-3", {s.org}});
    gone = tx.directory().insert_agent({0, "Léo Parti", "leo@example.fr", "", "secret-4", {s.org}});
    RepeatingPeriod wednesdays{local("2026-12-02T14:00"),
                               local("2026-12-02T17:00"),
                               zone_named("Europe/Paris"),
                               "FREQ=WEEKLY",
                               {}};
    tx.agenda().insert_opening(in_person_opening(s, second, wednesdays));
    // Someone who left offers nothing.
    tx.agenda().insert_opening(in_person_opening(s, gone, wednesdays));
    Account left;
    left.name = "Léo Parti";
    left.email = "leo@example.fr";
    left.status = AccountStatus::kDeactivated;
    left.agent_id = gone;
    tx.accounts().insert_account(left);
    auto absence = [&](Id agent, const char* start, const char* end, const char* reason) {
      Absence a;
      a.agent_id = agent;
      a.period = {local(start), local(end), zone_named("Europe/Paris"), "", {}};
      a.reason = reason;
      tx.agenda().insert_absence(a);
    };
    absence(s.agent, "2026-12-15T09:00", "2026-12-15T12:00", "formation");
    absence(second, "2026-11-29T09:00", "2026-11-29T12:00", "before the openings' window");
    absence(third, "2026-12-15T09:00", "2026-12-15T12:00", "offers nothing");
    absence(gone, "2026-12-15T09:00", "2026-12-15T12:00", "left");
    tx.bookings().insert(booking_at(s, "2026-12-01T08:00:00Z", "2026-12-01T08:30:00Z"));
    Booking theirs = booking_at(s, "2026-11-29T13:00:00Z", "2026-11-29T13:30:00Z");
    theirs.agent_id = second;
    tx.bookings().insert(theirs);
    ExternalCalendar c;
    c.agent_id = second;
    c.url = "https://cal.example.fr/paul.ics";
    Id calendar = tx.calendars().insert(c);
    tx.calendars().replace_busy(calendar, second,
                                {{utc("2026-12-03T10:00:00Z"), utc("2026-12-03T11:00:00Z")}});
  });
  AgendaQuery everyone{s.service,
                       {utc("2026-11-30T00:00:00Z"), utc("2026-12-31T00:00:00Z")},
                       {utc("2026-11-28T00:00:00Z"), utc("2027-01-01T00:00:00Z")},
                       std::nullopt};
  AgendaQuery named = everyone, no_openings = everyone, unknown_service = everyone;
  named.agent_id = second;
  no_openings.agent_id = third;
  unknown_service.service_id = 999;
  auto name = [](Id id) { return " of " + std::to_string(id); };
  store.read([&](StoreReader& r) {
    std::string all = describe(r.agenda_rows(everyone));
    EXPECT_EQ(all, describe(agenda_rows_of_parts(r, everyone)));
    for (const std::string& expected :
         {"opening 1" + name(s.agent), "opening 2" + name(second), "absence 1" + name(s.agent),
          "absence 2" + name(second), "held by 1" + name(s.agent), "held by 2" + name(second),
          "busy version" + name(s.agent) + ": 0", "busy version" + name(second) + ": 1"})
      EXPECT_NE(all.find(expected), std::string::npos) << expected << " in\n" << all;
    EXPECT_EQ(all.find(name(third)), std::string::npos) << all;
    EXPECT_EQ(all.find(name(gone)), std::string::npos) << all;

    std::string theirs = describe(r.agenda_rows(named));
    EXPECT_EQ(theirs, describe(agenda_rows_of_parts(r, named)));
    for (const std::string& expected : {"opening 2" + name(second), "absence 2" + name(second),
                                        "held by 2" + name(second), "busy version" + name(second)})
      EXPECT_NE(theirs.find(expected), std::string::npos) << expected << " in\n" << theirs;
    EXPECT_EQ(theirs.find(name(s.agent)), std::string::npos) << theirs;

    EXPECT_EQ(describe(r.agenda_rows(no_openings)), "") << "an agent with no opening has no rows";
    AgendaQuery left = everyone;
    left.agent_id = gone;
    EXPECT_EQ(describe(r.agenda_rows(left)), "") << "nor one who left";
    EXPECT_EQ(describe(r.agenda_rows(unknown_service)), "");

    // Read with the service's context, the same rows.
    for (const AgendaQuery& q : {everyone, named, no_openings}) {
      ServiceAndAgenda both = r.service_and_agenda(s.service, s.place, q);
      EXPECT_EQ(describe(both.agenda), describe(r.agenda_rows(q)));
      ASSERT_TRUE(both.context);
      EXPECT_EQ(both.context->service.id, s.service);
      EXPECT_EQ(both.context->organisation.id, s.org);
      ASSERT_TRUE(both.context->place);
      EXPECT_EQ(both.context->place->id, s.place);
      // And the agent the query names, as the directory reads them.
      if (q.agent_id) {
        ASSERT_TRUE(both.agent);
        std::optional<Agent> alone = r.agent(*q.agent_id);
        EXPECT_EQ(both.agent->id, alone->id);
        EXPECT_EQ(both.agent->email, alone->email);
        EXPECT_EQ(both.agent->organisation_ids, std::vector<Id>{s.org});
      } else {
        EXPECT_FALSE(both.agent);
      }
    }
    AgendaQuery nobody = named;
    nobody.agent_id = 999;
    EXPECT_FALSE(r.service_and_agenda(s.service, s.place, nobody).agent);
    ServiceAndAgenda none = r.service_and_agenda(999, std::nullopt, unknown_service);
    EXPECT_FALSE(none.context);
    EXPECT_EQ(describe(none.agenda), "");
  });
}

TEST_P(StoreContract, ServiceContextIsTheServiceItsOrganisationItsWebhooksAndThePlaceAsked) {
  auto owned = fresh_store();
  Store& store = *owned;
  Seed s = seed(store);
  Id caf = 0, allocation = 0, caf_place = 0;
  store.write([&](StoreWriter& tx) {
    // Another organisation, whose service's id is not its own: the context's
    // organisation is the service's.
    tx.directory().insert_organisation({0, "Préfecture", "etat", "Europe/Paris"});
    caf = tx.directory().insert_organisation({0, "CAF", "caf", "America/Cayenne"});
    Service svc;
    svc.organisation_id = caf;
    svc.name = "Allocations";
    svc.modes.add(Mode::kPhone);
    allocation = tx.directory().insert_service(svc);
    Place p;
    p.organisation_id = caf;
    p.name = "Agence de Cayenne";
    p.timezone = "America/Cayenne";
    caf_place = tx.directory().insert_place(p);
    // Webhooks of both organisations: each context holds its own, by id.
    Instant at = utc("2026-01-01T00:00:00Z");
    tx.directory().insert_webhook({0, caf, "https://caf.example/b", "k", {WebhookEvent::kCreated}},
                                  at);
    tx.directory().insert_webhook({0, s.org, "https://mairie.example", "k", {}}, at);
    tx.directory().insert_webhook({0, caf, "https://caf.example/a", "k", {}}, at);
  });
  ASSERT_NE(allocation, caf);
  ASSERT_NE(caf_place, caf);
  store.read([&](StoreReader& r) {
    auto both = context_of(r, s.service, s.place);
    ASSERT_TRUE(both);
    EXPECT_EQ(both->service.id, s.service);
    EXPECT_EQ(both->service.name, "Carte d'identité");
    EXPECT_EQ(both->organisation.id, s.org);
    EXPECT_EQ(both->organisation.name, "Mairie de Bègles");
    ASSERT_TRUE(both->place);
    EXPECT_EQ(both->place->name, "Hôtel de ville");
    ASSERT_EQ(both->webhooks.size(), 1u);
    EXPECT_EQ(both->webhooks[0].url, "https://mairie.example");

    auto theirs = context_of(r, allocation, caf_place);
    ASSERT_TRUE(theirs);
    EXPECT_EQ(theirs->service.name, "Allocations");
    EXPECT_EQ(theirs->organisation.id, caf);
    EXPECT_EQ(theirs->organisation.timezone, "America/Cayenne");
    ASSERT_TRUE(theirs->place);
    EXPECT_EQ(theirs->place->name, "Agence de Cayenne");
    ASSERT_EQ(theirs->webhooks.size(), 2u);
    EXPECT_EQ(theirs->webhooks[0].url, "https://caf.example/b");
    EXPECT_EQ(theirs->webhooks[0].organisation_id, caf);
    EXPECT_EQ(theirs->webhooks[0].events, std::vector<WebhookEvent>{WebhookEvent::kCreated});
    EXPECT_EQ(theirs->webhooks[1].url, "https://caf.example/a");

    auto no_place = context_of(r, s.service, std::nullopt);
    ASSERT_TRUE(no_place);
    EXPECT_EQ(no_place->organisation.timezone, "Europe/Paris");
    EXPECT_FALSE(no_place->place);
    auto unknown_place = context_of(r, s.service, 999);
    ASSERT_TRUE(unknown_place);
    EXPECT_FALSE(unknown_place->place);
    EXPECT_FALSE(context_of(r, 999, s.place)) << "no such service";
  });
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreContract, testing::kStoreKinds, testing::store_kind_name);

}  // namespace
}  // namespace rdv
