// PgJobs against SqliteJobs: the same calls on both stores give the same
// jobs and counts, field by field (see pg_twin.h); then what only PostgreSQL
// has to prove: schedulers of several processes claiming at once take
// disjoint jobs, and enqueueing one key at once adds one job.
#include "storage/postgres/pg_jobs.h"

#include <gtest/gtest.h>

#include <future>
#include <set>

#include "unit/storage/pg_twin.h"

namespace rdv::testing {
namespace {

Job job(JobKind kind, const std::string& key, Instant run_at, std::optional<Id> organisation) {
  Job j;
  j.kind = kind;
  j.idempotency_key = key;
  j.payload = R"({"to":")" + key + R"("})";
  j.organisation_id = organisation;
  j.run_at = run_at;
  j.max_attempts = 5;
  j.created_at = kDay - 1h;
  return j;
}

TEST(PgJobs, OutboxLifecycleMatchesSqlite) {
  SeededTwin t;
  // The jobs pending after each enqueue.
  auto pending = [](Parts& p) { return p.jobs.with_status(JobStatus::kPending, 100).size(); };
  auto enqueued = t.same([&](Parts& p) {
    std::vector<size_t> after;
    p.jobs.enqueue({job(JobKind::kEmail, "mail-1", kDay, kOrg1)});
    after.push_back(pending(p));
    p.jobs.enqueue({job(JobKind::kSms, "sms-1", kDay - 10min, std::nullopt),
                    job(JobKind::kWebhook, "hook-1", kDay - 10min, kOrg2),
                    job(JobKind::kEmail, "mail-2", kDay - 5min, kOrg1)});
    after.push_back(pending(p));
    p.jobs.enqueue({});
    after.push_back(pending(p));
    return after;
  });
  EXPECT_EQ(enqueued, (std::vector<size_t>{1, 4, 4}));
  // Last enqueue of the test: PostgreSQL spends an id on each refused row,
  // so the one added comes first. A key already stored, or met earlier in
  // the same call, adds nothing.
  EXPECT_EQ(t.same([&](Parts& p) {
    Job again = job(JobKind::kSms, "mail-1", kDay - 1h, std::nullopt);
    again.payload = "{}";
    Job later = job(JobKind::kEmail, "mail-later", kDay + 1h, kOrg1);
    p.jobs.enqueue({later, again, later});
    return pending(p);
  }),
            5u);
  t.same([](Parts& p) { return p.jobs.with_status(JobStatus::kPending, 10); });
  EXPECT_EQ(t.same([](Parts& p) { return p.jobs.with_status(JobStatus::kPending, 2); }).size(), 2u);
  t.same([](Parts& p) { return p.jobs.counts(); });

  // Due jobs by run_at then id; the one to come stays.
  auto a = t.same([](Parts& p) { return p.jobs.claim("a", kDay, kDay + 5min, 2); });
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].status, JobStatus::kRunning);
  EXPECT_EQ(a[0].attempts, 1);
  auto b = t.same([](Parts& p) { return p.jobs.claim("b", kDay, kDay + 5min, 10); });
  EXPECT_EQ(b.size(), 2u);
  EXPECT_TRUE(t.same([](Parts& p) { return p.jobs.claim("c", kDay, kDay + 5min, 10); }).empty());

  auto finish = [&](Id id, const std::string& owner, JobStatus status, const std::string& error,
                    std::optional<Instant> retry_at) {
    return t.same(
        [&](Parts& p) { return p.jobs.finish(id, owner, status, error, kDay + 1min, retry_at); });
  };
  EXPECT_FALSE(finish(a[0].id, "b", JobStatus::kDone, "", std::nullopt));  // not its lease
  EXPECT_TRUE(finish(a[0].id, "a", JobStatus::kDone, "", std::nullopt));
  EXPECT_FALSE(finish(a[0].id, "a", JobStatus::kDone, "", std::nullopt));      // done already
  EXPECT_TRUE(finish(a[1].id, "a", JobStatus::kFailed, "503", kDay + 30min));  // again later
  EXPECT_TRUE(finish(b[0].id, "b", JobStatus::kSkipped, "no phone", std::nullopt));
  for (JobStatus status : {JobStatus::kPending, JobStatus::kRunning, JobStatus::kDone,
                           JobStatus::kSkipped, JobStatus::kFailed})
    t.same([&](Parts& p) { return p.jobs.with_status(status, 10); });
  t.same([](Parts& p) { return p.jobs.counts(); });

  // b[1]'s lease ran out at kDay + 5min: taken again, a second attempt;
  // the retried job is due at kDay + 30min.
  auto c = t.same([](Parts& p) { return p.jobs.claim("c", kDay + 6min, kDay + 10min, 10); });
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attempts, 2);
  EXPECT_FALSE(finish(b[1].id, "b", JobStatus::kDone, "", std::nullopt));  // lease lost
  EXPECT_TRUE(finish(c[0].id, "c", JobStatus::kFailed, "gave up", std::nullopt));
  EXPECT_EQ(t.same([](Parts& p) { return p.jobs.claim("d", kDay + 2h, kDay + 3h, 10); }).size(),
            2u);  // the retried job and the one to come

  // Finished at kDay + 1min: kept at that instant, gone after it.
  t.same([](Parts& p) { p.jobs.delete_finished_before(kDay + 1min); });
  t.same([](Parts& p) { return p.jobs.counts(); });
  t.same([](Parts& p) { p.jobs.delete_finished_before(kDay + 1min + 1s); });
  t.same([](Parts& p) { return p.jobs.counts(); });
  for (JobStatus status : {JobStatus::kRunning, JobStatus::kDone, JobStatus::kFailed})
    t.same([&](Parts& p) { return p.jobs.with_status(status, 10); });
}

TEST(PgJobs, ConcurrentClaimsTakeDisjointJobs) {
  SeededTwin t;
  {
    pqxx::work tx(t.pg());
    PgJobs jobs(tx);
    for (int i = 0; i < 10; ++i)
      jobs.enqueue({job(JobKind::kEmail, "mail-" + std::to_string(i), kDay - 1min * i, kOrg1)});
    ASSERT_EQ(jobs.with_status(JobStatus::kPending, 100).size(), 10u);
    tx.commit();
  }
  // Two schedulers' transactions open at once; the second must neither wait
  // for the first (lock_timeout turns a wait into a failure) nor take its jobs.
  pqxx::connection other(t.url());
  pqxx::work first(t.pg());
  pqxx::work second(other);
  second.exec0("SET LOCAL lock_timeout = '2s'");
  auto a = PgJobs(first).claim("a", kDay, kDay + 5min, 4);
  auto b = PgJobs(second).claim("b", kDay, kDay + 5min, 100);
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(b.size(), 6u);
  std::set<Id> ids;
  for (auto& j : a) ids.insert(j.id);
  for (auto& j : b) ids.insert(j.id);
  EXPECT_EQ(ids.size(), 10u);
  // The first took the most overdue ones, in order.
  for (size_t i = 1; i < a.size(); ++i) EXPECT_LE(a[i - 1].run_at, a[i].run_at);
  second.commit();
  first.commit();

  pqxx::work after(t.pg());
  EXPECT_TRUE(PgJobs(after).claim("c", kDay, kDay + 5min, 100).empty());
  EXPECT_EQ(PgJobs(after).with_status(JobStatus::kRunning, 100).size(), 10u);
}

TEST(PgJobs, ConcurrentEnqueueOfOneKeyAddsOneJob) {
  SeededTwin t;
  pqxx::connection other(t.url());
  pqxx::work first(t.pg());
  PgJobs(first).enqueue({job(JobKind::kEmail, "same", kDay, kOrg1)});
  auto second = std::async(std::launch::async, [&] {
    pqxx::work tx(other);
    tx.exec0("SET LOCAL lock_timeout = '10s'");
    PgJobs(tx).enqueue({job(JobKind::kSms, "same", kDay, std::nullopt)});
    tx.commit();
  });
  EXPECT_EQ(second.wait_for(200ms), std::future_status::timeout);  // waits for the first
  first.commit();
  second.get();
  pqxx::work check(t.pg());
  auto pending = PgJobs(check).with_status(JobStatus::kPending, 10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].kind, JobKind::kEmail);
}

}  // namespace
}  // namespace rdv::testing
