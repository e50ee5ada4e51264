#include "job_runner.h"

#include <algorithm>

#include "observe/log.h"

namespace rdv {

std::chrono::seconds retry_delay(const Job& job) {
  std::chrono::seconds cap =
      job.kind == JobKind::kWebhook ? std::chrono::hours{3} : std::chrono::hours{1};
  int doublings = std::clamp(job.attempts - 1, 0, 20);
  return std::min<std::chrono::seconds>(std::chrono::minutes{1} * (1LL << doublings), cap);
}

JobRunner::JobRunner(Store& store, const Clock& clock, JobHandler& handler, std::string owner,
                     RunnerOptions options)
    : store_(store),
      clock_(clock),
      handler_(handler),
      owner_(std::move(owner)),
      options_(options) {}

size_t JobRunner::run_due() {
  size_t ran = 0;
  // One job at a time, each with a fresh lease: a lease must outlast the send
  // it covers (timeouts of 30 s at most), never a whole batch of them.
  for (; ran < options_.batch; ++ran) {
    std::vector<Job> claimed;
    Instant now = clock_.now();
    store_.write(
        [&](StoreWriter& tx) { claimed = tx.jobs().claim(owner_, now, now + options_.lease, 1); });
    if (claimed.empty()) break;
    const Job& job = claimed.front();
    JobStatus status = JobStatus::kDone;
    std::string error;
    std::optional<Instant> retry_at;
    try {
      JobResult result = handler_.run(job);
      if (result.skipped) status = JobStatus::kSkipped;
      error = result.note;
    } catch (const std::exception& e) {
      error = e.what();
      if (job.attempts >= job.max_attempts)
        status = JobStatus::kFailed;
      else
        retry_at = clock_.now() + retry_delay(job);
      logging::warn("job_failed", {{"job", job.id},
                                   {"kind", job_kind_name(job.kind)},
                                   {"attempt", job.attempts},
                                   {"error", error}});
    }
    store_.write([&](StoreWriter& tx) {
      tx.jobs().finish(job.id, owner_, status, error, clock_.now(), retry_at);
    });
  }
  return ran;
}

}  // namespace rdv
