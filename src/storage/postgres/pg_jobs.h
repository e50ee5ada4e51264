// The outbox of jobs (messages, webhooks) on PostgreSQL, where the
// schedulers of several processes claim from the same table.
#pragma once

#include <pqxx/pqxx>

#include "storage/jobs_store.h"
#include "storage/postgres/statements.h"

namespace rdv {

class PgJobs final : public JobsWriter {
 public:
  explicit PgJobs(pqxx::dbtransaction& tx) : tx_(tx) {}

  std::vector<Job> with_status(JobStatus status, size_t limit) override;
  std::vector<std::tuple<JobKind, JobStatus, std::int64_t>> counts() override;
  std::optional<Instant> oldest_due(Instant now) override;
  void enqueue(const std::vector<Job>& jobs) override;
  // Skips the jobs that another open transaction is claiming (or finishing),
  // so that concurrent schedulers take disjoint sets without waiting.
  std::vector<Job> claim(const std::string& owner, Instant now, Instant lease_until,
                         size_t limit) override;
  bool finish(Id job_id, const std::string& owner, JobStatus status, const std::string& error,
              Instant now, std::optional<Instant> retry_at) override;
  void delete_finished_before(Instant finished_before) override;

 private:
  postgres::Statements tx_;
};

}  // namespace rdv
