#include "booking/agendas.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "booking/calendar_busy_cache.h"
#include "observe/metrics.h"

namespace rdv {

AgendaQuery agenda_query(const SlotRules& rules, TimeRange window, std::optional<Id> agent_id) {
  AgendaQuery query;
  query.service_id = rules.service_id;
  // Openings that started up to a day before the window may still hold slots in it.
  query.openings_window = {window.start - date::days{1}, window.end};
  query.busy_window = {window.start - rules.buffer_before - rules.duration - date::days{1},
                       window.end + rules.duration + rules.buffer_after + date::days{1}};
  query.agent_id = agent_id;
  return query;
}

AgendaQuery agenda_for_any_service(Id service_id, TimeRange window, std::optional<Id> agent_id) {
  SlotRules longest;
  longest.service_id = service_id;
  longest.duration = Minutes{kMaxServiceMinutes};
  longest.buffer_before = Minutes{kMaxBufferMinutes};
  longest.buffer_after = Minutes{kMaxBufferMinutes};
  return agenda_query(longest, window, agent_id);
}

std::vector<AgentAgenda> load_agendas(StoreReader& store, const SlotRules& rules, TimeRange window,
                                      std::optional<Id> agent_id,
                                      std::optional<AgendaReadAhead> ahead) {
  AgendaQuery query = agenda_query(rules, window, agent_id);
  // Rows of a wider query hold more than the search needs: free_slots looks
  // only at what overlaps the slots it tries.
  AgendaRows rows =
      ahead && covers(ahead->query, query) ? std::move(ahead->rows) : store.agenda_rows(query);
  std::map<Id, AgentAgenda> by_agent;
  for (Opening& o : rows.openings) {
    auto& agenda = by_agent[o.agent_id];
    agenda.agent_id = o.agent_id;
    agenda.openings.push_back(std::move(o));
  }
  for (Absence& a : rows.absences) by_agent[a.agent_id].absences.push_back(std::move(a.period));
  for (const HeldTime& h : rows.held) by_agent[h.agent_id].held.push_back(h);
  for (auto& [agent, ranges] :
       cached_calendar_busy(store.calendars(), rows.busy_versions, query.busy_window))
    by_agent[agent].busy = std::move(ranges);
  std::vector<AgentAgenda> out;
  out.reserve(by_agent.size());
  for (auto& [id, agenda] : by_agent) out.push_back(std::move(agenda));
  return out;
}

std::vector<Slot> find_slots(StoreReader& store, const Service& service, TimeRange window,
                             Instant now, const SlotFilter& filter, std::optional<Id> agent_id,
                             std::optional<Id> ignore_booking,
                             std::optional<AgendaReadAhead> ahead) {
  // An archived service takes no new booking; its bookings may still move.
  if (service.archived && !ignore_booking) return {};
  const auto started = std::chrono::steady_clock::now();  // reading and computing
  SlotRules rules = SlotRules::of(service);
  auto agendas = load_agendas(store, rules, window, agent_id, std::move(ahead));
  if (ignore_booking)
    for (auto& agenda : agendas)
      std::erase_if(agenda.held,
                    [&](const HeldTime& h) { return h.booking_id == *ignore_booking; });
  auto slots = free_slots(rules, agendas, window, now, filter);
  metrics::record_slot_search(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return slots;
}

}  // namespace rdv
