// The outbox of jobs (messages, webhooks) on SQLite.
#pragma once

#include "storage/jobs_store.h"
#include "storage/sqlite/connection.h"

namespace rdv {

class SqliteJobs final : public JobsWriter {
 public:
  explicit SqliteJobs(sqlite::Connection& c) : c_(c) {}

  std::vector<Job> with_status(JobStatus status, size_t limit) override;
  std::vector<std::tuple<JobKind, JobStatus, std::int64_t>> counts() override;
  std::optional<Instant> oldest_due(Instant now) override;
  void enqueue(const std::vector<Job>& jobs) override;
  std::vector<Job> claim(const std::string& owner, Instant now, Instant lease_until,
                         size_t limit) override;
  bool finish(Id job_id, const std::string& owner, JobStatus status, const std::string& error,
              Instant now, std::optional<Instant> retry_at) override;
  void delete_finished_before(Instant finished_before) override;

 private:
  sqlite::Connection& c_;
};

}  // namespace rdv
