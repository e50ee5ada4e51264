// The scheduler's core: takes due jobs from the outbox with a lease (so that
// several workers on one database never run the same job at once), runs
// them, and retries failures with exponential backoff up to the job's
// maximum, after which the job stays visible as failed.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include "domain/clock.h"
#include "domain/model.h"
#include "storage/store.h"

namespace rdv {

struct JobResult {
  bool skipped = false;  // nothing to send any more (booking cancelled, reminder obsolete...)
  std::string note;
};

class JobHandler {
 public:
  virtual ~JobHandler() = default;
  // Sends what the job says; throws on failure (the job is retried later).
  virtual JobResult run(const Job& job) = 0;
};

struct RunnerOptions {
  std::chrono::seconds lease{300};  // far longer than any send (30 s timeouts)
  size_t batch = 20;                // jobs run per call, claimed one by one
};

class JobRunner {
 public:
  JobRunner(Store& store, const Clock& clock, JobHandler& handler, std::string owner,
            RunnerOptions options = {});
  // Runs the jobs due now; returns how many were run.
  size_t run_due();

 private:
  Store& store_;
  const Clock& clock_;
  JobHandler& handler_;
  std::string owner_;
  RunnerOptions options_;
};

// The wait before the next attempt, after `attempts` failed ones: a minute,
// doubling, at most an hour (three for webhooks, which are retried for a day).
std::chrono::seconds retry_delay(const Job& job);

}  // namespace rdv
