// Requests per client address and minute (fixed windows), for booking creation.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "domain/clock.h"

namespace rdv {

class RateLimiter {
 public:
  // `per_minute` 0 disables the limit.
  RateLimiter(const Clock& clock, int per_minute) : clock_(clock), per_minute_(per_minute) {}
  // True when allowed; otherwise `retry_after_seconds` says when to come back.
  bool allow(const std::string& client, int& retry_after_seconds);

 private:
  struct Window {
    std::int64_t minute = 0;
    int count = 0;
  };
  const Clock& clock_;
  int per_minute_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace rdv
