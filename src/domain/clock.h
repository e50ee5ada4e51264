// Time is injected: production reads the system clock, tests set it.
#pragma once

#include <atomic>

#include "domain/time.h"

namespace rdv {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant now() const override {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant t) : now_(to_epoch(t)) {}
  Instant now() const override { return from_epoch(now_.load()); }
  void set(Instant t) { now_ = to_epoch(t); }
  void advance(std::chrono::seconds d) { now_ += d.count(); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace rdv
