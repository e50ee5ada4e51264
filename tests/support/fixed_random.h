// Predictable randomness for tests.
#pragma once

#include "crypto/tokens.h"

namespace rdv::testing {

class CountingRandom final : public Random {
 public:
  void fill(std::uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(next_++);
  }

 private:
  std::uint8_t next_ = 1;
};

}  // namespace rdv::testing
