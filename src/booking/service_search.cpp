#include "booking/service_search.h"

#include <algorithm>

#include "booking/agendas.h"
#include "domain/error.h"
#include "domain/text.h"

namespace rdv {

void check_search_query(const SearchQuery& q) {
  if (q.text.size() > 200) invalid_field("q", "is too long");
  if (q.postcode.size() > 5 || q.postcode.find_first_not_of("0123456789AB") != std::string::npos)
    invalid_field("postcode", "must be a postcode or its beginning");
}

std::vector<SearchHit> search_services(StoreReader& r, const SearchQuery& q, Instant now,
                                       size_t limit) {
  check_search_query(q);
  std::vector<SearchHit> out;
  for (const Service& s : r.directory().search_services(search_terms(q.text), q.mode, limit)) {
    SearchHit hit{
        s, r.organisation(s.organisation_id), r.directory().places_offering(s.id, q.postcode), {}};
    if (hit.places.empty()) continue;  // nowhere to be received (near that postcode)
    SlotFilter filter;
    filter.mode = q.mode;
    filter.limit = 50;
    for (const Slot& slot : find_slots(r, s, {now, now + std::chrono::days{s.horizon_days}}, now,
                                       filter, std::nullopt)) {
      bool listed = std::any_of(hit.places.begin(), hit.places.end(),
                                [&](const Place& p) { return p.id == slot.place_id; });
      if (listed) {
        hit.next_slot = slot;
        break;
      }
    }
    out.push_back(std::move(hit));
  }
  return out;
}

}  // namespace rdv
