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

#include <pqxx/pqxx>
#include <string>
#include <utility>

namespace rdv::postgres {

inline constexpr std::size_t kMaxNamedStatements = 1000;

// The statement name of `sql` on this process, defined on `connection` (a
// no-op when it knows it already; libpqxx registers it with the server at
// first use), or nullptr when `sql` stays unnamed.
const std::string* statement_name(pqxx::connection_base& connection, const std::string& sql);

// What the stores' parts hold of their transaction: the exec_params family
// of a libpqxx transaction, through prepared statements.
class Statements {
 public:
  explicit Statements(pqxx::dbtransaction& tx) : tx_(tx) {}

  template <class... Args>
  pqxx::result exec_params(const std::string& sql, Args&&... args) {
    if (const std::string* name = statement_name(tx_.conn(), sql))
      return tx_.exec_prepared(*name, std::forward<Args>(args)...);
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
  pqxx::result exec(const std::string& sql) { return tx_.exec(sql); }

  pqxx::dbtransaction& work() { return tx_; }

 private:
  pqxx::dbtransaction& tx_;
};

}  // namespace rdv::postgres
