// What a PostgreSQL store needs around libpqxx: a pool of connections that
// reopens the broken ones, PostgreSQL's errors turned into the store's typed
// errors, and transactions run again when, and only when, that is safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <pqxx/version>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "storage/store.h"  // SlotTakenError
#include "storage/store_errors.h"

// postgres::Transaction derives from libpqxx 6's internal transaction
// classes, which libpqxx 7 changed.
static_assert(PQXX_VERSION_MAJOR == 6, "the PostgreSQL store is written for libpqxx 6");

namespace rdv::postgres {

// No connection came free in time: the database is slow or overloaded.
// Temporary like any unavailability, so the API answers 503 for it too.
struct PoolTimeoutError : StoreUnavailableError {
  using StoreUnavailableError::StoreUnavailableError;
};

// A serialization failure (SQLSTATE 40001) or a deadlock (40P01): PostgreSQL
// rolled the transaction back, and running it again is correct. Once the
// retries are spent, the client is told to come back, like for an outage.
struct RetryableConflict : StoreUnavailableError {
  using StoreUnavailableError::StoreUnavailableError;
};

// Inside a catch block: rethrows the exception in flight as the store's typed
// error when it is one (23P01 -> SlotTakenError; lost connection or server
// shutting down -> StoreUnavailableError; 40001, 40P01 -> RetryableConflict),
// unchanged otherwise.
[[noreturn]] void rethrow_translated();

class Pool;

// A connection lent by a pool, given back when the lease ends. Move-only.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  ~Lease();

  pqxx::connection& connection() { return *conn_; }
  pqxx::connection* operator->() { return conn_.get(); }
  // The connection is lost or in an unknown state: the pool closes it
  // rather than lending it again. (A lease whose connection is no longer
  // open is discarded anyway.)
  void discard() { discard_ = true; }

 private:
  friend class Pool;
  Lease(Pool& pool, std::unique_ptr<pqxx::connection> conn);

  Pool* pool_;
  std::unique_ptr<pqxx::connection> conn_;
  bool discard_ = false;
};

// `url` (a libpq URL or key=value string) as a key=value string with the
// settings a server's connections need where neither the URL, nor libpq's
// environment (PGCONNECT_TIMEOUT, PGAPPNAME), nor a service file says
// otherwise: connect_timeout 5 s, TCP keepalives (idle 30 s, then 3 probes
// 10 s apart) and tcp_user_timeout 30 s, so that a dead peer (a partition, a
// failed primary) is noticed in under a minute rather than hours. The pool
// also sets each session's idle_in_transaction_session_timeout (60 s) unless
// the role has one, so that a client stopped mid-transaction holds no lock.
std::string with_session_defaults(const std::string& url);

class Pool {
 public:
  // `url`: a libpq URL or key=value string, several hosts as libpq allows
  // (add target_session_attrs=read-write to land on the primary), opened with
  // with_session_defaults(). Connections open on first need, at most `size`
  // at once; a caller waits up to `wait` for one to come free.
  Pool(std::string url, std::size_t size, std::chrono::milliseconds wait = std::chrono::seconds(5));
  Pool(const Pool&) = delete;
  ~Pool();  // every lease must have ended

  // A connection known to be usable as far as the client can tell (one the
  // server closed while it was idle is reopened). Throws PoolTimeoutError
  // after `wait`, StoreUnavailableError when a connection cannot be opened.
  Lease acquire();

  // How many connections the pool may open, has open (lent or idle), and
  // keeps idle: what the metrics show of it.
  struct Use {
    std::size_t size, open, idle;
  };
  Use use();

 private:
  friend class Lease;
  void give_back(std::unique_ptr<pqxx::connection> conn, bool discard) noexcept;
  std::unique_ptr<pqxx::connection> open_connection();

  const std::string conninfo_;
  const std::size_t size_;
  const std::chrono::milliseconds wait_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;  // idle, lent, or being opened; never above size_
};

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

struct TransactionOptions {
  bool read_only = false;
  Isolation isolation = Isolation::kReadCommitted;
  int max_attempts = 4;  // runs in all, when each ends in a RetryableConflict
  // Taken first (pg_advisory_xact_lock), waiting at most kLockWait: a wait
  // that long is a RetryableConflict (SQLSTATE 55P03), not a frozen thread.
  std::int64_t advisory_lock = 0;
  // Whether f may run again after a failure met inside it. False for
  // functions that are not safe to run twice (they keep what they read, move
  // what they write): they run again only when the failure came before them.
  bool run_again = true;
  // A statement of ours (no values, cannot fail) run right after the opening,
  // in the same round trip: a grouped write's first savepoint.
  const char* then = nullptr;
};
inline constexpr const char* kLockWait = "3s";
// Writes run at READ COMMITTED: the constraints and triggers of the schema
// hold there (see migrations/0001_schema.sql). Reads see one snapshot, and a
// read-only REPEATABLE READ transaction never fails to serialize.
inline constexpr TransactionOptions kWrite{};
inline constexpr TransactionOptions kRead{true, Isolation::kRepeatableRead};

namespace detail {

// What a transaction runs first, right after its BEGIN: its SET TRANSACTION,
// pg_advisory_xact_lock(options.advisory_lock) waiting at most kLockWait,
// and options.then; "" when the options ask for none. The lock only with READ
// COMMITTED (else std::logic_error): at REPEATABLE READ or SERIALIZABLE the
// snapshot is taken before the wait, and would miss what the previous
// holder of the lock committed.
std::string opening_sql(const TransactionOptions& options);

// Decides, in the catch block of a failed attempt, whether the transaction
// runs again: returns when it may (after a short pause for a conflict), or
// rethrows the failure translated (see rethrow_translated).
class RetryPolicy {
 public:
  explicit RetryPolicy(int max_attempts) : max_attempts_(max_attempts) {}
  // `f_ran`: the failure came from f or after it, and f may not run again.
  void after_failure(Lease& lease, bool commit_sent, bool f_ran_once);

 private:
  int max_attempts_;
  int conflicts_ = 0;         // runs that ended in a RetryableConflict
  bool reconnected_ = false;  // the one run again after a lost connection
};

}  // namespace detail

// A transaction whose BEGIN and opening (detail::opening_sql) go as one
// simple query: one round trip before f's first statement, where
// pqxx::work's BEGIN and then the opening took two. Otherwise a pqxx::work
// (COMMIT with libpqxx's in-doubt handling, ROLLBACK when not committed),
// except that a connection lost at BEGIN is not reopened here: the pool and
// with_transaction's retry do that. Built on libpqxx 6's transaction
// internals (Begin, End, do_begin), hence the version check above.
//
// Statements may also wait to go with the next one (send_with_next): a
// grouped write's savepoint (but the group's first, set with its BEGIN:
// TransactionOptions::then) rides with the write's first reads, in their
// round trip; the jobs a write plans ride with whatever comes next. What
// sends statements sends the waiting ones first, in order: exec() and
// commit() in the same simple query, a Batch in its pipeline (when none of
// its statements needs preparing first: see Batch), Statements::exec_params
// in a round trip of its own just before.
class Transaction final : public pqxx::internal::basic_transaction {
 public:
  Transaction(pqxx::connection_base& connection, const std::string& opening);
  ~Transaction() noexcept override;

  // `sql` (one statement of ours, its values quoted into it: see
  // Statements::send_with_next) runs before the next statement. Only for
  // statements that nothing but a fault of the database can fail: their
  // error would be the next one's (in a write group, the next write's, and
  // then the whole group fails: see write_groups.cpp).
  void send_with_next(std::string sql) { waiting_.push_back(std::move(sql)); }
  const std::vector<std::string>& waiting() const { return waiting_; }
  // Forgets the waiting statements: the caller sends them.
  void forget_waiting() { waiting_.clear(); }
  // Sends the waiting statements now (one round trip; none if none wait).
  void send_waiting();

  // Named statements this transaction has run, hence prepared on the server.
  bool ran(const std::string& name) const { return ran_.contains(name); }
  void note_ran(const std::string& name) { ran_.insert(name); }

  // Whether the server session knows our prepared statements by our names
  // (server_keeps_statement_names), as the store found; false until it says.
  bool names_kept() const { return names_kept_; }
  void set_names_kept(bool kept) { names_kept_ = kept; }

 private:
  void do_begin() override;
  pqxx::result do_exec(const char query[]) override;
  void do_commit() override;
  void do_abort() override;
  // The waiting statements as the head of a simple query, forgotten.
  std::string take_waiting_sql();
  const std::string begin_sql_;
  std::vector<std::string> waiting_;
  std::unordered_set<std::string> ran_;
  bool names_kept_ = false;
};

// `tx` as a Transaction, or nullptr (a plain libpqxx transaction).
inline Transaction* as_ours(pqxx::dbtransaction& tx) { return dynamic_cast<Transaction*>(&tx); }

// Runs f(Transaction&) in a transaction and commits; returns what f returns.
// Unless options.run_again is false, f may run more than once, so it must not
// act outside the transaction (or do so idempotently); it should let
// libpqxx's exceptions out so that they are recognised here. It runs again:
//  - after a serialization failure or deadlock, up to options.max_attempts
//    runs in all, then RetryableConflict;
//  - once, on a fresh connection, when the connection was lost before COMMIT
//    was sent (nothing was committed). Lost while committing, the outcome is
//    unknown: StoreUnavailableError, never a blind second run.
// A 23P01 (double booking) ends as SlotTakenError; other errors pass unchanged.
template <class F>
auto with_transaction(Pool& pool, F&& f, const TransactionOptions& options = kWrite)
    -> std::invoke_result_t<F&, Transaction&> {
  using Result = std::invoke_result_t<F&, Transaction&>;
  const std::string opening = detail::opening_sql(options);
  detail::RetryPolicy policy(options.max_attempts);
  for (;;) {
    Lease lease = pool.acquire();
    bool commit_sent = false, f_started = false;
    try {
      Transaction tx(lease.connection(), opening);
      f_started = true;
      if constexpr (std::is_void_v<Result>) {
        f(tx);
        commit_sent = true;
        tx.commit();
        return;
      } else {
        Result result = f(tx);
        commit_sent = true;
        tx.commit();
        return result;
      }
    } catch (...) {
      policy.after_failure(lease, commit_sent, f_started && !options.run_again);
    }
  }
}

}  // namespace rdv::postgres
