#include "storage/write_groups.h"

#include <algorithm>
#include <new>
#include <stdexcept>

#include "storage/store_errors.h"

namespace rdv {
namespace {

// Set on the thread running a group's writes (the caller's, or another's).
thread_local bool running_writes = false;

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
    run_(alone ? nullptr : "SAVEPOINT grouped_write", [&](GroupTransaction& tx) {
      started = 0;  // the store begins again when its BEGIN found the connection lost
      if (alone) {
        started = 1;
        (*group.front()->work)(tx.parts());
        return;
      }
      for (Pending* p : group) {
        // The savepoint of the write before is released and set again. Sent
        // with the write's first statement: on PostgreSQL a round trip fewer.
        if (started > 0) {
          tx.exec_with_next("RELEASE grouped_write");
          tx.exec_with_next("SAVEPOINT grouped_write");
        }
        ++started;
        try {
          (*p->work)(tx.parts());
        } catch (...) {
          p->error = tx.reported(std::current_exception());
          if (!tx.alive())
            throw StoreUnavailableError(
                "a write committed with this one failed and the database rolled back their "
                "transaction");
          tx.exec("ROLLBACK TO grouped_write");
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
