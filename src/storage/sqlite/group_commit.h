// Group commit: writes that arrive while another is being committed wait, and
// are then run together in one transaction, each in a savepoint of its own,
// so that one flush to disk makes all of them durable. On a disk whose flush
// costs as much as a booking's work, concurrent bookings would otherwise
// queue behind each other's fsync.
//
// Each write still behaves as if it ran alone, one after the other: it sees
// what the writes before it in the group wrote, what it throws rolls back its
// own writes only and reaches its own caller, and run() returns only after
// the group's COMMIT. A write that arrives alone runs in its own transaction,
// as without grouping (no savepoint, no wait).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

namespace rdv::sqlite {

class Connection;

class GroupCommit {
 public:
  // `c` is the writer connection; only this object begins transactions on it.
  explicit GroupCommit(Connection& c, std::size_t max_group = 64) : c_(c), max_group_(max_group) {}
  GroupCommit(const GroupCommit&) = delete;

  // Runs `work` in a write transaction (BEGIN IMMEDIATE) and returns once it
  // is committed; rethrows what `work` threw, its writes rolled back. `work`
  // runs once, on whichever caller's thread commits its group.
  void run(const std::function<void()>& work);

  // Writes queued or being committed now.
  std::size_t waiting() const;
  // Writes run (committed or failed), and the groups they ran in.
  struct Counts {
    std::uint64_t writes = 0, groups = 0;
  };
  Counts counts() const;

 private:
  struct Pending {
    const std::function<void()>* work;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable wake;
  };
  void commit(const std::vector<Pending*>& group) noexcept;
  void commit_alone(Pending& p) noexcept;

  Connection& c_;
  const std::size_t max_group_;
  mutable std::mutex mutex_;
  std::deque<Pending*> queue_;  // the front is committing its group
  Counts counts_;
};

}  // namespace rdv::sqlite
