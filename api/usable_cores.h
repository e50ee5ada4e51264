// How many cores this process may really use, for sizing the read pool:
// std::thread::hardware_concurrency() counts the machine's, blind to the CPU
// affinity (taskset, systemd's CPUAffinity=) and to a cgroup's CPU quota
// (docker --cpus, systemd's CPUQuota=), with which more threads than cores
// would be time-sliced again.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string_view>

namespace rdv {

// The cores this process may run on, fewer when its cgroup (or one above it)
// has a CPU quota, rounded up; at least 1.
size_t usable_cores();

// The cores a cgroup v2 `cpu.max` allows ("150000 100000": 1.5), nullopt
// for no quota ("max 100000") or a text that is not one.
std::optional<double> quota_cores(std::string_view cpu_max);

// The smallest quota of the cgroup named in `proc_self_cgroup` (the text of
// /proc/self/cgroup, cgroup v2's "0::/path" line) and of those above it,
// read from their cpu.max under `root` (/sys/fs/cgroup); nullopt when none
// has a quota or the files cannot be read (no /sys, a group outside this
// cgroup namespace, or cgroup v1, whose quotas are not read: Debian 12 and
// current container runtimes use v2).
std::optional<double> cgroup_quota_cores(std::string_view proc_self_cgroup,
                                         const std::filesystem::path& root);

}  // namespace rdv
