// Waiting in tests for another process (the server, the SMTP sink) to reach a
// state: polls `done` until it holds or `limit` passes. Never used for the
// service's own timers, whose clock the tests drive.
#pragma once

#include <chrono>
#include <thread>

namespace rdv::testing {

template <typename Predicate>
bool wait_until(Predicate done, std::chrono::seconds limit = std::chrono::seconds{20}) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return true;
}

}  // namespace rdv::testing
