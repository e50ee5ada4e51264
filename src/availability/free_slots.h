// Free slots as a pure function of the rules, the agents' agendas, the window
// and the current time: openings - absences - busy events - bookings.
#pragma once

#include <optional>
#include <vector>

#include "domain/model.h"
#include "domain/time.h"

namespace rdv {

// What of a service shapes its slots.
struct SlotRules {
  Id service_id = 0;
  Minutes duration{30};
  Minutes step{30};
  Minutes buffer_before{0};
  Minutes buffer_after{0};
  int capacity = 1;
  Minutes min_notice{30};
  std::chrono::days horizon{90};
  ModeSet modes;

  static SlotRules of(const Service& s);
};

// Everything that decides when one agent is free for the service.
struct AgentAgenda {
  Id agent_id = 0;
  std::vector<Opening> openings;  // those offering the service
  std::vector<RepeatingPeriod> absences;
  std::vector<TimeRange> busy;  // e.g. events of the agent's own calendars
  std::vector<HeldTime> held;   // by the agent's bookings near the window
};

struct SlotFilter {
  std::optional<Mode> mode;
  std::optional<Id> place_id;
  size_t limit = 1000;  // earliest slots kept
};

struct Slot {
  Instant start;
  Instant end;
  Id agent_id = 0;
  Id place_id = 0;
  Mode mode = Mode::kInPerson;
  int remaining = 1;
  bool operator==(const Slot&) const = default;
};

// Slots starting in [window.start, window.end), at least min_notice after `now`
// and at most `horizon` after it, sorted by start, agent, place, mode.
std::vector<Slot> free_slots(const SlotRules& rules, const std::vector<AgentAgenda>& agendas,
                             TimeRange window, Instant now, const SlotFilter& filter = {});

}  // namespace rdv
