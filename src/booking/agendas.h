// Loads from the store what free_slots needs for one service and window: only
// the agents offering the service there, and only their rows near the window.
#pragma once

#include <optional>
#include <vector>

#include "availability/free_slots.h"
#include "storage/store.h"

namespace rdv {

// The rows a search of `rules` over `window` reads.
AgendaQuery agenda_query(const SlotRules& rules, TimeRange window, std::optional<Id> agent_id);

// The rows a search over `window` may read whatever the service's rules, as
// long as the API accepted them: those of the longest service with the
// longest buffers.
AgendaQuery agenda_for_any_service(Id service_id, TimeRange window, std::optional<Id> agent_id);

// Rows read before the service's rules were known, for a query meant to be at
// least as wide as the search's (a new booking reads them with its service:
// Bookings::book). A search uses them when they cover its own query, and reads
// its rows again otherwise.
struct AgendaReadAhead {
  AgendaQuery query;
  AgendaRows rows;
};

std::vector<AgentAgenda> load_agendas(StoreReader& store, const SlotRules& rules, TimeRange window,
                                      std::optional<Id> agent_id,
                                      std::optional<AgendaReadAhead> ahead = std::nullopt);

// Free slots of a service; the same computation serves listing and booking.
// An archived service has none, except for moving one of its bookings
// (`ignore_booking`).
std::vector<Slot> find_slots(StoreReader& store, const Service& service, TimeRange window,
                             Instant now, const SlotFilter& filter, std::optional<Id> agent_id,
                             std::optional<Id> ignore_booking = std::nullopt,
                             std::optional<AgendaReadAhead> ahead = std::nullopt);

}  // namespace rdv
