#include "observe/process_stats.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace rdv::metrics {
namespace {

// The system's boot time (seconds since the epoch), from /proc/stat.
std::optional<double> boot_time() {
  std::ifstream in("/proc/stat");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  return std::nullopt;
}

}  // namespace

std::optional<ProcessStats> read_process_stats() {
  ProcessStats s;
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  {
    std::ifstream statm("/proc/self/statm");
    double size = 0, resident = 0;
    if (!(statm >> size >> resident)) return std::nullopt;
    s.resident_bytes = resident * page;
  }
  {
    // Fields after the command name (which may hold spaces and parentheses):
    // state is field 3; utime, stime are 14 and 15; starttime is 22.
    std::ifstream stat("/proc/self/stat");
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    size_t close = all.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(all.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0, start = 0;
    for (int n = 3; fields >> field; ++n) {
      if (n == 14) utime = std::stod(field);
      if (n == 15) stime = std::stod(field);
      if (n == 22) {
        start = std::stod(field);
        break;
      }
    }
    s.cpu_seconds = (utime + stime) / ticks;
    if (auto boot = boot_time()) s.start_time_seconds = *boot + start / ticks;
  }
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++s.open_files;
  return s;
}

}  // namespace rdv::metrics
