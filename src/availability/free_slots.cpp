#include "availability/free_slots.h"

#include <algorithm>
#include <map>

#include "calendar/occurrence_cache.h"

namespace rdv {
namespace {

// Busy ranges sorted by start, with the running maximum of their ends, so that
// "does [a, b) touch any of them" is one binary search.
class BusySet {
 public:
  void add(TimeRange r) { ranges_.push_back(r); }
  void seal() {
    std::sort(ranges_.begin(), ranges_.end(),
              [](const TimeRange& a, const TimeRange& b) { return a.start < b.start; });
    max_end_.resize(ranges_.size());
    for (size_t i = 0; i < ranges_.size(); ++i)
      max_end_[i] = i == 0 ? ranges_[i].end : std::max(max_end_[i - 1], ranges_[i].end);
  }
  bool overlaps(TimeRange r) const {
    auto it = std::lower_bound(ranges_.begin(), ranges_.end(), r.end,
                               [](const TimeRange& a, Instant t) { return a.start < t; });
    if (it == ranges_.begin()) return false;
    return max_end_[static_cast<size_t>(it - ranges_.begin()) - 1] > r.start;
  }

 private:
  std::vector<TimeRange> ranges_;
  std::vector<Instant> max_end_;
};

struct OpeningOccurrence {
  TimeRange range;
  const Opening* opening;
};

void agent_slots(const SlotRules& rules, const AgentAgenda& agenda, TimeRange window,
                 const SlotFilter& filter, std::vector<Slot>& out) {
  const TimeRange blocked_window{window.start - rules.buffer_before - date::days{1},
                                 window.end + rules.duration + rules.buffer_after + date::days{1}};
  BusySet busy;
  for (const auto& absence : agenda.absences)
    for (TimeRange r : cached_occurrences(absence, blocked_window)) busy.add(r);
  for (TimeRange r : agenda.busy) busy.add(r);
  // Seats taken in group sessions of this service, by start; other bookings block.
  std::map<Instant, int> seats_taken;
  for (const HeldTime& b : agenda.held) {
    if (rules.capacity > 1 && b.service_id == rules.service_id)
      ++seats_taken[b.start];
    else
      busy.add(b.blocked);
  }
  busy.seal();

  std::vector<OpeningOccurrence> occs;
  for (const Opening& o : agenda.openings) {
    if (filter.place_id && *filter.place_id != o.place_id) continue;
    for (TimeRange r : cached_occurrences(o.period, window)) occs.push_back({r, &o});
  }
  std::sort(occs.begin(), occs.end(),
            [](const auto& a, const auto& b) { return a.range.start < b.range.start; });

  size_t kept = 0;
  for (const auto& occ : occs) {
    ModeSet modes = occ.opening->modes & rules.modes;
    if (filter.mode && !modes.has(*filter.mode)) continue;
    if (modes.empty()) continue;
    Instant s = occ.range.start;
    if (s < window.start) {  // first step at or after the window start
      auto steps = (window.start - s + rules.step - std::chrono::seconds{1}) / rules.step;
      s += steps * rules.step;
    }
    for (; s + rules.duration <= occ.range.end && s < window.end; s += rules.step) {
      Instant end = s + rules.duration;
      if (busy.overlaps({s - rules.buffer_before, end + rules.buffer_after})) continue;
      int remaining = rules.capacity;
      if (auto it = seats_taken.find(s); it != seats_taken.end()) remaining -= it->second;
      if (remaining <= 0) continue;
      // A session of this group service at another start that overlaps this one
      // (buffers included) blocks it, as any other booking would.
      bool clashes_with_session = false;
      for (auto it = seats_taken.lower_bound(s - rules.duration - rules.buffer_after -
                                             rules.buffer_before + std::chrono::seconds{1});
           it != seats_taken.end() && it->first < end + rules.buffer_after + rules.buffer_before;
           ++it)
        if (it->first != s) clashes_with_session = true;
      if (clashes_with_session) continue;
      for (Mode m : modes.list()) {
        if (filter.mode && *filter.mode != m) continue;
        out.push_back({s, end, agenda.agent_id, occ.opening->place_id, m, remaining});
      }
      if (++kept >= filter.limit) return;
    }
  }
}

}  // namespace

SlotRules SlotRules::of(const Service& s) {
  SlotRules r;
  r.service_id = s.id;
  r.duration = Minutes{s.duration_minutes};
  r.step = Minutes{s.slot_step_minutes > 0 ? s.slot_step_minutes : s.duration_minutes};
  r.buffer_before = Minutes{s.buffer_before_minutes};
  r.buffer_after = Minutes{s.buffer_after_minutes};
  r.capacity = std::max(1, s.capacity);
  r.min_notice = Minutes{s.min_notice_minutes};
  r.horizon = std::chrono::days{s.horizon_days};
  r.modes = s.modes;
  return r;
}

std::vector<Slot> free_slots(const SlotRules& rules, const std::vector<AgentAgenda>& agendas,
                             TimeRange window, Instant now, const SlotFilter& filter) {
  std::vector<Slot> out;
  TimeRange effective{std::max(window.start, now + rules.min_notice),
                      std::min(window.end, now + rules.horizon + std::chrono::seconds{1})};
  if (effective.start >= effective.end || rules.duration <= Minutes{0} || rules.step <= Minutes{0})
    return out;
  for (const AgentAgenda& agenda : agendas) agent_slots(rules, agenda, effective, filter, out);
  std::sort(out.begin(), out.end(), [](const Slot& a, const Slot& b) {
    return std::tie(a.start, a.agent_id, a.place_id, a.mode) <
           std::tie(b.start, b.agent_id, b.place_id, b.mode);
  });
  if (out.size() > filter.limit) out.resize(filter.limit);
  return out;
}

}  // namespace rdv
