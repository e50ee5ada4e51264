#include "calendar/occurrence_cache.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace rdv {
namespace {

constexpr std::int64_t kBlockSeconds = 28 * 86400;
constexpr size_t kMaxEntries = 50000;  // a few MB: blocks of weekly rules hold 4 ranges

class Cache {
 public:
  std::vector<TimeRange> block(const RepeatingPeriod& p, std::int64_t index) {
    std::string key = key_of(p, index);
    {
      std::shared_lock lock(mutex_);
      if (auto it = blocks_.find(key); it != blocks_.end()) {
        ++hits_;
        return it->second;
      }
    }
    ++misses_;
    TimeRange range{from_epoch(index * kBlockSeconds), from_epoch((index + 1) * kBlockSeconds)};
    auto found = occurrences(p, range);
    std::unique_lock lock(mutex_);
    if (blocks_.size() >= kMaxEntries) blocks_.clear();
    blocks_.emplace(std::move(key), found);
    return found;
  }
  OccurrenceCacheStats stats() {
    std::shared_lock lock(mutex_);
    return {blocks_.size(), hits_.load(), misses_.load()};
  }

 private:
  static std::string key_of(const RepeatingPeriod& p, std::int64_t index) {
    std::string key = p.rrule;
    key += '|';
    key += p.zone ? p.zone->name() : "";
    for (auto t : {p.start, p.end}) key += '|' + std::to_string(t.time_since_epoch().count());
    for (auto t : p.exdates) key += ',' + std::to_string(t.time_since_epoch().count());
    key += '#' + std::to_string(index);
    return key;
  }

  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::vector<TimeRange>> blocks_;
  std::atomic<size_t> hits_{0}, misses_{0};
};

Cache& cache() {
  static Cache c;
  return c;
}

std::int64_t block_of(Instant t) {
  auto s = to_epoch(t);
  return s >= 0 ? s / kBlockSeconds : (s - kBlockSeconds + 1) / kBlockSeconds;
}

}  // namespace

std::vector<TimeRange> cached_occurrences(const RepeatingPeriod& p, TimeRange window) {
  std::vector<TimeRange> out;
  if (window.end <= window.start) return out;
  for (auto b = block_of(window.start); b <= block_of(window.end - std::chrono::seconds{1}); ++b)
    for (const TimeRange& r : cache().block(p, b))
      if (r.overlaps(window)) out.push_back(r);
  // An occurrence across a block boundary comes from both blocks.
  std::sort(out.begin(), out.end(), [](const TimeRange& a, const TimeRange& b) {
    return std::tie(a.start, a.end) < std::tie(b.start, b.end);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const TimeRange& a, const TimeRange& b) {
                          return a.start == b.start && a.end == b.end;
                        }),
            out.end());
  return out;
}

OccurrenceCacheStats occurrence_cache_stats() { return cache().stats(); }

}  // namespace rdv
