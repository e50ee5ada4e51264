// RAII over sqlite3 handles: one Connection owns its prepared statements.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rdv::sqlite {

class Connection;

// A statement as its connection keeps it: prepared once, with the names of
// its result columns read once (rows are mapped by name on every step).
struct PreparedStatement {
  sqlite3_stmt* stmt = nullptr;
  std::vector<std::string> columns;
};

// A prepared statement borrowed from its connection's cache; reset on destruction.
class Statement {
 public:
  Statement(const PreparedStatement& prepared, Connection& conn)
      : stmt_(prepared.stmt), columns_(prepared.columns), conn_(conn) {}
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
  Statement& bind(int index, std::string_view v);
  Statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, std::optional<std::int64_t> v);
  Statement& bind(int index, std::optional<double> v);

  bool step();  // true while there is a row
  void run();   // steps to the end

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  int integer(int col) const { return sqlite3_column_int(stmt_, col); }
  std::string text(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<double> opt_real(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;

  // The same by column name (as the SELECT names it), so that a query and
  // its mapping cannot drift apart by position. Throws for an unknown name.
  int column(std::string_view name) const;
  std::int64_t int64(std::string_view name) const { return int64(column(name)); }
  std::string text(std::string_view name) const { return text(column(name)); }
  std::optional<std::int64_t> opt_int64(std::string_view name) const {
    return opt_int64(column(name));
  }
  std::optional<double> opt_real(std::string_view name) const { return opt_real(column(name)); }

 private:
  sqlite3_stmt* stmt_;
  const std::vector<std::string>& columns_;
  // Where column() starts looking: after the last name it found. Readers ask
  // in the SELECT's order, so each name is found at the first compare (a
  // search from the start cost the slot search's store read 8 %).
  mutable std::size_t next_column_ = 0;
  Connection& conn_;
};

class Connection {
 public:
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;

  // A cached prepared statement for `sql`.
  Statement prepare(const std::string& sql);
  void exec(const std::string& sql);
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  // False once a transaction has ended, also when SQLite rolled it back itself.
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  [[noreturn]] void fail(const std::string& what) const;
  // ROLLBACK, ignoring a failure (nothing to roll back, or the connection
  // gone: the transaction ends with it either way).
  void rollback_quietly() noexcept { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, PreparedStatement> cache_;
};

// A transaction that ends in a rollback unless commit() was reached: the
// rollback of an abandoned transaction cannot throw, so the error that
// abandoned it is the one that reaches the caller.
class Transaction {
 public:
  // `begin` is "BEGIN" or "BEGIN IMMEDIATE" (takes the write lock now).
  Transaction(Connection& c, const char* begin) : c_(c) { c_.exec(begin); }
  Transaction(const Transaction&) = delete;
  ~Transaction() {
    if (!done_) c_.rollback_quietly();
  }
  void commit() {
    c_.exec("COMMIT");
    done_ = true;
  }

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace rdv::sqlite
