#include "storage/sqlite/group_commit.h"

#include <algorithm>

#include "storage/sqlite/connection.h"
#include "storage/store_errors.h"

namespace rdv::sqlite {

void GroupCommit::run(const std::function<void()>& work) {
  Pending me{&work};
  std::unique_lock lock(mutex_);
  queue_.push_back(&me);
  me.wake.wait(lock, [&] { return me.done || queue_.front() == &me; });
  if (!me.done) {
    // At the front: commit the writes queued behind, which stay queued (so
    // that the next ones wait) until their group is committed.
    std::vector<Pending*> group(
        queue_.begin(),
        queue_.begin() + static_cast<std::ptrdiff_t>(std::min(queue_.size(), max_group_)));
    lock.unlock();
    commit(group);
    lock.lock();
    counts_.writes += group.size();
    ++counts_.groups;
    for (Pending* p : group) {
      queue_.pop_front();
      p->done = true;
      if (p != &me) p->wake.notify_one();  // under the lock: p lives until it wakes
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }
  lock.unlock();
  if (me.error) std::rethrow_exception(me.error);
}

void GroupCommit::commit_alone(Pending& p) noexcept {
  try {
    Transaction tx(c_, "BEGIN IMMEDIATE");
    (*p.work)();
    tx.commit();
  } catch (...) {
    p.error = std::current_exception();
  }
}

void GroupCommit::commit(const std::vector<Pending*>& group) noexcept {
  if (group.size() == 1) return commit_alone(*group.front());
  std::size_t started = 0;  // the writes whose work began
  try {
    Transaction tx(c_, "BEGIN IMMEDIATE");
    for (Pending* p : group) {
      c_.exec("SAVEPOINT grouped_write");
      ++started;
      try {
        (*p->work)();
      } catch (...) {
        p->error = std::current_exception();
        // Disk full, I/O errors and the like end the whole transaction in
        // SQLite, not just the statement: the writes before are lost too.
        if (!c_.in_transaction())
          throw StoreUnavailableError(
              "a write committed with this one failed and the database "
              "rolled back their transaction");
        c_.exec("ROLLBACK TO grouped_write");
      }
      c_.exec("RELEASE grouped_write");
    }
    tx.commit();
  } catch (...) {
    // Nothing of the group is stored (the guard rolled back). The writes that
    // ran learn why; those that had not begun form a group of their own.
    std::exception_ptr why = std::current_exception();
    if (started == 0) started = group.size();  // BEGIN failed: it would fail for each
    for (std::size_t i = 0; i < started; ++i)
      if (!group[i]->error) group[i]->error = why;
    if (started < group.size())
      commit({group.begin() + static_cast<std::ptrdiff_t>(started), group.end()});
  }
}

std::size_t GroupCommit::waiting() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

GroupCommit::Counts GroupCommit::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace rdv::sqlite
