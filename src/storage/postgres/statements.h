// The PostgreSQL store's statements, run as named prepared statements: each
// text is parsed once per connection, and PostgreSQL may keep a generic plan
// once it has seen it a few times (a booking runs a dozen statements;
// unnamed, parsing and planning them took about 1.5 ms of its time).
//
// Two kinds stay unnamed, planned at each run with their values:
// - catch-all filters ("$1 IS NULL OR column = $1"): a generic plan of those
//   cannot use the index a given value would;
// - texts beyond the first kMaxNamedStatements of the process, a guard: the
//   texts built at run time from a request (one per number of search terms)
//   are run unnamed where they are built, through work().
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "storage/postgres/connection.h"

namespace rdv::postgres {

inline constexpr std::size_t kMaxNamedStatements = 1000;

// The statement name of `sql` on this process, defined on `connection` (a
// no-op when it knows it already; libpqxx registers it with the server at
// first use), or nullptr when `sql` stays unnamed.
const std::string* statement_name(pqxx::connection_base& connection, const std::string& sql);

// A value as an SQL literal, quoted by libpqxx for the connection's encoding
// (NULL for an empty optional), and "EXECUTE name(values)" of a prepared
// statement with such literals: how a statement with values rides in a simple
// query (a Batch's pipeline, a statement sent with the next one).
template <class T>
std::string sql_literal(pqxx::dbtransaction& tx, const T& value) {
  return tx.quote(value);
}
template <class T>
std::string sql_literal(pqxx::dbtransaction& tx, const std::optional<T>& value) {
  return value ? tx.quote(*value) : "NULL";
}
std::string execute_sql(const std::string& name, const std::vector<std::string>& values);

// What the stores' parts hold of their transaction: the exec_params family
// of a libpqxx transaction, through prepared statements.
class Statements {
 public:
  explicit Statements(pqxx::dbtransaction& tx) : tx_(tx), ours_(as_ours(tx)) {}

  template <class... Args>
  pqxx::result exec_params(const std::string& sql, Args&&... args) {
    send_waiting();  // a prepared statement cannot carry them
    if (const std::string* name = statement_name(tx_.conn(), sql)) {
      pqxx::result r = tx_.exec_prepared(*name, std::forward<Args>(args)...);
      if (ours_) ours_->note_ran(*name);
      return r;
    }
    return tx_.exec_params(sql, std::forward<Args>(args)...);
  }
  template <class... Args>
  pqxx::result exec_params0(const std::string& sql, Args&&... args) {
    pqxx::result r = exec_params(sql, std::forward<Args>(args)...);
    if (!r.empty()) throw pqxx::unexpected_rows("expected no rows from: " + sql);
    return r;
  }
  template <class... Args>
  pqxx::row exec_params1(const std::string& sql, Args&&... args) {
    pqxx::result r = exec_params(sql, std::forward<Args>(args)...);
    if (r.size() != 1)
      throw pqxx::unexpected_rows("expected 1 row, got " + std::to_string(r.size()) +
                                  " from: " + sql);
    return r[0];
  }
  // Carries the statements waiting to be sent (Transaction::do_exec).
  pqxx::result exec(const std::string& sql) { return tx_.exec(sql); }
  // Runs `sql` with `args` (a statement of ours that only a fault of the
  // database itself can fail, returning no rows) with the transaction's next
  // round trip (Transaction::send_with_next), as EXECUTE of its prepared
  // statement, whose plan is kept (planning a simple query each time cost
  // more than the round trip saved). At once, as exec_params, where the
  // server may not keep our statement names or the text stays unnamed.
  template <class... Args>
  void send_with_next(const std::string& sql, const Args&... args) {
    const std::string* name =
        ours_ && ours_->names_kept() ? statement_name(tx_.conn(), sql) : nullptr;
    if (!name) {
      exec_params0(sql, args...);
      return;
    }
    if (!ours_->ran(*name)) send_waiting();  // before a preparation that may fail (see Batch)
    tx_.conn().prepare_now(*name);
    ours_->note_ran(*name);
    ours_->send_with_next(execute_sql(*name, {sql_literal(tx_, args)...}));
  }

  // The transaction, for a call of its own: the waiting statements are sent.
  pqxx::dbtransaction& work() {
    send_waiting();
    return tx_;
  }

 private:
  void send_waiting() {
    if (ours_) ours_->send_waiting();
  }

  pqxx::dbtransaction& tx_;
  Transaction* ours_;
};

// Reads that do not need each other's answers, sent together: one round trip
// (about 80 us here) instead of one each. They go as one text of
// "EXECUTE name(values)" statements through libpqxx's pipeline (libpqxx 6
// cannot reach libpq's pipeline mode), so each keeps its prepared plan; the
// values are quoted by libpqxx, for the connection's encoding. That needs
// the server session to know the statements by our names: `together` is
// false where it may not (see server_keeps_statement_names), and then, as
// for a batch of one or one holding an unnamed statement (see above), each
// runs as Statements::exec_params runs it.
//
// Sent together, they carry the statements waiting on the transaction
// (Transaction::send_with_next) ahead of them, in the same round trip, when
// the transaction has run each of them already. A statement new to the
// connection is prepared first (a round trip of libpq's), and a preparation
// that fails aborts the transaction: the waiting statements (a grouped
// write's savepoint) must be in effect by then, so they go just before it.
//
// add() returns the statement's place; result(i) runs every statement added
// since the last run, then answers. A batch may be run again with new
// statements (a read that needs the answers of the first). When a statement
// fails, its error is thrown for it and for every later one, which are not
// sent again: the transaction is then aborted, as after a failing exec.
class Batch {
 public:
  explicit Batch(pqxx::dbtransaction& tx, bool together = true) : tx_(tx), together_(together) {}
  Batch(const Batch&) = delete;  // its calls refer to it
  Batch& operator=(const Batch&) = delete;

  template <class... Args>
  std::size_t add(const std::string& sql, Args... args) {
    Call call;
    call.sql = sql;
    call.alone = [this, sql, args...] { return Statements(tx_).exec_params(sql, args...); };
    // Quoted only when sent together.
    call.values = [this, args...] { return std::vector<std::string>{sql_literal(tx_, args)...}; };
    calls_.push_back(std::move(call));
    return calls_.size() - 1;
  }

  const pqxx::result& result(std::size_t i);

 private:
  struct Call {
    std::string sql;
    std::function<pqxx::result()> alone;
    std::function<std::vector<std::string>()> values;
  };
  void run();
  void run_together(std::size_t first, const std::vector<const std::string*>& names);

  pqxx::dbtransaction& tx_;
  bool together_;
  std::vector<Call> calls_;
  std::vector<pqxx::result> results_;  // of calls_[0 .. results_.size())
  std::exception_ptr failed_;          // of calls_[results_.size()]
};

// Whether the server session behind `tx` knows our prepared statements by
// our names, as it does directly or through a pooler in session mode, and
// not through one that renames them (PgBouncer 1.21+ in transaction mode
// with max_prepared_statements): only then may a Batch send EXECUTE.
bool server_keeps_statement_names(pqxx::dbtransaction& tx);

// A read added to a batch: its rows, read by the part that wrote its
// statement, once the batch has run.
template <class T>
class Pending {
 public:
  Pending(Batch& batch, std::size_t index, std::function<T(const pqxx::result&)> read)
      : batch_(batch), index_(index), read_(std::move(read)) {}
  T get() { return read_(batch_.result(index_)); }

 private:
  Batch& batch_;
  std::size_t index_;
  std::function<T(const pqxx::result&)> read_;
};

}  // namespace rdv::postgres
