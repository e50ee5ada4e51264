// Reading one entity that must exist: the entity, or ClientError kNotFound.
// One place for what every use case and handler needs.
#pragma once

#include "domain/error.h"
#include "storage/store.h"

namespace rdv {

template <class T>
T found_or_404(std::optional<T> value, const char* what) {
  if (!value) throw ClientError(ErrorCode::kNotFound, std::string(what) + " not found");
  return std::move(*value);
}

inline Organisation require_organisation(StoreReader& r, Id id) {
  return found_or_404(r.organisation(id), "organisation");
}
inline Service require_service(StoreReader& r, Id id) {
  return found_or_404(r.service(id), "service");
}
// The organisation, when it is not closed: 409 for a closed one.
inline Organisation require_open_organisation(StoreReader& r, Id id) {
  Organisation o = require_organisation(r, id);
  if (o.archived)
    throw ClientError(ErrorCode::kInvalidTransition,
                      "this organisation is closed: reopen it first");
  return o;
}
inline Place require_place(StoreReader& r, Id id) { return found_or_404(r.place(id), "place"); }
inline Agent require_agent(StoreReader& r, Id id) { return found_or_404(r.agent(id), "agent"); }
inline Booking require_booking(StoreReader& r, Id id) {
  return found_or_404(r.booking(id), "booking");
}

}  // namespace rdv
