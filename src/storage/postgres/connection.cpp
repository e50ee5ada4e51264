#include "storage/postgres/connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <string_view>
#include <thread>

namespace rdv::postgres {

namespace {

// The connection is gone, or the server is going away or not taking
// connections yet: class 08 (connection exception), 57P01 admin shutdown,
// 57P02 crash shutdown, 57P03 cannot connect now.
bool is_lost_connection(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

bool is_conflict(std::string_view sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

// libpq sees that the server closed an idle connection only when it next
// uses it; the socket says so at once: an idle connection has nothing to
// read unless the server sent its goodbye (an error, then end of file).
bool closed_while_idle(const pqxx::connection& conn) {
  if (!conn.is_open()) return true;
  pollfd p{conn.sock(), POLLIN, 0};
  return ::poll(&p, 1, 0) != 0;
}

// A short random pause before running a conflicting transaction again, so
// that the transactions that met do not meet again at once.
void pause_before_retry(int attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  std::uniform_int_distribution<int> ms(1, 5 << std::min(attempt, 4));  // up to 10, 20, 40, 80 ms
  std::this_thread::sleep_for(std::chrono::milliseconds(ms(random)));
}

}  // namespace

void rethrow_translated() {
  try {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    throw StoreUnavailableError(std::string("connection lost while committing: ") + e.what());
  } catch (const pqxx::broken_connection& e) {
    throw StoreUnavailableError(std::string("database unavailable: ") + e.what());
  } catch (const pqxx::serialization_failure& e) {
    // libpqxx 6 names 40001 and 40P01 with their own classes, not sql_error.
    throw RetryableConflict(e.what());
  } catch (const pqxx::deadlock_detected& e) {
    throw RetryableConflict(e.what());
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == "23P01") throw SlotTakenError();
    if (is_lost_connection(e.sqlstate()))
      throw StoreUnavailableError(std::string("database unavailable: ") + e.what());
    if (is_conflict(e.sqlstate())) throw RetryableConflict(e.what());
    // lock_timeout: another transaction holds the lock too long.
    if (e.sqlstate() == "55P03") throw RetryableConflict(std::string("database busy: ") + e.what());
    throw;
  }
}

Lease::Lease(Pool& pool, std::unique_ptr<pqxx::connection> conn)
    : pool_(&pool), conn_(std::move(conn)) {}

Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), discard_(other.discard_) {}

Lease::~Lease() {
  if (!conn_) return;
  bool discard = discard_ || !conn_->is_open();  // read before conn_ is moved from
  pool_->give_back(std::move(conn_), discard);
}

std::string with_session_defaults(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (error) PQfreemem(error);  // it may quote the password: never shown
  if (!parsed) throw StoreUnavailableError("the database URL is not one libpq reads");
  std::map<std::string, std::string> settings;
  for (PQconninfoOption* o = parsed; o->keyword; ++o)
    if (o->val) settings[o->keyword] = o->val;
  PQconninfoFree(parsed);
  // A default only where neither the URL, nor libpq's environment variable
  // for it, nor a service file (which may set anything) says otherwise.
  const bool service = settings.count("service") || std::getenv("PGSERVICE");
  const std::pair<const char*, const char*> defaults[] = {{"connect_timeout", "PGCONNECT_TIMEOUT"},
                                                          {"application_name", "PGAPPNAME"},
                                                          {"keepalives", nullptr},
                                                          {"keepalives_idle", nullptr},
                                                          {"keepalives_interval", nullptr},
                                                          {"keepalives_count", nullptr},
                                                          {"tcp_user_timeout", nullptr}};
  const char* values[] = {"5", "rendezvous", "1", "30", "10", "3", "30000"};
  for (size_t i = 0; i < std::size(defaults); ++i) {
    auto [key, variable] = defaults[i];
    if (service || settings.count(key) || (variable && std::getenv(variable))) continue;
    settings[key] = values[i];
  }
  // key='value' with \ and ' escaped, as libpq reads them.
  std::string out;
  for (const auto& [key, value] : settings) {
    out += (out.empty() ? "" : " ") + key + "='";
    for (char c : value) {
      if (c == '\\' || c == '\'') out += '\\';
      out += c;
    }
    out += '\'';
  }
  return out;
}

Pool::Pool(std::string url, std::size_t size, std::chrono::milliseconds wait)
    : conninfo_(with_session_defaults(url)), size_(size == 0 ? 1 : size), wait_(wait) {}

Pool::Use Pool::use() {
  std::lock_guard lock(mutex_);
  return {size_, open_, idle_.size()};
}

Pool::~Pool() = default;

Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  if (!freed_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < size_; }))
    throw PoolTimeoutError("no database connection free after " + std::to_string(wait_.count()) +
                           " ms (pool of " + std::to_string(size_) + ")");
  std::unique_ptr<pqxx::connection> conn;
  if (!idle_.empty()) {
    conn = std::move(idle_.back());
    idle_.pop_back();
  } else {
    ++open_;  // the slot is ours while we connect
  }
  lock.unlock();
  // Opening takes a network round trip or more: never under the lock.
  if (conn && closed_while_idle(*conn)) conn.reset();
  if (!conn) {
    try {
      conn = open_connection();
    } catch (...) {
      give_back(nullptr, true);
      throw;
    }
  }
  return Lease(*this, std::move(conn));
}

std::unique_ptr<pqxx::connection> Pool::open_connection() {
  try {
    auto conn = std::make_unique<pqxx::connection>(conninfo_);
    // A SET rather than the `options` startup parameter, which poolers such
    // as PgBouncer refuse; a role's own setting (ALTER ROLE) is kept.
    pqxx::nontransaction session(*conn);
    if (session
            .exec1("SELECT setting FROM pg_settings WHERE name = "
                   "'idle_in_transaction_session_timeout'")[0]
            .as<std::string>() == "0")
      session.exec0("SET idle_in_transaction_session_timeout = 60000");
    return conn;
  } catch (const pqxx::broken_connection& e) {
    throw StoreUnavailableError(std::string("cannot connect to the database: ") + e.what());
  }
}

void Pool::give_back(std::unique_ptr<pqxx::connection> conn, bool discard) noexcept {
  std::vector<std::unique_ptr<pqxx::connection>> closing;  // closed outside the lock
  {
    std::lock_guard lock(mutex_);
    if (discard || !conn) {
      closing.push_back(std::move(conn));
      --open_;
      // A lost connection usually means the server restarted or failed over:
      // the idle ones went with it. Reopening them on demand is cheaper than
      // lending each once more to find out.
      if (discard) {
        open_ -= idle_.size();
        for (auto& c : idle_) closing.push_back(std::move(c));
        idle_.clear();
      }
    } else {
      idle_.push_back(std::move(conn));
    }
  }
  freed_.notify_all();
}

Transaction::Transaction(pqxx::connection_base& connection, const std::string& opening)
    : namedclass("Transaction"),
      basic_transaction(connection, "READ COMMITTED", pqxx::read_write),
      begin_sql_(opening.empty() ? "BEGIN" : "BEGIN; " + opening) {
  Begin();
}

Transaction::~Transaction() noexcept { End(); }

void Transaction::do_begin() {
  try {
    direct_exec(begin_sql_.c_str());
  } catch (...) {
    // BEGIN ran and the opening failed (the lock's wait ran out): the session
    // is in a failed transaction block, which libpqxx does not end since to
    // it this transaction never began. The connection must go back clean.
    try {
      direct_exec("ROLLBACK");
    } catch (...) {  // the connection is gone: the pool reopens it
    }
    throw;
  }
}

std::string Transaction::take_waiting_sql() {
  std::string sql;
  for (const std::string& s : waiting_) sql += s + "; ";
  waiting_.clear();
  return sql;
}

void Transaction::send_waiting() {
  if (!waiting_.empty()) dbtransaction::do_exec(take_waiting_sql().c_str());
}

pqxx::result Transaction::do_exec(const char query[]) {
  if (waiting_.empty()) return dbtransaction::do_exec(query);
  // One simple query: its result is that of its last statement, the query.
  return dbtransaction::do_exec((take_waiting_sql() + query).c_str());
}

// As libpqxx's (basic_transaction::do_commit), with the waiting statements
// in COMMIT's round trip: a write's last jobs, a grouped write's RELEASE.
void Transaction::do_commit() {
  const bool carries = !waiting_.empty();
  try {
    direct_exec((take_waiting_sql() + "COMMIT").c_str());
  } catch (const pqxx::statement_completion_unknown& e) {
    throw pqxx::in_doubt_error(e.what());
  } catch (const std::exception& e) {
    if (!conn().is_open()) throw pqxx::in_doubt_error(e.what());
    // A statement before COMMIT failed, so COMMIT did not run: the session
    // is in a failed transaction block, which libpqxx does not end (to it the
    // commit failed). The connection must go back clean.
    if (carries) {
      try {
        direct_exec("ROLLBACK");
      } catch (...) {  // the connection is gone: the pool reopens it
      }
    }
    throw;
  }
}

void Transaction::do_abort() {
  waiting_.clear();  // the ROLLBACK undoes them all the same
  dbtransaction::do_abort();
}

namespace detail {

std::string opening_sql(const TransactionOptions& options) {
  if (options.advisory_lock && options.isolation != Isolation::kReadCommitted)
    throw std::logic_error("an advisory lock serialises writers at READ COMMITTED only");
  std::string sql;
  if (options.isolation == Isolation::kRepeatableRead) sql = "ISOLATION LEVEL REPEATABLE READ";
  if (options.isolation == Isolation::kSerializable) sql = "ISOLATION LEVEL SERIALIZABLE";
  if (options.read_only) sql += sql.empty() ? "READ ONLY" : ", READ ONLY";
  if (!sql.empty()) sql = "SET TRANSACTION " + sql;
  if (options.advisory_lock) {
    if (!sql.empty()) sql += "; ";
    // The key is ours, a number: written into the text, no parameter needed.
    sql += std::string("SET LOCAL lock_timeout = '") + kLockWait +
           "'; SELECT pg_advisory_xact_lock(" + std::to_string(options.advisory_lock) +
           "); SET LOCAL lock_timeout TO DEFAULT";  // f's own waits are its own
  }
  if (options.then) sql += (sql.empty() ? "" : "; ") + std::string(options.then);
  return sql;
}

void RetryPolicy::after_failure(Lease& lease, bool commit_sent, bool f_ran_once) {
  try {
    rethrow_translated();
  } catch (const RetryableConflict&) {
    if (f_ran_once || ++conflicts_ >= max_attempts_) throw;
    pause_before_retry(conflicts_);
    return;
  } catch (const StoreUnavailableError& e) {
    lease.discard();
    if (commit_sent) throw StoreUnavailableError(std::string("outcome unknown: ") + e.what());
    if (reconnected_ || f_ran_once) throw;
  } catch (...) {
    // An error without SQLSTATE on a connection that is no longer open: the
    // connection was lost, whatever libpqxx called it.
    if (lease->is_open()) throw;
    lease.discard();
    if (commit_sent)
      throw StoreUnavailableError("outcome unknown: connection lost while committing");
    if (reconnected_ || f_ran_once) throw StoreUnavailableError("database connection lost");
  }
  // The connection was lost before COMMIT was sent, so nothing was
  // committed: one more run on a fresh connection rides out a restart or a
  // failover. Lost during COMMIT, the transaction may have committed, and
  // running it again could do it twice: the caller is told instead.
  reconnected_ = true;
}

}  // namespace detail

}  // namespace rdv::postgres
