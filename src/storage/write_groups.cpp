#include "storage/write_groups.h"

#include <algorithm>
#include <new>
#include <stdexcept>

#include "storage/store_errors.h"

namespace rdv {
namespace {

// Set on the thread running a group's writes (the caller's, or another's).
thread_local bool running_writes = false;

// Each write of a group has a savepoint of its own name. What waits to go
// with a write's first statement (the previous write's last statements on
// PostgreSQL, then RELEASE and SAVEPOINT) may fail before its SAVEPOINT runs;
// rolling back to the write's own name then fails too, and the whole group
// with it, rather than rolling back to the previous write's savepoint and
// dropping a write its caller would be told was made.
std::string savepoint(std::size_t write) { return "grouped_write_" + std::to_string(write); }

struct RunningWrites {
  RunningWrites() { running_writes = true; }
  ~RunningWrites() { running_writes = false; }
};

}  // namespace

void WriteGroups::run(const Work& work) {
  if (running_writes)
    throw std::logic_error("a store write was called inside a write: it would wait for itself");
  Pending me{&work};
  std::unique_lock lock(mutex_);
  queue_.push_back(&me);
  me.wake.wait(lock, [&] { return me.done || queue_.front() == &me; });
  if (!me.done) {
    // At the front: commit the writes queued behind, which stay queued (so
    // that the next ones wait) until their group is committed.
    // The group is copied out of the queue, which grows while it commits.
    // With no memory for the copy, this write is committed alone.
    std::size_t n = std::min(queue_.size(), max_group_);
    Pending* alone = &me;
    std::span<Pending* const> group(&alone, 1);
    std::vector<Pending*> copied;
    try {
      copied.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      group = copied;
    } catch (const std::bad_alloc&) {
      n = 1;
    }
    lock.unlock();
    commit(group);
    lock.lock();
    counts_.writes += n;
    ++counts_.groups;
    for (std::size_t i = 0; i < n; ++i) {
      Pending* p = queue_.front();
      queue_.pop_front();
      p->done = true;
      if (p != &me) p->wake.notify_one();  // under the lock: p lives until it wakes
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }
  lock.unlock();
  if (me.error) std::rethrow_exception(me.error);
}

void WriteGroups::commit(std::span<Pending* const> group) noexcept {
  std::size_t started = 0;  // the writes whose work began
  try {
    RunningWrites running;
    const bool alone = group.size() == 1;  // then its errors are the transaction's
    // The first write's savepoint is set with the BEGIN.
    const std::string first = "SAVEPOINT " + savepoint(0);
    run_(alone ? nullptr : first.c_str(), [&](GroupTransaction& tx) {
      started = 0;  // the store begins again when its BEGIN found the connection lost
      if (alone) {
        started = 1;
        (*group.front()->work)(tx.parts());
        return;
      }
      for (Pending* p : group) {
        const std::size_t write = started;
        // The savepoint of the write before is released, this one's set.
        // Sent with the write's first statement: on PostgreSQL a round trip
        // fewer.
        if (write > 0) {
          tx.exec_with_next("RELEASE " + savepoint(write - 1));
          tx.exec_with_next("SAVEPOINT " + savepoint(write));
        }
        ++started;
        try {
          (*p->work)(tx.parts());
        } catch (...) {
          p->error = tx.reported(std::current_exception());
          const char* lost =
              "a write committed with this one failed and the database rolled back their "
              "transaction";
          if (!tx.alive()) throw StoreUnavailableError(lost);
          try {
            tx.exec("ROLLBACK TO " + savepoint(write));
          } catch (...) {  // its savepoint was never set: the group cannot go on
            throw StoreUnavailableError(lost);
          }
        }
      }
    });
  } catch (...) {
    // Nothing of the group is stored. The writes that ran learn why; those
    // that had not begun form a group of their own.
    std::exception_ptr why = std::current_exception();
    if (started == 0) started = group.size();  // BEGIN failed: it would for each
    for (std::size_t i = 0; i < started; ++i)
      if (!group[i]->error) group[i]->error = why;
    if (started < group.size()) commit(group.subspan(started));
  }
}

WriteGroups::Counts WriteGroups::counts() const {
  std::lock_guard lock(mutex_);
  Counts out = counts_;
  out.waiting = queue_.size();
  return out;
}

}  // namespace rdv
