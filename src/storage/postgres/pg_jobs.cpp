#include "storage/postgres/pg_jobs.h"

#include <nlohmann/json.hpp>

#include "storage/postgres/rows.h"

namespace rdv {

using namespace postgres;  // Row and the shared row encodings

std::vector<Job> PgJobs::with_status(JobStatus status, size_t limit) {
  auto r = tx_.exec_params(std::string("SELECT ") + kJobColumns +
                               " FROM jobs WHERE status = $1 ORDER BY id DESC LIMIT $2",
                           std::string(job_status_name(status)), static_cast<std::int64_t>(limit));
  return all_of(r, job_from_row<Row>);
}

std::vector<std::tuple<JobKind, JobStatus, std::int64_t>> PgJobs::counts() {
  // Bytewise, as SQLite orders text, whatever the database's collation.
  auto r = tx_.exec(
      "SELECT kind, status, count(*) AS n FROM jobs GROUP BY kind, status "
      "ORDER BY kind COLLATE \"C\", status COLLATE \"C\"");
  std::vector<std::tuple<JobKind, JobStatus, std::int64_t>> out;
  for (const auto& row : r) {
    Row c(row);
    auto kind = parse_job_kind(c.text("kind"));
    auto status = parse_job_status(c.text("status"));
    if (kind && status) out.emplace_back(*kind, *status, c.int64("n"));
  }
  return out;
}

std::optional<Instant> PgJobs::oldest_due(Instant now) {
  auto r = tx_.exec_params1(
      "SELECT min(run_at) AS due FROM jobs WHERE status = 'pending' AND run_at <= $1",
      to_epoch(now));
  auto due = Row(r).opt_int64("due");
  if (!due) return std::nullopt;
  return from_epoch(*due);
}

void PgJobs::enqueue(const std::vector<Job>& jobs) {
  if (jobs.empty()) return;
  // The jobs go as one JSON array, inserted in their order, with the
  // transaction's next round trip (a booking's COMMIT): nothing waits for
  // their ids, and with no foreign key and ON CONFLICT DO NOTHING only a
  // fault of the database can fail them. A concurrent enqueue of the same
  // key waits for the other transaction, then adds nothing if it committed.
  nlohmann::json rows = nlohmann::json::array();
  for (const Job& j : jobs)
    rows.push_back({{"kind", job_kind_name(j.kind)},
                    {"idempotency_key", j.idempotency_key},
                    {"payload", j.payload},
                    {"organisation_id", j.organisation_id ? nlohmann::json(*j.organisation_id)
                                                          : nlohmann::json(nullptr)},
                    {"run_at", to_epoch(j.run_at)},
                    {"max_attempts", j.max_attempts},
                    {"created_at", to_epoch(j.created_at)}});
  tx_.send_with_next(
      "INSERT INTO jobs(kind, idempotency_key, payload, organisation_id, run_at, max_attempts, "
      "status, created_at) SELECT kind, idempotency_key, payload, organisation_id, run_at, "
      "max_attempts, 'pending', created_at FROM jsonb_to_recordset($1::jsonb) AS j(kind text, "
      "idempotency_key text, payload text, organisation_id bigint, run_at bigint, "
      "max_attempts integer, created_at bigint) "
      "ON CONFLICT (idempotency_key) DO NOTHING",
      rows.dump());
}

std::vector<Job> PgJobs::claim(const std::string& owner, Instant now, Instant lease_until,
                               size_t limit) {
  // SKIP LOCKED: a job that another scheduler's open transaction holds is
  // left to it rather than waited for, so that schedulers claiming at once
  // take disjoint sets without queueing behind each other. The rows come back
  // as updated (running, the attempt counted), as SQLite's claim returns them.
  auto r = tx_.exec_params(
      std::string("WITH due AS (SELECT id FROM jobs WHERE (status = 'pending' AND run_at <= $1) "
                  "OR (status = 'running' AND lease_until < $1) ORDER BY run_at, id LIMIT $2 "
                  "FOR UPDATE SKIP LOCKED), "
                  "taken AS (UPDATE jobs j SET status = 'running', lease_owner = $3, "
                  "lease_until = $4, attempts = j.attempts + 1 FROM due WHERE j.id = due.id "
                  "RETURNING j.*) SELECT ") +
          kJobColumns + " FROM taken ORDER BY run_at, id",
      to_epoch(now), static_cast<std::int64_t>(limit), owner, to_epoch(lease_until));
  return all_of(r, job_from_row<Row>);
}

bool PgJobs::finish(Id job_id, const std::string& owner, JobStatus status, const std::string& error,
                    Instant now, std::optional<Instant> retry_at) {
  auto r = tx_.exec_params(
      "UPDATE jobs SET status = $1, last_error = $2, lease_owner = '', lease_until = 0, "
      "run_at = coalesce($3::bigint, run_at), "
      "finished_at = CASE WHEN $4::boolean THEN NULL ELSE $5::bigint END "
      "WHERE id = $6 AND status = 'running' AND lease_owner = $7",
      std::string(job_status_name(retry_at ? JobStatus::kPending : status)), error,
      epoch_or_null(retry_at), retry_at.has_value(), to_epoch(now), job_id, owner);
  return r.affected_rows() > 0;
}

void PgJobs::delete_finished_before(Instant finished_before) {
  tx_.exec_params0(
      "DELETE FROM jobs WHERE status IN ('done', 'skipped', 'failed') AND finished_at < $1",
      to_epoch(finished_before));
}

}  // namespace rdv
