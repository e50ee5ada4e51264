#include "rate_limiter.h"

namespace rdv {

bool RateLimiter::allow(const std::string& client, int& retry_after_seconds) {
  if (per_minute_ <= 0) return true;
  std::int64_t now = to_epoch(clock_.now());
  std::int64_t minute = now / 60;
  std::lock_guard lock(mutex_);
  if (windows_.size() > 100000)
    std::erase_if(windows_, [&](auto& w) { return w.second.minute != minute; });
  Window& w = windows_[client];
  if (w.minute != minute) w = {minute, 0};
  if (w.count >= per_minute_) {
    retry_after_seconds = static_cast<int>(60 - now % 60);
    return false;
  }
  ++w.count;
  return true;
}

}  // namespace rdv
