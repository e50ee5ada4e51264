// Errors a store raises that the layers above answer without knowing which
// database is behind it (SlotTakenError lives in store.h).
#pragma once

#include <stdexcept>
#include <string>

namespace rdv {

// The database cannot be reached now (connection lost, server restarting or
// failing over, no connection free in time), or a commit's outcome is
// unknown because the connection went while committing. Temporary: the API
// answers 503 and the client may try again (with its Idempotency-Key).
struct StoreUnavailableError : std::runtime_error {
  explicit StoreUnavailableError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace rdv
