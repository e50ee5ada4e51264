#include "booking/retention.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "booking/bookings.h"
#include "storage/sqlite/connection.h"
#include "support/seed.h"
#include "support/test_stores.h"

namespace rdv {
namespace {

Instant utc(const char* s) { return *parse_rfc3339(s); }

class Retention : public ::testing::TestWithParam<testing::StoreKind> {};

TEST_P(Retention, OldBookingsAndTheirFilesGoCancelledOnesLoseTheResident) {
  testing::TempDir dir;
  std::string where = testing::fresh_test_database(GetParam(), dir);
  auto owned = testing::open_test_store(GetParam(), where);
  Store& store = *owned;
  ManualClock clock(utc("2024-01-01T00:00:00Z"));
  LinkSigner links(std::string(64, 'k'));
  Bookings bookings(store, clock, links);
  Id service = 0;
  store.write([&](StoreWriter& tx) {
    testing::SeedOptions o;
    o.horizon_days = 730;
    o.day = "2024-01-02";
    service = testing::seed(tx, o).service;
  });
  auto book = [&](const char* start) {
    BookingRequest r;
    r.service_id = service;
    r.start = utc(start);
    r.resident = {"Léa", "Dupont", "lea@example.fr", "+33612345678"};
    return *bookings
                .book(r, std::nullopt,
                      [](StoreReader&, const CreatedBooking&) { return BookingAnswer{}; })
                .booking;
  };
  Booking old = book("2024-01-02T08:00:00Z");
  clock.set(utc("2026-06-01T00:00:00Z"));
  Booking recent_cancelled = book("2026-07-21T08:00:00Z");  // cancelled before it starts
  Booking old_cancelled = book("2026-06-02T08:30:00Z");
  Booking kept = book("2026-06-02T09:00:00Z");
  bookings.cancel(old_cancelled.id, Actor::kStaff, "");
  // A document of the old booking, on disk and in the store.
  std::string docs = dir.file("documents");
  std::filesystem::create_directories(docs + "/" + std::to_string(old.id));
  std::ofstream(docs + "/" + std::to_string(old.id) + "/f1") << "%PDF-";
  store.write([&](StoreWriter& tx) {
    tx.bookings().insert_document({0, old.id, "avis.pdf", "application/pdf", 5, "f1", clock.now()});
    // Desks' mandates: one for a visit that is over, one for a visit to come.
    for (Booking b : {kept, recent_cancelled}) {
      b.mandate_json = R"({"consent":true,"kind":"oral","procedures":["carte grise"]})";
      tx.bookings().update(b);
    }
  });

  clock.set(utc("2026-07-15T00:00:00Z"));
  bookings.cancel(recent_cancelled.id, Actor::kStaff, "");
  store.write([&](StoreWriter& tx) {
    Job old_job;
    old_job.kind = JobKind::kEmail;
    old_job.idempotency_key = "old";
    old_job.payload = "{}";
    old_job.run_at = old_job.created_at = utc("2026-01-01T00:00:00Z");
    tx.jobs().enqueue({old_job});
    auto claimed =
        tx.jobs().claim("w", utc("2026-01-01T00:00:00Z"), utc("2026-01-01T00:05:00Z"), 10);
    ASSERT_EQ(claimed.size(), 1u);
    tx.jobs().finish(claimed[0].id, "w", JobStatus::kDone, "", utc("2026-01-01T00:00:10Z"),
                     std::nullopt);
    for (const char* at : {"2025-07-01T00:00:00Z", "2025-07-20T00:00:00Z"}) {
      AuditEntry e;
      e.at = utc(at);
      e.action = "sign_in";
      tx.accounts().append_audit(e);
    }
    tx.accounts().record_failure("email:x@example.org", utc("2026-07-13T00:00:00Z"));
    tx.accounts().record_failure("email:x@example.org", utc("2026-07-14T12:00:00Z"));
  });
  RetentionReport report =
      apply_retention(store, clock, {std::chrono::days{730}, std::chrono::days{30}, docs});
  EXPECT_EQ(report.documents_removed, 1u);
  EXPECT_FALSE(std::filesystem::exists(docs + "/" + std::to_string(old.id)));
  store.read([&](StoreReader& r) {
    EXPECT_FALSE(r.booking(old.id));  // ended more than two years ago
    EXPECT_EQ(r.booking(old_cancelled.id)->resident.last_name, "");
    EXPECT_EQ(r.booking(old_cancelled.id)->resident.email, "");
    EXPECT_EQ(r.booking(recent_cancelled.id)->resident.last_name, "Dupont");  // cancelled today
    EXPECT_EQ(r.booking(kept.id)->resident.last_name, "Dupont");
    // A mandate goes 30 days after its visit; one for a visit to come stays.
    EXPECT_EQ(r.booking(kept.id)->mandate_json, "");
    EXPECT_NE(r.booking(recent_cancelled.id)->mandate_json, "");
    EXPECT_TRUE(r.jobs().with_status(JobStatus::kDone, 10).empty());  // sent more than 90 days ago
    // The audit log keeps a year; failed sign-ins a day.
    auto audit = r.accounts().audit({});
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].at, utc("2025-07-20T00:00:00Z"));
    EXPECT_EQ(r.accounts().failures_since("email:x@example.org", {}).count, 1);
  });
  // Past retention, the audit log is only added to: the database refuses
  // changes (on PostgreSQL: pg_schema_test).
  if (GetParam() == testing::StoreKind::kSqlite) {
    sqlite::Connection raw(where);
    EXPECT_THROW(raw.exec("UPDATE audit_log SET action = 'nothing happened'"), std::exception);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, Retention, testing::kStoreKinds, testing::store_kind_name);

}  // namespace
}  // namespace rdv
