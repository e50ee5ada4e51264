#include "usable_cores.h"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace rdv {
namespace {

std::optional<long long> number(std::string_view text) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::optional<double> quota_cores(std::string_view cpu_max) {
  while (!cpu_max.empty() && (cpu_max.back() == '\n' || cpu_max.back() == ' '))
    cpu_max.remove_suffix(1);
  auto space = cpu_max.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto quota = number(cpu_max.substr(0, space));  // "max" is none
  auto period = number(cpu_max.substr(space + 1));
  if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
  return static_cast<double>(*quota) / static_cast<double>(*period);
}

std::optional<double> cgroup_quota_cores(std::string_view proc_self_cgroup,
                                         const std::filesystem::path& root) {
  // cgroup v2 has one line, "0::/path"; v1 has one per controller, not read.
  std::optional<std::string_view> path;
  while (!proc_self_cgroup.empty()) {
    auto eol = proc_self_cgroup.find('\n');
    std::string_view line = proc_self_cgroup.substr(0, eol);
    if (line.starts_with("0::/")) path = line.substr(4);
    proc_self_cgroup.remove_prefix(eol == std::string_view::npos ? line.size() : eol + 1);
  }
  if (!path) return std::nullopt;
  // The root has a cpu.max only in a container's own cgroup namespace
  // (its "0::/" is then the container's group).
  std::optional<double> smallest = quota_cores(file_text(root / "cpu.max"));
  std::filesystem::path group = root;
  for (const auto& part : std::filesystem::path(*path)) {
    // "/../x": the group is outside this cgroup namespace, its quota unseen.
    if (part == "..") return std::nullopt;
    if (part.empty() || part == ".") continue;
    group /= part;
    if (auto cores = quota_cores(file_text(group / "cpu.max")))
      smallest = std::min(smallest.value_or(*cores), *cores);
  }
  return smallest;
}

size_t usable_cores() {
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) cores = std::max(1, CPU_COUNT(&set));
  if (auto quota = cgroup_quota_cores(file_text("/proc/self/cgroup"), "/sys/fs/cgroup"))
    cores = std::min(cores, std::max<size_t>(1, static_cast<size_t>(std::ceil(*quota))));
  return cores;
}

}  // namespace rdv
