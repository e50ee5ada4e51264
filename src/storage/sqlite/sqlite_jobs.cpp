#include "storage/sqlite/sqlite_jobs.h"

#include "storage/sqlite/rows.h"

namespace rdv {

using namespace sqlite;  // the shared row encodings

std::vector<Job> SqliteJobs::with_status(JobStatus status, size_t limit) {
  auto st = c_.prepare(std::string("SELECT ") + kJobColumns +
                       " FROM jobs WHERE status = ? ORDER BY id DESC LIMIT ?");
  st.bind(1, job_status_name(status)).bind(2, static_cast<std::int64_t>(limit));
  std::vector<Job> out;
  while (st.step()) out.push_back(job_from_row(st));
  return out;
}

std::vector<std::tuple<JobKind, JobStatus, std::int64_t>> SqliteJobs::counts() {
  auto st = c_.prepare(
      "SELECT kind, status, count(*) AS n FROM jobs GROUP BY kind, status ORDER BY 1, 2");
  std::vector<std::tuple<JobKind, JobStatus, std::int64_t>> out;
  while (st.step()) {
    auto kind = parse_job_kind(st.text("kind"));
    auto status = parse_job_status(st.text("status"));
    if (kind && status) out.emplace_back(*kind, *status, st.int64("n"));
  }
  return out;
}

std::optional<Instant> SqliteJobs::oldest_due(Instant now) {
  auto st =
      c_.prepare("SELECT min(run_at) AS due FROM jobs WHERE status = 'pending' AND run_at <= ?");
  st.bind(1, to_epoch(now));
  if (!st.step()) return std::nullopt;
  auto due = st.opt_int64("due");
  if (!due) return std::nullopt;
  return from_epoch(*due);
}

void SqliteJobs::enqueue(const std::vector<Job>& jobs) {
  for (const Job& j : jobs) {
    auto st = c_.prepare(
        "INSERT OR IGNORE INTO jobs(kind, idempotency_key, payload, organisation_id, run_at, "
        "max_attempts, status, created_at) VALUES (?,?,?,?,?,?,'pending',?)");
    st.bind(1, job_kind_name(j.kind))
        .bind(2, j.idempotency_key)
        .bind(3, j.payload)
        .bind(4, j.organisation_id);
    st.bind(5, to_epoch(j.run_at)).bind(6, j.max_attempts).bind(7, to_epoch(j.created_at)).run();
  }
}

std::vector<Job> SqliteJobs::claim(const std::string& owner, Instant now, Instant lease_until,
                                   size_t limit) {
  auto st = c_.prepare(std::string("SELECT ") + kJobColumns +
                       " FROM jobs WHERE (status = 'pending' AND run_at <= ?1) OR "
                       "(status = 'running' AND lease_until < ?1) ORDER BY run_at, id LIMIT ?2");
  st.bind(1, to_epoch(now)).bind(2, static_cast<std::int64_t>(limit));
  std::vector<Job> out;
  while (st.step()) out.push_back(job_from_row(st));
  for (Job& j : out) {
    auto take = c_.prepare(
        "UPDATE jobs SET status = 'running', lease_owner = ?, lease_until = ?, "
        "attempts = attempts + 1 WHERE id = ?");
    take.bind(1, owner).bind(2, to_epoch(lease_until)).bind(3, j.id).run();
    j.status = JobStatus::kRunning;
    ++j.attempts;
  }
  return out;
}

bool SqliteJobs::finish(Id job_id, const std::string& owner, JobStatus status,
                        const std::string& error, Instant now, std::optional<Instant> retry_at) {
  auto st = c_.prepare(
      "UPDATE jobs SET status = ?, last_error = ?, lease_owner = '', lease_until = 0, "
      "run_at = coalesce(?, run_at), finished_at = CASE WHEN ? THEN NULL ELSE ? END "
      "WHERE id = ? AND status = 'running' AND lease_owner = ?");
  st.bind(1, job_status_name(retry_at ? JobStatus::kPending : status)).bind(2, error);
  st.bind(3, retry_at ? std::optional<std::int64_t>(to_epoch(*retry_at)) : std::nullopt);
  st.bind(4, retry_at ? 1 : 0).bind(5, to_epoch(now)).bind(6, job_id).bind(7, owner).run();
  return c_.changes() > 0;
}

void SqliteJobs::delete_finished_before(Instant finished_before) {
  auto st = c_.prepare(
      "DELETE FROM jobs WHERE status IN ('done', 'skipped', 'failed') AND finished_at < ?");
  st.bind(1, to_epoch(finished_before)).run();
}

}  // namespace rdv
