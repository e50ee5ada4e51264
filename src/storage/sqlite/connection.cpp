#include "storage/sqlite/connection.h"

#include <stdexcept>

#include "storage/store.h"

namespace rdv::sqlite {

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, std::int64_t v) {
  sqlite3_bind_int64(stmt_, index, v);
  return *this;
}

Statement& Statement::bind(int index, std::string_view v) {
  sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, std::optional<std::int64_t> v) {
  if (v) return bind(index, *v);
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::bind(int index, std::optional<double> v) {
  if (v)
    sqlite3_bind_double(stmt_, index, *v);
  else
    sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // The triggers that keep a slot from being taken twice abort with the
  // label slot_taken (migrations 0001, 0005): a typed error for the core.
  if (sqlite3_extended_errcode(sqlite3_db_handle(stmt_)) == SQLITE_CONSTRAINT_TRIGGER &&
      std::string_view(sqlite3_errmsg(sqlite3_db_handle(stmt_))) == "slot_taken")
    throw SlotTakenError();
  conn_.fail("step");
}

void Statement::run() {
  while (step()) {
  }
}

std::string Statement::text(int col) const {
  auto p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

std::optional<double> Statement::opt_real(int col) const {
  if (is_null(col)) return std::nullopt;
  return sqlite3_column_double(stmt_, col);
}

std::optional<std::int64_t> Statement::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

int Statement::column(std::string_view name) const {
  const size_t n = columns_.size();
  for (size_t k = 0; k < n; ++k) {
    size_t i = next_column_ + k < n ? next_column_ + k : next_column_ + k - n;
    if (columns_[i] == name) {
      next_column_ = i + 1 < n ? i + 1 : 0;
      return static_cast<int>(i);
    }
  }
  throw std::logic_error("no column " + std::string(name) + " in the query");
}

Connection::Connection(const std::string& path) {
  int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open SQLite database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 10000);
  sqlite3_extended_result_codes(db_, 0);
  // WAL lets readers run beside the writer; FULL makes a commit reach the disk
  // before we answer 201, so nothing acknowledged is lost to a crash.
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=ON");
  // Pages are read from the page cache in place rather than copied by a
  // read() each: the slot search reads thousands of rows per request.
  exec("PRAGMA mmap_size=1073741824");
}

Connection::~Connection() {
  for (auto& [sql, prepared] : cache_) sqlite3_finalize(prepared.stmt);
  sqlite3_close_v2(db_);
}

Statement Connection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
      fail("prepare " + sql);
    PreparedStatement prepared{stmt, {}};
    for (int i = 0, n = sqlite3_column_count(stmt); i < n; ++i) {
      const char* name = sqlite3_column_name(stmt, i);
      prepared.columns.emplace_back(name ? name : "");
    }
    it = cache_.emplace(sql, std::move(prepared)).first;
  }
  return Statement(it->second, *this);
}

void Connection::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw std::runtime_error("SQLite: " + msg);
  }
}

void Connection::fail(const std::string& what) const {
  throw std::runtime_error("SQLite " + what + ": " + sqlite3_errmsg(db_));
}

}  // namespace rdv::sqlite
