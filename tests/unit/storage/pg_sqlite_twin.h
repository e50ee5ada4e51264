// The PostgreSQL parts of the store against the SQLite ones: a Twin makes
// every call on both stores (fresh databases, so that ids agree), each in a
// transaction of its own that commits, and compares what they return field
// by field, rendered by show().
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <source_location>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/postgres/pg_agenda.h"
#include "storage/postgres/pg_calendars.h"
#include "storage/postgres/pg_directory.h"
#include "storage/sqlite/sqlite_store.h"
#include "unit/storage/pg_test_cluster.h"

namespace rdv::testing {

inline Instant utc(const char* s) { return *parse_rfc3339(s); }
inline LocalDateTime local(const char* s) { return *parse_local_date_time(s); }

// ---- Every field of what the stores return, as text (a readable diff).

template <class T>
std::string show(const std::optional<T>& v);
template <class T>
std::string show(const std::vector<T>& v);
template <class A, class B>
std::string show(const std::pair<A, B>& v);

inline std::string show(bool v) { return v ? "true" : "false"; }
inline std::string show(int v) { return std::to_string(v); }
inline std::string show(std::int64_t v) { return std::to_string(v); }
inline std::string show(double v) {
  std::ostringstream out;
  out.precision(17);
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

template <class T>
std::string show(const std::optional<T>& v) {
  return v ? show(*v) : "null";
}

template <class T>
std::string show(const std::vector<T>& v) {
  std::string out = "[";
  for (const T& e : v) out += (out.size() > 1 ? ", " : "") + show(e);
  return out + "]";
}

template <class A, class B>
std::string show(const std::pair<A, B>& v) {
  return "(" + show(v.first) + " " + show(v.second) + ")";
}

// ---- Both stores side by side.

// The parts of one transaction, whichever the store.
struct Parts {
  DirectoryWriter& directory;
  AgendaWriter& agenda;
  CalendarsWriter& calendars;
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

class Twin {
 public:
  // `url`: a migrated PostgreSQL database, a fresh one by default.
  explicit Twin(const std::string& url = migrated_database())
      : pg_(url), sqlite_(dir_.file("db.sqlite"), 1) {}

  // f(Parts&) on SQLite then on PostgreSQL, each in a transaction that
  // commits; returns both results, SQLite's first.
  template <class F>
  auto both(F&& f) {
    using R = std::invoke_result_t<F&, Parts&>;
    std::optional<R> from_sqlite;
    sqlite_.write([&](StoreWriter& w) {
      Parts p{w.directory(), w.agenda(), w.calendars()};
      from_sqlite = f(p);
    });
    pqxx::work tx(pg_);
    PgDirectory directory(tx);
    PgAgenda agenda(tx);
    PgCalendars calendars(tx, agenda);
    Parts p{directory, agenda, calendars};
    R from_postgres = f(p);
    tx.commit();
    return std::pair<R, R>(std::move(*from_sqlite), std::move(from_postgres));
  }

  // The same result from both stores (f returns something show() renders);
  // returns PostgreSQL's for more checks.
  template <class F>
  auto same(F&& f, std::source_location where = std::source_location::current()) {
    auto [from_sqlite, from_postgres] = both(f);
    EXPECT_EQ(show(from_sqlite), show(from_postgres))
        << "sqlite, then postgres, at line " << where.line();
    return from_postgres;
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

 private:
  ScratchDir dir_;  // outlives the store
  pqxx::connection pg_;
  SqliteStore sqlite_;
};

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

}  // namespace rdv::testing
