// Finding a service: keywords, a postcode (or its beginning) and a mode, and
// for each service found the places that receive for it and its next free
// slot. The JSON search and the residents' pages both ask here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "availability/free_slots.h"
#include "domain/model.h"
#include "storage/store.h"

namespace rdv {

struct SearchQuery {
  std::string text;      // keywords ("carte grise", "RSA"); empty: every service
  std::string postcode;  // digits (and A/B for Corsica), a prefix; empty: anywhere
  std::optional<Mode> mode;
};

struct SearchHit {
  Service service;
  std::optional<Organisation> organisation;
  std::vector<Place> places;      // that receive for it (near the postcode when given)
  std::optional<Slot> next_slot;  // at one of these places
};

// ClientError naming "q" or "postcode" when the query is not one.
void check_search_query(const SearchQuery& q);

std::vector<SearchHit> search_services(StoreReader& r, const SearchQuery& q, Instant now,
                                       size_t limit = 20);

}  // namespace rdv
