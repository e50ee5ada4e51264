#include "storage/sqlite/sqlite_store.h"

#include <set>

#include "storage/migration.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/sqlite_accounts.h"
#include "storage/sqlite/sqlite_agenda.h"
#include "storage/sqlite/sqlite_bookings.h"
#include "storage/sqlite/sqlite_calendars.h"
#include "storage/sqlite/sqlite_directory.h"
#include "storage/sqlite/sqlite_jobs.h"
#include "storage/sqlite/sqlite_resident_access.h"
#include "storage/store_parts.h"

namespace rdv {
namespace {

using namespace sqlite;  // the connection and the shared row encodings

// Every part of the store in one transaction.
struct SqliteParts {
  using Directory = SqliteDirectory;
  using Agenda = SqliteAgenda;
  using Bookings = SqliteBookings;
  using Calendars = SqliteCalendars;
  using Accounts = SqliteAccounts;
  using Jobs = SqliteJobs;
  using Residents = SqliteResidentAccess;
};
using SqliteTx = PartsTransaction<SqliteParts>;

class SqliteGroupTransaction final : public GroupTransaction {
 public:
  explicit SqliteGroupTransaction(Connection& c) : c_(c), parts_(c) {}
  StoreWriter& parts() override { return parts_; }
  void exec(const std::string& sql) override { c_.exec(sql); }
  bool alive() override { return c_.in_transaction(); }

 private:
  Connection& c_;
  SqliteTx parts_;
};

// Applies the migrations not yet applied, each in its own transaction.
// Foreign keys are off meanwhile, as SQLite asks for when a migration
// rebuilds a table that others reference (the pragma is a no-op inside a
// transaction); every reference is checked before they are on again.
void migrate(Connection& c) {
  bool changed = false;
  c.exec("PRAGMA foreign_keys=OFF");
  c.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at "
      "INTEGER NOT NULL)");
  for (const Migration& m : sqlite_migrations()) {
    Transaction tx(c, "BEGIN IMMEDIATE");
    bool applied = false;
    {
      auto seen = c.prepare("SELECT 1 FROM schema_migrations WHERE name = ?");
      seen.bind(1, m.name);
      applied = seen.step();
    }
    if (!applied) {
      c.exec(m.sql);
      auto mark = c.prepare(
          "INSERT INTO schema_migrations(name, applied_at) VALUES (?, strftime('%s','now'))");
      mark.bind(1, m.name).run();
      changed = true;
    }
    tx.commit();
  }
  // The check reads every row: only after a migration ran.
  if (changed && c.prepare("PRAGMA foreign_key_check").step())
    throw std::runtime_error("a migration left rows whose references are broken");
  c.exec("PRAGMA foreign_keys=ON");
}

}  // namespace

WriteGroups::RunTransaction sqlite::write_transaction(Connection& writer) {
  return [&writer](const char* after_begin, const std::function<void(GroupTransaction&)>& body) {
    Transaction guard(writer, "BEGIN IMMEDIATE");
    if (after_begin) writer.exec(after_begin);
    SqliteGroupTransaction tx(writer);
    body(tx);
    guard.commit();
  };
}

SqliteStore::SqliteStore(const std::string& path, size_t readers) : path_(path) {
  writer_ = std::make_unique<Connection>(path);
  migrate(*writer_);
  writes_ = std::make_unique<WriteGroups>(write_transaction(*writer_));
  for (size_t i = 0; i < readers; ++i) readers_.push_back(std::make_unique<Connection>(path));
  opened_readers_ = readers;
}

SqliteStore::~SqliteStore() = default;

std::unique_ptr<sqlite::Connection> SqliteStore::take_reader() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!readers_.empty()) {
      auto c = std::move(readers_.back());
      readers_.pop_back();
      return c;
    }
  }
  auto c = std::make_unique<Connection>(path_);  // pool empty: one more, kept afterwards
  std::lock_guard lock(pool_mutex_);
  ++opened_readers_;
  return c;
}

void SqliteStore::give_back(std::unique_ptr<sqlite::Connection> c) {
  std::lock_guard lock(pool_mutex_);
  if (readers_.size() < kKeptReaders)
    readers_.push_back(std::move(c));
  else
    --opened_readers_;  // closed as it goes out of scope
}

void SqliteStore::read(const std::function<void(StoreReader&)>& work) {
  auto c = take_reader();
  try {
    Transaction guard(*c, "BEGIN");
    SqliteTx tx(*c);
    work(tx);
    guard.commit();
  } catch (...) {
    give_back(std::move(c));  // rolled back by the guard
    throw;
  }
  give_back(std::move(c));
}

void SqliteStore::write(const std::function<void(StoreWriter&)>& work) { writes_->run(work); }

WriteGroups::Counts SqliteStore::writes() { return writes_->counts(); }

bool SqliteStore::ready() {
  std::set<std::string> applied;
  try {
    auto c = take_reader();
    try {
      auto st = c->prepare("SELECT name FROM schema_migrations");
      while (st.step()) applied.insert(st.text(0));
    } catch (...) {
      give_back(std::move(c));
      throw;
    }
    give_back(std::move(c));
  } catch (const std::exception&) {
    return false;  // the file cannot be opened or read
  }
  return all_applied(sqlite_migrations(), applied);
}

Store::Connections SqliteStore::connections() {
  std::lock_guard lock(pool_mutex_);
  // The writer is always open; readers are opened on demand, kKeptReaders kept.
  return {kKeptReaders + 1, opened_readers_ + 1, readers_.size()};
}

}  // namespace rdv
