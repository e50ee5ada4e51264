// Group commit: writes that arrive while another is being committed wait, and
// are then run together in one transaction, each in a savepoint of its own,
// so that one transaction (one flush to disk, one take of the write lock)
// serves all of them. Writes are serialised anyway (SQLite has one writer;
// on PostgreSQL every write takes the same advisory lock); without grouping,
// concurrent bookings queue behind each other's commit.
//
// Each write still behaves as if it ran alone, one after the other: it sees
// what the writes before it in the group wrote, what it throws rolls back its
// own writes only and reaches its own caller, and run() returns only after
// the group's COMMIT. A write that arrives alone runs in a transaction of its
// own, as without grouping (no savepoint, no wait).
//
// Except when the database fails the transaction itself: a COMMIT that
// fails, an error after which SQLite rolls back the whole transaction (a
// full disk, an I/O error), or on PostgreSQL a failing statement of one write
// sent with the next write's first (its jobs: postgres::Transaction's
// send_with_next). Then nothing of the group is stored, and the
// writes that ran in it fail too (StoreUnavailableError: 503, to be retried
// with the same Idempotency-Key); they are not run again, since a write runs
// once. Deferred constraints would be checked at the group's COMMIT and fail
// it whole: the schemas have none, keep it so.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace rdv {

class StoreWriter;

// One write transaction of a store, as a group uses it.
class GroupTransaction {
 public:
  virtual ~GroupTransaction() = default;
  virtual StoreWriter& parts() = 0;
  // Runs a savepoint statement (ROLLBACK TO) now, after those that wait.
  virtual void exec(const std::string& sql) = 0;
  // Runs a savepoint statement (SAVEPOINT, RELEASE) that cannot fail before
  // the write's next statement: PostgreSQL sends it in that statement's
  // round trip (postgres::Transaction::send_with_next).
  virtual void exec_with_next(const std::string& sql) { exec(sql); }
  // False when the database ended the transaction itself (SQLite does on a
  // full disk or an I/O error): the writes before are lost too.
  virtual bool alive() = 0;
  // What a write's exception becomes for its caller, as the store would
  // report it had the write run alone (PostgreSQL: SQLSTATE to store errors).
  virtual std::exception_ptr reported(std::exception_ptr e) { return e; }
};

class WriteGroups {
 public:
  using Work = std::function<void(StoreWriter&)>;
  // Begins a write transaction, runs `after_begin` (a statement of ours, or
  // nullptr: a group's first savepoint, which PostgreSQL sends with its
  // BEGIN), calls `body` with it, commits; throws when the transaction fails
  // (then nothing of it is stored).
  using RunTransaction = std::function<void(const char* after_begin,
                                            const std::function<void(GroupTransaction&)>& body)>;

  explicit WriteGroups(RunTransaction run, std::size_t max_group = 64)
      : run_(std::move(run)), max_group_(max_group > 0 ? max_group : 1) {}
  WriteGroups(const WriteGroups&) = delete;

  // Runs `work` in a write transaction and returns once it is committed;
  // rethrows what `work` threw, its writes rolled back. `work` runs once, on
  // whichever caller's thread commits its group. A write inside a write
  // would wait for itself: std::logic_error instead.
  void run(const Work& work);

  struct Counts {
    std::size_t waiting = 0;               // writes queued or being committed now
    std::uint64_t writes = 0, groups = 0;  // run so far (committed or failed), and their groups
  };
  Counts counts() const;

 private:
  struct Pending {
    const Work* work;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable wake;
  };
  void commit(std::span<Pending* const> group) noexcept;

  RunTransaction run_;
  const std::size_t max_group_;
  mutable std::mutex mutex_;
  std::deque<Pending*> queue_;  // the front is committing its group
  Counts counts_;
};

}  // namespace rdv
