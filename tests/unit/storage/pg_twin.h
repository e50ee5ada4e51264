// A SqliteStore and a migrated PostgreSQL database holding the same rows, for
// tests that make the same calls on a part of both stores and compare the
// results field by field (pg_bookings_test, pg_jobs_test,
// pg_resident_access_test).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/postgres/pg_bookings.h"
#include "storage/postgres/pg_jobs.h"
#include "storage/postgres/pg_resident_access.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/temp_dir.h"
#include "unit/storage/pg_test_cluster.h"

namespace rdv::twin {

using namespace std::chrono_literals;

// Every field, named, so that a difference says which field differs.
inline std::string show(std::int64_t v) { return std::to_string(v); }
inline std::string show(int v) { return std::to_string(v); }
inline std::string show(bool v) { return v ? "true" : "false"; }
inline std::string show(Instant t) { return std::to_string(to_epoch(t)); }
template <class T>
std::string show(const std::optional<T>& v);
template <class T>
std::string show(const std::vector<T>& v);

inline std::string show(const Booking& b) {
  std::ostringstream o;
  o << "booking id=" << b.id << " service=" << b.service_id << " agent=" << b.agent_id
    << " place=" << b.place_id << " mode=" << mode_name(b.mode) << " start=" << show(b.start)
    << " end=" << show(b.end) << " before=" << b.buffer_before.count()
    << " after=" << b.buffer_after.count() << " capacity=" << b.capacity
    << " status=" << status_name(b.status) << " by=" << booked_by_name(b.booked_by)
    << " account=" << show(b.booked_by_account_id) << " first=" << b.resident.first_name
    << " last=" << b.resident.last_name << " email=" << b.resident.email
    << " phone=" << b.resident.phone << " mandate=" << b.mandate_json << " notes=" << b.notes
    << " cancel=" << b.cancel_reason << " created=" << show(b.created_at)
    << " updated=" << show(b.updated_at) << " sequence=" << b.sequence << " summary=" << b.summary
    << " survey=" << b.survey_answered << " opt_out=" << b.reminders_opt_out;
  return o.str();
}

inline std::string show(const Document& d) {
  std::ostringstream o;
  o << "document id=" << d.id << " booking=" << d.booking_id << " filename=" << d.filename
    << " type=" << d.content_type << " size=" << d.size << " stored=" << d.stored_name
    << " created=" << show(d.created_at);
  return o.str();
}

inline std::string show(const BookingCount& c) {
  std::ostringstream o;
  o << "count service=" << c.service_id << " status=" << status_name(c.status)
    << " by=" << booked_by_name(c.booked_by) << " n=" << c.count;
  return o.str();
}

inline std::string show(const IdempotentBooking& i) {
  return "idempotent request=" + i.request_hash + " booking=" + show(i.booking_id);
}

inline std::string show(const SurveyStats& s) {
  std::ostringstream o;
  o.precision(17);  // the exact double
  o << "survey service=" << s.service_id << " answers=" << s.answers
    << " rating=" << s.average_rating << " solved=" << s.solved;
  return o.str();
}

inline std::string show(const Job& j) {
  std::ostringstream o;
  o << "job id=" << j.id << " kind=" << job_kind_name(j.kind) << " key=" << j.idempotency_key
    << " payload=" << j.payload << " organisation=" << show(j.organisation_id)
    << " run_at=" << show(j.run_at) << " attempts=" << j.attempts
    << " max_attempts=" << j.max_attempts << " status=" << job_status_name(j.status)
    << " error=" << j.last_error << " created=" << show(j.created_at);
  return o.str();
}

inline std::string show(const std::tuple<JobKind, JobStatus, std::int64_t>& c) {
  return std::string(job_kind_name(std::get<0>(c))) + "/" +
         std::string(job_status_name(std::get<1>(c))) + "=" + show(std::get<2>(c));
}

inline std::string show(const ResidentLink& l) {
  return "link id=" + show(l.id) + " email=" + l.email + " phone=" + l.phone +
         " created=" + show(l.created_at) + " expires=" + show(l.expires_at) +
         " used=" + show(l.used_at);
}

inline std::string show(const ResidentSession& s) {
  return "session id=" + show(s.id) + " email=" + s.email + " phone=" + s.phone +
         " created=" + show(s.created_at) + " expires=" + show(s.expires_at) +
         " ended=" + show(s.ended_at);
}

// Defined after every overload, which their calls find by ordinary lookup.
template <class T>
std::string show(const std::optional<T>& v) {
  return v ? show(*v) : "null";
}
template <class T>
std::string show(const std::vector<T>& v) {
  std::string out = "[";
  for (const T& e : v) out += "\n  " + show(e);
  return out + "]";
}

struct Done {};  // what a call returning nothing gives
inline std::string show(Done) { return "done"; }

template <class F, class Part>
auto call(F& f, Part& part) {
  if constexpr (std::is_void_v<decltype(f(part))>) {
    f(part);
    return Done{};
  } else {
    return f(part);
  }
}

// The same directory rows, with the same ids, in both databases: plain SQL
// that both accept, so that no other part of the store is involved.
inline constexpr const char* kSeed = R"(
INSERT INTO organisations(id, name, kind, timezone) VALUES
  (1, 'Mairie de Bègles', 'commune', 'Europe/Paris'),
  (2, 'France Services Cenon', 'france_services', 'Europe/Paris');
INSERT INTO places(id, organisation_id, name, timezone) VALUES
  (1, 1, 'Hôtel de ville', 'Europe/Paris'), (2, 2, 'Cenon', 'Europe/Paris');
INSERT INTO services(id, organisation_id, name, duration_minutes, modes, min_notice_minutes,
                     horizon_days, cancel_until_minutes, bookable_by, search_text, capacity) VALUES
  (1, 1, 'Carte d''identité', 30, 'in_person', 30, 90, 60, 'public', ' cni ', 1),
  (2, 1, 'Atelier numérique', 60, 'in_person', 30, 90, 60, 'public', ' atelier ', 3),
  (3, 2, 'Impôts', 30, 'in_person,phone', 30, 90, 60, 'public', ' impots ', 1);
INSERT INTO agents(id, name, ics_secret) VALUES (1, 'Claire', 's1'), (2, 'Paul', 's2'),
  (3, 'Inès', 's3');
INSERT INTO accounts(id, name, email, status, created_at) VALUES
  (1, 'Guichet', 'guichet@example.fr', 'active', 0);
)";

inline constexpr Id kOrg1 = 1, kOrg2 = 2, kPlace1 = 1, kPlace2 = 2, kService1 = 1,
                    kGroupService = 2, kService3 = 3, kClaire = 1, kPaul = 2, kInes = 3, kDesk = 1;

// 2030-03-17T00:00:00Z; the tests' instants are offsets from it.
inline const Instant kDay = from_epoch(1'900'022'400);
inline Instant at(std::chrono::seconds offset) { return kDay + offset; }

// Each call runs on both stores, in a transaction of its own that commits,
// and the results must be the same. Ids are compared too, so a test keeps
// them in step: PostgreSQL spends an id on a refused insert (a conflict, ON
// CONFLICT DO NOTHING) where SQLite does not, and SQLite gives the highest
// id again once its row is deleted where PostgreSQL never does.
class Twin {
 public:
  Twin() : url_(testing::migrated_database()), pg_(url_) {
    store_.emplace(dir_.file("store.db"), 1);  // migrates
    sqlite::Connection(dir_.file("store.db")).exec(kSeed);
    pqxx::work tx(pg_);
    tx.exec(kSeed);
    tx.commit();
  }

  template <class F>
  auto bookings(F&& f) {
    return same<PgBookings>(f, [](StoreWriter& tx) -> BookingsWriter& { return tx.bookings(); });
  }
  template <class F>
  auto jobs(F&& f) {
    return same<PgJobs>(f, [](StoreWriter& tx) -> JobsWriter& { return tx.jobs(); });
  }
  template <class F>
  auto residents(F&& f) {
    return same<PgResidentAccess>(
        f, [](StoreWriter& tx) -> ResidentAccessWriter& { return tx.residents(); });
  }

  // The call fails with SlotTakenError on both stores (and rolls back).
  template <class F>
  void both_refuse_booking(F&& f) {
    EXPECT_THROW(store_->write([&](StoreWriter& tx) { f(tx.bookings()); }), SlotTakenError)
        << "on SQLite";
    pqxx::work tx(pg_);
    PgBookings part(tx);
    EXPECT_THROW(f(part), SlotTakenError) << "on PostgreSQL";
  }

  const std::string& url() const { return url_; }
  pqxx::connection& pg() { return pg_; }

 private:
  template <class PgPart, class F, class Pick>
  auto same(F& f, Pick pick) {
    std::optional<decltype(call(f, std::declval<PgPart&>()))> on_sqlite;
    store_->write([&](StoreWriter& tx) { on_sqlite.emplace(call(f, pick(tx))); });
    pqxx::work tx(pg_);
    PgPart part(tx);
    auto on_pg = call(f, part);
    tx.commit();
    EXPECT_EQ(show(*on_sqlite), show(on_pg)) << "SQLite, then PostgreSQL";
    return on_pg;
  }

  testing::TempDir dir_;  // outlives the store
  std::optional<SqliteStore> store_;
  std::string url_;
  pqxx::connection pg_;
};

}  // namespace rdv::twin
