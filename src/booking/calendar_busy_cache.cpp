#include "booking/calendar_busy_cache.h"

#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace rdv {
namespace {

// A miss reads a span wider than the window, so that windows a little later
// or longer (the next page of a search) are answered from memory.
constexpr auto kReadBefore = std::chrono::days{7};
constexpr auto kReadAfter = std::chrono::days{35};
constexpr size_t kMaxAgents = 20000;  // then everything is forgotten at once

struct Entry {
  std::int64_t version = -1;
  TimeRange span;                 // every range touching it is in `ranges`
  std::vector<TimeRange> ranges;  // sorted by start
};

std::shared_mutex mutex;
std::unordered_map<Id, Entry> entries;

}  // namespace

std::map<Id, std::vector<TimeRange>> cached_calendar_busy(
    CalendarsReader& r, const std::vector<std::pair<Id, std::int64_t>>& versions,
    TimeRange window) {
  std::map<Id, std::vector<TimeRange>> out;
  // Versions first, rows after: rows read after a version can only be as new
  // as it or newer, so an entry is never filed under a version newer than its
  // rows (at worst older, and then never used again: versions only grow).
  std::vector<std::pair<Id, std::int64_t>> missing;
  {
    std::shared_lock lock(mutex);
    for (auto [agent, version] : versions) {
      auto it = entries.find(agent);
      if (it == entries.end() || it->second.version != version ||
          it->second.span.start > window.start || it->second.span.end < window.end) {
        missing.emplace_back(agent, version);
        continue;
      }
      auto& mine = out[agent];
      for (const TimeRange& b : it->second.ranges)
        if (b.overlaps(window)) mine.push_back(b);
    }
  }
  if (missing.empty()) return out;
  std::vector<Id> ids;
  for (auto [agent, version] : missing) ids.push_back(agent);
  TimeRange span{window.start - kReadBefore, window.end + kReadAfter};
  std::map<Id, Entry> read;
  for (auto [agent, version] : missing) read[agent] = {version, span, {}};
  for (auto& [agent, range] : r.busy_of(ids, span)) read[agent].ranges.push_back(range);
  std::unique_lock lock(mutex);
  if (entries.size() + read.size() > kMaxAgents) entries.clear();
  for (auto& [agent, entry] : read) {
    auto& mine = out[agent];
    for (const TimeRange& b : entry.ranges)
      if (b.overlaps(window)) mine.push_back(b);
    // A search that read an older version may finish after one that read a newer.
    auto [it, added] = entries.try_emplace(agent);
    if (added || it->second.version <= entry.version) it->second = std::move(entry);
  }
  return out;
}

}  // namespace rdv
