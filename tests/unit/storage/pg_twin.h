// The PostgreSQL parts of the store against the SQLite ones: a Twin makes
// every call on a fresh SQLite store and a fresh migrated PostgreSQL database
// (so that ids agree), each in a transaction of its own that commits, and
// compares what they return field by field, rendered by show(). For
// pg_directory_test, pg_agenda_test, pg_calendars_test, pg_bookings_test,
// pg_jobs_test and pg_resident_access_test.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <source_location>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/postgres/pg_agenda.h"
#include "storage/postgres/pg_bookings.h"
#include "storage/postgres/pg_calendars.h"
#include "storage/postgres/pg_directory.h"
#include "storage/postgres/pg_jobs.h"
#include "storage/postgres/pg_resident_access.h"
#include "storage/sqlite/sqlite_store.h"
#include "unit/storage/pg_test_cluster.h"

namespace rdv::testing {

using namespace std::chrono_literals;

inline Instant utc(const char* s) { return *parse_rfc3339(s); }
inline LocalDateTime local(const char* s) { return *parse_local_date_time(s); }

// ---- Every field of what the stores return, as text, named where the
// position does not say it: a difference says which field differs.

template <class T>
std::string show(const std::optional<T>& v);
template <class T>
std::string show(const std::vector<T>& v);
template <class A, class B>
std::string show(const std::pair<A, B>& v);

inline std::string show(bool v) { return v ? "true" : "false"; }
inline std::string show(int v) { return std::to_string(v); }
inline std::string show(std::int64_t v) { return std::to_string(v); }
inline std::string show(std::size_t v) { return std::to_string(v); }
inline std::string show(double v) {
  std::ostringstream out;
  out.precision(17);  // the exact double
  out << v;
  return out.str();
}
inline std::string show(const std::string& v) { return '"' + v + '"'; }
inline std::string show(Instant t) { return "@" + std::to_string(to_epoch(t)); }
inline std::string show(LocalDateTime t) { return format_local(t); }
inline std::string show(const TimeRange& r) {
  return "[" + show(r.start) + "," + show(r.end) + ")";
}
inline std::string show(const ModeSet& m) { return "{" + m.to_csv() + "}"; }
inline std::string show(WebhookEvent e) { return std::string(webhook_event_name(e)); }

inline std::string show(const VideoSettings& v) {
  return "video{" + std::string(provider_name(v.provider)) + " " + show(v.url) + " " +
         show(v.app_id) + " " + show(v.secret) + " " + show(v.open_minutes_before) + "}";
}

inline std::string show(const Organisation& o) {
  return "organisation{" + show(o.id) + " " + show(o.name) + " " + show(o.kind) + " " +
         show(o.timezone) + " " + show(o.video) + " territory=" + show(o.territory_id) +
         " colleagues=" + show(o.colleagues_see_agendas) + " archived=" + show(o.archived) + "}";
}

inline std::string show(const Place& p) {
  return "place{" + show(p.id) + " org=" + show(p.organisation_id) + " " + show(p.name) + " " +
         show(p.address) + " " + show(p.postcode) + " " + show(p.city) + " " +
         show(p.accessibility) + " " + show(p.opening_hours) + " " + show(p.latitude) + " " +
         show(p.longitude) + " " + show(p.timezone) + "}";
}

inline std::string show(const Service& s) {
  return "service{" + show(s.id) + " org=" + show(s.organisation_id) + " " + show(s.name) + " " +
         show(s.description) + " kw=" + show(s.keywords) + " docs=" + show(s.documents_to_bring) +
         " " + show(s.duration_minutes) + "/" + show(s.slot_step_minutes) + " " + show(s.modes) +
         " notice=" + show(s.min_notice_minutes) + " horizon=" + show(s.horizon_days) +
         " buffers=" + show(s.buffer_before_minutes) + "," + show(s.buffer_after_minutes) +
         " capacity=" + show(s.capacity) + " cancel=" + show(s.cancel_until_minutes) +
         " by=" + show(s.bookable_by) + " reminders=" + show(s.reminders) +
         " archived=" + show(s.archived) + "}";
}

inline std::string show(const Agent& a) {
  return "agent{" + show(a.id) + " " + show(a.name) + " " + show(a.email) + " " + show(a.phone) +
         " " + show(a.ics_secret) + " orgs=" + show(a.organisation_ids) + "}";
}

inline std::string show(const Webhook& w) {
  return "webhook{" + show(w.id) + " org=" + show(w.organisation_id) + " " + show(w.url) + " " +
         show(w.secret) + " " + show(w.events) + "}";
}

inline std::string show(const RepeatingPeriod& p) {
  return show(p.start) + ".." + show(p.end) + " " + (p.zone ? p.zone->name() : "no zone") + " " +
         show(p.rrule) + " ex=" + show(p.exdates);
}

inline std::string show(const Opening& o) {
  return "opening{" + show(o.id) + " agent=" + show(o.agent_id) + " place=" + show(o.place_id) +
         " services=" + show(o.service_ids) + " " + show(o.modes) + " " + show(o.period) + "}";
}

inline std::string show(const Absence& a) {
  return "absence{" + show(a.id) + " agent=" + show(a.agent_id) + " " + show(a.period) + " " +
         show(a.reason) + "}";
}

inline std::string show(const ExternalCalendar& c) {
  return "calendar{" + show(c.id) + " agent=" + show(c.agent_id) + " " + show(c.url) + " " +
         std::string(purpose_name(c.purpose)) + " etag=" + show(c.etag) +
         " lm=" + show(c.last_modified) + " content=" + show(c.content) +
         " success=" + show(c.last_success_at) + " attempt=" + show(c.last_attempt_at) +
         " error=" + show(c.last_error) + " warnings=" + show(c.warnings) +
         " next=" + show(c.next_fetch_at) + " created=" + show(c.created_at) + "}";
}

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

inline std::string show(const HeldTime& h) {
  return "held{" + show(h.booking_id) + " agent=" + show(h.agent_id) +
         " service=" + show(h.service_id) + " " + show(h.start) + " " + show(h.blocked) + "}";
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

// Defined after every overload, which their calls find by ordinary lookup
// (the records are in namespace rdv, out of reach of argument-dependent
// lookup).
template <class T>
std::string show(const std::optional<T>& v) {
  return v ? show(*v) : "null";
}

// Records one per line, so that gtest shows a line by line diff of two
// lists; numbers, strings and instants on one line.
template <class T>
std::string show(const std::vector<T>& v) {
  constexpr bool kOnOneLine = std::is_arithmetic_v<T> || std::is_enum_v<T> ||
                              std::is_same_v<T, std::string> || std::is_same_v<T, Instant> ||
                              std::is_same_v<T, LocalDateTime>;
  std::string out = "[";
  for (const T& e : v) {
    if constexpr (kOnOneLine) {
      out += (out.size() > 1 ? ", " : "") + show(e);
    } else {
      out += "\n  " + show(e);
    }
  }
  return out + "]";
}

template <class A, class B>
std::string show(const std::pair<A, B>& v) {
  return "(" + show(v.first) + " " + show(v.second) + ")";
}

struct Done {};  // what a call returning nothing gives
inline std::string show(Done) { return "done"; }

// ---- What the tests store.

inline Organisation organisation(const char* name, std::optional<Id> territory = std::nullopt) {
  Organisation o;
  o.name = name;
  o.kind = "commune";
  o.territory_id = territory;
  return o;
}

inline Place place(Id org, const char* name, const char* postcode) {
  Place p;
  p.organisation_id = org;
  p.name = name;
  p.postcode = postcode;
  p.timezone = "Europe/Paris";
  return p;
}

inline Service service(Id org, const char* name, std::vector<Mode> modes = {Mode::kInPerson}) {
  Service s;
  s.organisation_id = org;
  s.name = name;
  for (Mode m : modes) s.modes.add(m);
  return s;
}

inline Agent agent(const std::string& name, std::vector<Id> organisation_ids) {
  return {0, name, "", "", "secret-" + name, std::move(organisation_ids)};
}

inline RepeatingPeriod period(const char* start, const char* end, std::string rrule = "",
                              std::vector<LocalDateTime> exdates = {}) {
  return {local(start), local(end), zone_named("Europe/Paris"), std::move(rrule),
          std::move(exdates)};
}

inline Opening opening(Id agent_id, Id place_id, std::vector<Id> services, RepeatingPeriod p) {
  Opening o;
  o.agent_id = agent_id;
  o.place_id = place_id;
  o.service_ids = std::move(services);
  o.modes.add(Mode::kInPerson);
  o.period = std::move(p);
  return o;
}

inline Absence absence(Id agent_id, RepeatingPeriod p, const char* reason) {
  Absence a;
  a.agent_id = agent_id;
  a.period = std::move(p);
  a.reason = reason;
  return a;
}

// The same directory rows, with the same ids, in both databases (a
// SeededTwin's), for the parts that refer to them: plain SQL that both
// accept, so that no other part of the store is involved.
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

// 2030-03-17T00:00:00Z; the seeded tests' instants are offsets from it.
inline const Instant kDay = from_epoch(1'900'022'400);
inline Instant at(std::chrono::seconds offset) { return kDay + offset; }

// ---- Both stores side by side.

// The parts of one transaction, whichever the store.
struct Parts {
  DirectoryWriter& directory;
  AgendaWriter& agenda;
  CalendarsWriter& calendars;
  BookingsWriter& bookings;
  JobsWriter& jobs;
  ResidentAccessWriter& residents;
};

// A folder for the SQLite file, in memory where the system has /dev/shm:
// SQLite syncs each commit, which costs most of a test's time on a busy disk,
// and durability is not what these tests compare.
class ScratchDir {
 public:
  ScratchDir() {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                     ? std::filesystem::path("/dev/shm")
                                     : std::filesystem::temp_directory_path();
    path_ = base / ("rdv-pg-twin-" + std::to_string(std::random_device()()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Each call runs on both stores, in a transaction of its own that commits,
// and the results must be the same. Ids are compared too, so a test keeps
// them in step: PostgreSQL spends an id on a refused insert (a conflict, ON
// CONFLICT DO NOTHING) where SQLite does not, and SQLite gives the highest
// id again once its row is deleted where PostgreSQL never does.
class Twin {
 public:
  // `url`: a migrated PostgreSQL database, a fresh one by default.
  explicit Twin(const std::string& url = migrated_database())
      : url_(url), pg_(url), sqlite_(dir_.file("db.sqlite"), 1) {}

  // f(Parts&) on SQLite then on PostgreSQL, each in a transaction that
  // commits; the same result from both (something show() renders, or
  // nothing). Returns PostgreSQL's for more checks.
  template <class F>
  auto same(F&& f, std::source_location where = std::source_location::current()) {
    using R = decltype(call(f, std::declval<Parts&>()));
    std::optional<R> from_sqlite;
    sqlite_.write([&](StoreWriter& w) {
      Parts p = parts(w);
      from_sqlite.emplace(call(f, p));
    });
    pqxx::work tx(pg_);
    PgParts pg(tx);
    Parts p = pg.parts();
    R from_postgres = call(f, p);
    tx.commit();
    EXPECT_EQ(show(*from_sqlite), show(from_postgres))
        << "SQLite, then PostgreSQL, at line " << where.line();
    return from_postgres;
  }

  // The call fails with SlotTakenError on both stores (and rolls back).
  template <class F>
  void both_refuse_booking(F&& f) {
    auto on_sqlite = [&] {
      sqlite_.write([&](StoreWriter& w) {
        Parts p = parts(w);
        f(p);
      });
    };
    EXPECT_THROW(on_sqlite(), SlotTakenError) << "on SQLite";
    pqxx::work tx(pg_);
    PgParts pg(tx);
    Parts p = pg.parts();
    EXPECT_THROW(f(p), SlotTakenError) << "on PostgreSQL";
  }

  // Rows of other parts (accounts, memberships, bookings, territories), by
  // SQL that both databases take.
  void execute(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.file("db.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
    pqxx::nontransaction q(pg_);
    q.exec(sql);
  }

  const std::string& url() const { return url_; }
  pqxx::connection& pg() { return pg_; }

 private:
  // The PostgreSQL parts of one transaction.
  struct PgParts {
    explicit PgParts(pqxx::dbtransaction& tx)
        : directory(tx), agenda(tx), calendars(tx, agenda), bookings(tx), jobs(tx), residents(tx) {}
    Parts parts() { return {directory, agenda, calendars, bookings, jobs, residents}; }

    PgDirectory directory;
    PgAgenda agenda;
    PgCalendars calendars;
    PgBookings bookings;
    PgJobs jobs;
    PgResidentAccess residents;
  };

  static Parts parts(StoreWriter& w) {
    return {w.directory(), w.agenda(), w.calendars(), w.bookings(), w.jobs(), w.residents()};
  }

  template <class F>
  static auto call(F& f, Parts& p) {
    if constexpr (std::is_void_v<decltype(f(p))>) {
      f(p);
      return Done{};
    } else {
      return f(p);
    }
  }

  ScratchDir dir_;  // outlives the store
  std::string url_;
  pqxx::connection pg_;
  SqliteStore sqlite_;
};

// A Twin whose databases both hold kSeed's rows.
class SeededTwin : public Twin {
 public:
  SeededTwin() { execute(kSeed); }
};

}  // namespace rdv::testing
