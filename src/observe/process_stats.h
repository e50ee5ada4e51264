// Figures of this process from /proc (Linux), for the metrics.
#pragma once

#include <optional>

namespace rdv::metrics {

struct ProcessStats {
  double resident_bytes = 0;
  double open_files = 0;
  double start_time_seconds = 0;  // since the Unix epoch
  double cpu_seconds = 0;         // user and system
};

// nullopt where /proc cannot be read (another system, a sandbox without it).
std::optional<ProcessStats> read_process_stats();

}  // namespace rdv::metrics
