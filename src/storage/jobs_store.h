// The outbox: jobs (emails, SMS, webhooks) written in the same transaction as
// the change they tell of, then claimed under a lease by the scheduler of one
// process among several, and finished once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "domain/model.h"
#include "domain/time.h"

namespace rdv {

class JobsReader {
 public:
  virtual ~JobsReader() = default;
  // Newest first.
  virtual std::vector<Job> with_status(JobStatus status, size_t limit) = 0;
  // (kind, status) -> number of jobs, for /metrics.
  virtual std::vector<std::tuple<JobKind, JobStatus, std::int64_t>> counts() = 0;
  // When the most overdue job was due, if a pending job is due at `now`.
  virtual std::optional<Instant> oldest_due(Instant now) = 0;
};

class JobsWriter : public JobsReader {
 public:
  // Adds each job unless one with its idempotency key exists (in the store
  // or earlier in `jobs`). A use case's jobs go in one call: on PostgreSQL
  // they ride with the transaction's next statement (its COMMIT, often), so
  // that they cost no round trip of their own; the transaction's later
  // reads see them.
  virtual void enqueue(const std::vector<Job>& jobs) = 0;
  // Takes up to `limit` due jobs (or jobs whose lease ran out) for `owner`
  // until `lease_until`, counting the attempt.
  virtual std::vector<Job> claim(const std::string& owner, Instant now, Instant lease_until,
                                 size_t limit) = 0;
  // Ends an attempt of a job this owner holds: done, skipped, failed, or
  // pending again at `retry_at`. False when the lease was lost.
  virtual bool finish(Id job_id, const std::string& owner, JobStatus status,
                      const std::string& error, Instant now, std::optional<Instant> retry_at) = 0;
  // Forgets jobs that ended (done, skipped or failed) before `finished_before`.
  virtual void delete_finished_before(Instant finished_before) = 0;
};

}  // namespace rdv
