// Loads from the store what free_slots needs for one service and window: only
// the agents offering the service there, and only their rows near the window.
#pragma once

#include <optional>
#include <vector>

#include "availability/free_slots.h"
#include "storage/store.h"

namespace rdv {

std::vector<AgentAgenda> load_agendas(StoreReader& store, const SlotRules& rules, TimeRange window,
                                      std::optional<Id> agent_id);

// Free slots of a service; the same computation serves listing and booking.
// An archived service has none, except for moving one of its bookings
// (`ignore_booking`).
std::vector<Slot> find_slots(StoreReader& store, const Service& service, TimeRange window,
                             Instant now, const SlotFilter& filter, std::optional<Id> agent_id,
                             std::optional<Id> ignore_booking = std::nullopt);

}  // namespace rdv
