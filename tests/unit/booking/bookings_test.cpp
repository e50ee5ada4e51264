#include "booking/bookings.h"

#include <gtest/gtest.h>

#include "crypto/tokens.h"
#include "domain/error.h"
#include "support/seed.h"
#include "support/test_stores.h"

namespace rdv {
namespace {

Instant utc(const char* s) { return *parse_rfc3339(s); }

// The use cases on every store: the rules hold whatever database is behind.
class BookingsTest : public ::testing::TestWithParam<testing::StoreKind> {
 protected:
  BookingsTest()
      : store_(testing::make_test_store(GetParam(), dir_)),
        clock_(utc("2026-11-27T10:00:00Z")),
        bookings_(*store_, clock_, links_, NotificationPolicy{true, true}) {
    store_->write([&](StoreWriter& tx) {
      testing::SeedOptions o;
      o.modes = {Mode::kInPerson, Mode::kPhone};
      o.min_notice_minutes = 30;
      o.to = "10:00";
      o.rrule = "";
      auto seeded = testing::seed(tx, o);
      organisation_ = seeded.organisation;
      place_ = seeded.place;
      service_ = seeded.service;
      agent_ = seeded.agent;
    });
  }

  BookingRequest request(const char* start) {
    BookingRequest r;
    r.service_id = service_;
    r.start = utc(start);
    r.resident = {"Léa", "Dupont", "lea@example.fr", "+33612345678"};
    return r;
  }

  // An in-person opening of the agent, or an absence, between two local
  // times in Europe/Paris, once.
  Opening opening(Id place, Id service, const char* from, const char* to) const {
    Opening op;
    op.agent_id = agent_;
    op.place_id = place;
    op.service_ids = {service};
    op.modes.add(Mode::kInPerson);
    op.period = {*parse_local_date_time(from),
                 *parse_local_date_time(to),
                 zone_named("Europe/Paris"),
                 "",
                 {}};
    return op;
  }
  Absence absence(const char* from, const char* to) const {
    Absence a;
    a.agent_id = agent_;
    a.period = {*parse_local_date_time(from),
                *parse_local_date_time(to),
                zone_named("Europe/Paris"),
                "",
                {}};
    a.reason = "formation";
    return a;
  }

  // Renders the id and the manage token, as a caller would.
  static BookingAnswer render(StoreReader&, const CreatedBooking& c) {
    return {201, std::to_string(c.booking.id) + " " + c.manage_token};
  }

  CreatedBooking book(const char* start) {
    auto outcome = bookings_.book(request(start), std::nullopt, render);
    auto space = outcome.response.body.find(' ');
    return {*outcome.booking, outcome.response.body.substr(space + 1)};
  }

  static ErrorCode error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const ClientError& e) {
      return e.code();
    }
    ADD_FAILURE() << "no ClientError";
    return ErrorCode::kInvalidInput;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_;
  LinkSigner links_{std::string(64, 'k')};
  Bookings bookings_;
  Id organisation_ = 0, place_ = 0, service_ = 0, agent_ = 0;
};

TEST_P(BookingsTest, BooksAFreeSlotOnceWithASignedManageToken) {
  auto created = book("2026-12-01T08:00:00Z");
  EXPECT_EQ(created.booking.agent_id, agent_);
  EXPECT_EQ(created.booking.end, utc("2026-12-01T08:30:00Z"));
  EXPECT_EQ(created.manage_token.size(), 43u);
  EXPECT_TRUE(links_.is_manage_token(created.booking.id, created.manage_token));
  EXPECT_FALSE(links_.is_manage_token(created.booking.id + 1, created.manage_token));
  store_->read([&](StoreReader& r) {
    auto stored = r.booking(created.booking.id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->agent_id, agent_);
  });
  EXPECT_EQ(error_of([&] { book("2026-12-01T08:00:00Z"); }), ErrorCode::kSlotUnavailable);
  EXPECT_EQ(error_of([&] { book("2026-12-01T08:10:00Z"); }), ErrorCode::kSlotUnavailable);
}

// The answer is rendered with the booking's place (its time zone): the one
// the request named, the one of the slot found otherwise (here the agent's
// second place, on another day), and again on a replay.
TEST_P(BookingsTest, TheAnswerIsRenderedWithTheBookingsPlace) {
  Id second_place = 0;
  store_->write([&](StoreWriter& tx) {
    Place p = *tx.place(place_);
    p.name = "Mairie de Lormont";
    second_place = tx.directory().insert_place(p);
    tx.agenda().insert_opening(
        opening(second_place, service_, "2026-12-02T09:00", "2026-12-02T10:00"));
  });
  std::vector<std::optional<Id>> seen;
  auto remember = [&](StoreReader&, const CreatedBooking& c) {
    seen.push_back(c.place ? std::optional<Id>(c.place->id) : std::nullopt);
    EXPECT_EQ(c.place ? c.place->id : 0, c.booking.place_id);
    return BookingAnswer{201, ""};
  };
  BookingRequest named = request("2026-12-01T08:00:00Z");
  named.place_id = place_;
  IdempotencyKey key{"client:test:1", "request-hash"};
  bookings_.book(named, key, remember);
  bookings_.book(request("2026-12-02T08:00:00Z"), std::nullopt, remember);
  auto replay = bookings_.book(named, key, remember);
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(seen, (std::vector<std::optional<Id>>{place_, second_place, place_}));
}

std::vector<std::string> keys(Store& store) {
  std::vector<std::string> out;
  store.read([&](StoreReader& r) {
    for (const Job& j : r.jobs().with_status(JobStatus::kPending, 100))
      out.push_back(j.idempotency_key);
  });
  std::sort(out.begin(), out.end());
  return out;
}

TEST_P(BookingsTest, EveryChangeWritesItsMessagesInTheSameTransaction) {
  auto created =
      book("2026-12-01T08:00:00Z");  // resident with email and phone; agent without email
  std::string id = std::to_string(created.booking.id);
  std::string at = "at" + std::to_string(to_epoch(utc("2026-12-01T08:00:00Z")));
  EXPECT_EQ(keys(*store_), (std::vector<std::string>{
                               "booking:" + id + ":after_visit:resident:email:" + at,
                               "booking:" + id + ":confirmation:resident:email:seq0",
                               "booking:" + id + ":confirmation:resident:sms:seq0",
                               "booking:" + id + ":reminder:resident:email:m120:" + at,
                               "booking:" + id + ":reminder:resident:email:m2880:" + at,
                               "booking:" + id + ":reminder:resident:sms:m120:" + at,
                               "booking:" + id + ":reminder:resident:sms:m2880:" + at,
                           }));
  bookings_.cancel(created.booking.id, Actor::kResident, "");
  auto after_cancel = keys(*store_);
  EXPECT_EQ(after_cancel.size(), 9u);
  EXPECT_TRUE(std::count(after_cancel.begin(), after_cancel.end(),
                         "booking:" + id + ":cancellation:resident:email:seq1"));
  // A failed booking writes nothing.
  EXPECT_THROW(book("2026-12-01T08:10:00Z"), ClientError);
  EXPECT_EQ(keys(*store_).size(), 9u);
}

// A new booking calls its organisation's webhooks that take booking.created
// (read with the service, in one round trip on PostgreSQL), not another's.
TEST_P(BookingsTest, ANewBookingCallsItsOrganisationsWebhooks) {
  Id created_hook = 0, cancelled_hook = 0, other_hook = 0;
  store_->write([&](StoreWriter& tx) {
    Id other = tx.directory().insert_organisation({0, "CAF", "caf", "Europe/Paris"});
    Instant now = clock_.now();
    other_hook = tx.directory().insert_webhook(
        {0, other, "https://caf.example/hook", "k", {WebhookEvent::kCreated}}, now);
    created_hook = tx.directory().insert_webhook(
        {0, organisation_, "https://crm.example/created", "k", {WebhookEvent::kCreated}}, now);
    cancelled_hook = tx.directory().insert_webhook(
        {0, organisation_, "https://crm.example/cancelled", "k", {WebhookEvent::kCancelled}}, now);
  });
  auto created = book("2026-12-01T08:00:00Z");
  std::vector<std::string> webhook_jobs;
  for (const std::string& k : keys(*store_))
    if (k.starts_with("webhook:")) webhook_jobs.push_back(k);
  // Neither the booking.cancelled hook (cancelled_hook) nor another
  // organisation's (other_hook).
  EXPECT_EQ(webhook_jobs,
            std::vector<std::string>{"webhook:" + std::to_string(created_hook) + ":booking:" +
                                     std::to_string(created.booking.id) + ":booking.created:seq0"})
      << "not " << cancelled_hook << " nor " << other_hook;
}

// The agent hears of a new booking, read with the service when the request
// names them (one round trip on PostgreSQL), after the slot search otherwise.
TEST_P(BookingsTest, TheAgentHearsOfANewBookingWhetherTheRequestNamesThemOrNot) {
  store_->write([&](StoreWriter& tx) {
    Agent a = *tx.agent(agent_);
    a.email = "claire@example.fr";
    tx.directory().update_agent(a);
  });
  BookingRequest named = request("2026-12-01T08:00:00Z");
  named.agent_id = agent_;
  Id first = bookings_.book(named, std::nullopt, render).booking->id;
  Id second = book("2026-12-01T08:30:00Z").booking.id;
  for (Id id : {first, second}) {
    const std::string key = "booking:" + std::to_string(id) + ":confirmation:agent:email:seq0";
    auto all = keys(*store_);
    EXPECT_TRUE(std::count(all.begin(), all.end(), key)) << key;
  }
}

// What the caller read is trusted for the booking's own agent only.
TEST_P(BookingsTest, PlanningUsesTheAgentItsCallerReadWhenItIsTheBookingsAgent) {
  store_->write([&](StoreWriter& tx) {
    Agent a = *tx.agent(agent_);
    a.email = "claire@example.fr";
    tx.directory().update_agent(a);
  });
  Booking b;
  b.id = 7001;
  b.agent_id = agent_;
  b.service_id = service_;
  b.start = utc("2026-12-01T08:00:00Z");
  b.end = utc("2026-12-01T08:30:00Z");
  b.resident = {"Léa", "Dupont", "lea@example.fr", ""};
  const Agent read_before_the_email{agent_, "Claire", "", "", "", {organisation_}};
  const Agent someone_else{agent_ + 100, "Paul", "", "", "", {organisation_}};
  store_->write([&](StoreWriter& tx) {
    Service service = *tx.service(service_);
    plan_notifications(tx, NotificationPolicy{true, false}, b, service, BookingEvent::kCreated,
                       clock_.now(), {nullptr, &read_before_the_email});
    b.id = 7002;
    plan_notifications(tx, NotificationPolicy{true, false}, b, service, BookingEvent::kCreated,
                       clock_.now(), {nullptr, &someone_else});
  });
  auto all = keys(*store_);
  EXPECT_FALSE(std::count(all.begin(), all.end(), "booking:7001:confirmation:agent:email:seq0"))
      << "the agent as the caller read them, without an email";
  EXPECT_TRUE(std::count(all.begin(), all.end(), "booking:7002:confirmation:agent:email:seq0"))
      << "another agent's row (without an email) is not the booking's: the agent is read";
}

TEST_P(BookingsTest, CancelFreesTheSlotAndCannotBeRepeated) {
  auto created = book("2026-12-01T08:00:00Z");
  auto cancelled = bookings_.cancel(created.booking.id, Actor::kResident, "empêchement");
  EXPECT_EQ(cancelled.status, BookingStatus::kCancelled);
  EXPECT_EQ(error_of([&] { bookings_.cancel(created.booking.id, Actor::kResident, ""); }),
            ErrorCode::kAlreadyCancelled);
  EXPECT_NO_THROW(book("2026-12-01T08:00:00Z"));
}

TEST_P(BookingsTest, ResidentsCannotCancelTooLate) {
  auto created = book("2026-12-01T08:00:00Z");
  clock_.set(utc("2026-12-01T05:00:00Z"));  // three hours before, default limit is four
  EXPECT_EQ(error_of([&] { bookings_.cancel(created.booking.id, Actor::kResident, ""); }),
            ErrorCode::kCancellationClosed);
  EXPECT_NO_THROW(bookings_.cancel(created.booking.id, Actor::kStaff, "agent"));
}

TEST_P(BookingsTest, RescheduleIsAtomic) {
  auto first = book("2026-12-01T08:00:00Z");
  auto second = book("2026-12-01T08:30:00Z");
  // The target is taken: nothing changes.
  EXPECT_EQ(error_of([&] {
              bookings_.reschedule(first.booking.id, utc("2026-12-01T08:30:00Z"), std::nullopt,
                                   Actor::kResident);
            }),
            ErrorCode::kSlotUnavailable);
  store_->read([&](StoreReader& r) {
    EXPECT_EQ(r.booking(first.booking.id)->start, utc("2026-12-01T08:00:00Z"));
  });
  bookings_.cancel(second.booking.id, Actor::kResident, "");
  auto moved = bookings_.reschedule(first.booking.id, utc("2026-12-01T08:30:00Z"), std::nullopt,
                                    Actor::kResident);
  EXPECT_EQ(moved.start, utc("2026-12-01T08:30:00Z"));
  EXPECT_NO_THROW(book("2026-12-01T08:00:00Z"));  // the old slot is free again
}

// A booking reads its agent's agenda before it knows its service, as widely
// as the longest service the API accepts needs; a longer one (a row written
// by other means) reads it again around its own slot.
TEST(BookingAgenda, ReadAheadCoversEveryServiceTheApiAccepts) {
  Service longest;
  longest.id = 7;
  longest.duration_minutes = kMaxServiceMinutes;
  longest.buffer_before_minutes = kMaxBufferMinutes;
  longest.buffer_after_minutes = kMaxBufferMinutes;
  TimeRange at{utc("2026-12-01T08:00:00Z"), utc("2026-12-01T08:00:01Z")};
  for (std::optional<Id> agent : {std::optional<Id>{}, std::optional<Id>{3}}) {
    AgendaQuery ahead = agenda_for_any_service(longest.id, at, agent);
    EXPECT_TRUE(covers(ahead, agenda_query(SlotRules::of(longest), at, agent)));
    Service longer = longest;
    ++longer.duration_minutes;
    EXPECT_FALSE(covers(ahead, agenda_query(SlotRules::of(longer), at, agent)));
    longer = longest;
    ++longer.buffer_after_minutes;
    EXPECT_FALSE(covers(ahead, agenda_query(SlotRules::of(longer), at, agent)));
    EXPECT_FALSE(covers(ahead, agenda_query(SlotRules::of(longest), at, Id{4})));
  }
}

// A search given rows read ahead uses them when they cover its own query (here
// they hold no opening, so no slot), and reads the store otherwise.
TEST_P(BookingsTest, ASearchUsesRowsReadAheadOnlyWhenTheyCoverItsQuery) {
  TimeRange at{utc("2026-12-01T08:00:00Z"), utc("2026-12-01T08:00:01Z")};
  store_->read([&](StoreReader& r) {
    Service s = *r.service(service_);
    AgendaReadAhead empty{agenda_for_any_service(service_, at, agent_), {}};
    EXPECT_TRUE(find_slots(r, s, at, clock_.now(), {}, agent_, std::nullopt, empty).empty());
    AgendaReadAhead narrower{agenda_query(SlotRules::of(s), at, agent_), {}};
    narrower.query.busy_window.end -= std::chrono::seconds{1};
    EXPECT_FALSE(find_slots(r, s, at, clock_.now(), {}, agent_, std::nullopt, narrower).empty());
  });
  // Rows only the wider query reads (the next day's absence) do not count.
  store_->write([&](StoreWriter& tx) {
    tx.agenda().insert_absence(absence("2026-12-02T10:00", "2026-12-02T11:00"));
  });
  EXPECT_NO_THROW(book("2026-12-01T08:00:00Z"));
}

TEST_P(BookingsTest, AServiceLongerThanTheApiAllowsStillSeesItsWholeSlot) {
  Id two_days = 0, absent = 0;
  store_->write([&](StoreWriter& tx) {
    Service s = *tx.service(service_);
    s.name = "Accompagnement sur deux jours";
    s.duration_minutes = 48 * 60;
    two_days = tx.directory().insert_service(s);
    tx.agenda().insert_opening(opening(place_, two_days, "2026-12-01T09:00", "2026-12-03T12:00"));
    // 47 hours after the start: beyond what a booking reads before it knows
    // its service.
    absent = tx.agenda().insert_absence(absence("2026-12-03T08:00", "2026-12-03T08:30"));
  });
  BookingRequest named = request("2026-12-01T08:00:00Z");
  named.service_id = two_days;
  named.agent_id = agent_;
  BookingRequest anyone = named;
  anyone.agent_id.reset();
  for (const BookingRequest& r : {named, anyone})
    EXPECT_EQ(error_of([&] { bookings_.book(r, std::nullopt, render); }),
              ErrorCode::kSlotUnavailable);
  store_->write([&](StoreWriter& tx) { tx.agenda().delete_absence(absent); });
  auto created = bookings_.book(named, std::nullopt, render);
  ASSERT_TRUE(created.booking);
  EXPECT_EQ(created.booking->end, utc("2026-12-03T08:00:00Z"));
}

TEST_P(BookingsTest, IdempotencyKeyReplaysAndRefusesAnotherBody) {
  IdempotencyKey key{"public:abc", "hash-1"};
  auto first = bookings_.book(request("2026-12-01T08:00:00Z"), key, render);
  ASSERT_FALSE(first.replayed);
  ASSERT_TRUE(first.booking);
  auto again = bookings_.book(request("2026-12-01T08:00:00Z"), key, render);
  EXPECT_TRUE(again.replayed);
  EXPECT_FALSE(again.booking);
  EXPECT_EQ(again.response.body, first.response.body);
  store_->read([&](StoreReader& r) {
    EXPECT_EQ(
        r.bookings()
            .holding_time({agent_}, {utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")})
            .size(),
        1u);
  });
  IdempotencyKey other{"public:abc", "hash-2"};
  EXPECT_EQ(error_of([&] { bookings_.book(request("2026-12-01T08:30:00Z"), other, render); }),
            ErrorCode::kIdempotencyKeyReused);
  // Keys are forgotten after a day.
  clock_.advance(std::chrono::hours{25});
  auto later = bookings_.book(request("2026-12-01T08:30:00Z"), other, render);
  EXPECT_FALSE(later.replayed);
  EXPECT_TRUE(later.booking);
}

TEST_P(BookingsTest, ValidatesResidentAndMode) {
  auto r = request("2026-12-01T08:00:00Z");
  r.resident.last_name = "";
  EXPECT_EQ(error_of([&] { bookings_.book(r, std::nullopt, render); }), ErrorCode::kInvalidInput);
  r = request("2026-12-01T08:00:00Z");
  r.mode = Mode::kPhone;  // no phone number given
  r.resident.phone = "";
  EXPECT_EQ(error_of([&] { bookings_.book(r, std::nullopt, render); }), ErrorCode::kInvalidInput);
  r.mode = Mode::kVideo;  // not offered
  EXPECT_EQ(error_of([&] { bookings_.book(r, std::nullopt, render); }), ErrorCode::kInvalidInput);
  r = request("2026-12-01T08:00:00Z");
  r.booked_by = BookedBy::kDesk;  // on behalf without mandate
  EXPECT_EQ(error_of([&] { bookings_.book(r, std::nullopt, render); }), ErrorCode::kInvalidInput);
}

TEST_P(BookingsTest, DoneAndNoShowKeepHoldingTheirTime) {
  auto created = book("2026-12-01T08:00:00Z");
  // Before the visit: refused, and the slot stays taken.
  EXPECT_EQ(error_of([&] { bookings_.record_summary(created.booking.id, "vu"); }),
            ErrorCode::kInvalidTransition);
  EXPECT_EQ(error_of([&] { bookings_.mark(created.booking.id, BookingStatus::kDone); }),
            ErrorCode::kInvalidTransition);
  clock_.set(utc("2026-12-01T08:10:00Z"));
  EXPECT_EQ(bookings_.record_summary(created.booking.id, "vu").status, BookingStatus::kDone);
  EXPECT_EQ(error_of([&] { bookings_.mark(created.booking.id, BookingStatus::kNoShow); }),
            ErrorCode::kInvalidTransition);
  store_->read([&](StoreReader& r) {
    auto held = r.bookings().holding_time(
        {agent_}, {utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")});
    ASSERT_EQ(held.size(), 1u);  // a done visit still holds its time
    EXPECT_EQ(held[0].booking_id, created.booking.id);
  });
  // The database itself refuses a second booking over a done one.
  Booking twin = created.booking;
  twin.id = 0;
  twin.status = BookingStatus::kConfirmed;
  EXPECT_THROW(store_->write([&](StoreWriter& tx) { tx.bookings().insert(twin); }), SlotTakenError);
}

TEST_P(BookingsTest, NoShowIsRecordedOnlyAfterTheStartAndHoldsTheSlot) {
  auto created = book("2026-12-01T08:30:00Z");
  clock_.set(utc("2026-12-01T09:10:00Z"));
  EXPECT_EQ(bookings_.mark(created.booking.id, BookingStatus::kNoShow).status,
            BookingStatus::kNoShow);
  Booking twin = created.booking;
  twin.id = 0;
  EXPECT_THROW(store_->write([&](StoreWriter& tx) { tx.bookings().insert(twin); }), SlotTakenError);
  EXPECT_EQ(error_of([&] { bookings_.mark(created.booking.id, BookingStatus::kCancelled); }),
            ErrorCode::kInvalidInput);
}

TEST_P(BookingsTest, ContactsAreNormalisedAndCheckedWhereTheyEnter) {
  auto r = request("2026-12-01T08:00:00Z");
  r.resident.phone = "06 12 34 56 78";
  r.resident.email = "Lea@Example.FR";
  auto made = bookings_.book(r, std::nullopt, render);
  EXPECT_EQ(made.booking->resident.phone, "+33612345678");
  EXPECT_EQ(made.booking->resident.email, "Lea@example.fr");
  for (auto [email, phone] : {std::pair{"lea@example.fr\r\nRCPT TO:<x@evil.example>", ""},
                              std::pair{"", "0899123456"}, std::pair{"", "+33 6 12\n34"}}) {
    r = request("2026-12-01T08:30:00Z");
    r.resident.email = email;
    r.resident.phone = phone;
    if (r.resident.email.empty() && r.resident.phone.empty()) continue;
    EXPECT_EQ(error_of([&] { bookings_.book(r, std::nullopt, render); }), ErrorCode::kInvalidInput)
        << email << phone;
  }
  store_->read([&](StoreReader& rd) {
    EXPECT_EQ(
        rd.bookings()
            .holding_time({agent_}, {utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")})
            .size(),
        1u);
  });
}

TEST_P(BookingsTest, OneContactHoldsAtMostTheConfiguredOpenBookingsPerService) {
  Bookings limited(*store_, clock_, links_, NotificationPolicy{}, BookingLimits{1});
  auto at = [&](const char* start, const char* phone) {
    auto r = request(start);
    r.resident.email = "";
    r.resident.phone = phone;
    return r;
  };
  limited.book(at("2026-12-01T08:00:00Z", "0612345678"), std::nullopt, render);
  // The same number, written otherwise.
  EXPECT_EQ(error_of([&] {
              limited.book(at("2026-12-01T08:30:00Z", "+33 6 12 34 56 78"), std::nullopt, render);
            }),
            ErrorCode::kTooManyBookings);
  // Counted with the insert, which the refusal rolled back: the slot is
  // still free (the staff booking below takes it).
  store_->read(
      [&](StoreReader& r) { EXPECT_EQ(r.bookings().of_contact("", "+33612345678").size(), 1u); });
  // Staff are not limited.
  auto staff = at("2026-12-01T08:30:00Z", "06.12.34.56.78");
  staff.booked_by = BookedBy::kAgent;
  EXPECT_NO_THROW(limited.book(staff, std::nullopt, render));
}

TEST_P(BookingsTest, OneMailboxIsOneContactWhateverItsLetterCase) {
  Bookings limited(*store_, clock_, links_, NotificationPolicy{}, BookingLimits{1});
  auto by_email = [&](const char* start, const char* email) {
    auto r = request(start);
    r.resident.email = email;
    r.resident.phone = "";
    return r;
  };
  limited.book(by_email("2026-12-01T08:00:00Z", "lim@example.org"), std::nullopt, render);
  for (const char* email : {"LIM@example.org", "Lim@Example.Org"})
    EXPECT_EQ(error_of([&] {
                limited.book(by_email("2026-12-01T08:30:00Z", email), std::nullopt, render);
              }),
              ErrorCode::kTooManyBookings)
        << email;
}

TEST_P(BookingsTest, IdempotencyKeepsNoAnswerOnlyTheBookingAndHashes) {
  IdempotencyKey key{"client:203.0.113.9:abc", "hash-1"};
  auto first = bookings_.book(request("2026-12-01T08:00:00Z"), key, render);
  auto again = bookings_.book(request("2026-12-01T08:00:00Z"), key, render);
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.response.body, first.response.body);  // manage token rendered again
  store_->read([&](StoreReader& r) {
    EXPECT_FALSE(r.bookings().idempotent(key.key));  // the key itself is not stored
    auto kept = r.bookings().idempotent(token_hash(key.key));
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->booking_id, first.booking->id);
  });
}

INSTANTIATE_TEST_SUITE_P(Stores, BookingsTest, testing::kStoreKinds, testing::store_kind_name);

}  // namespace
}  // namespace rdv
