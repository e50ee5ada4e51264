// Secrets handed to people (API tokens, manage links, feed URLs). Randomness is
// injected so that tests can make it predictable; production uses libsodium.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rdv {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(std::uint8_t* out, size_t n) = 0;
};

class SystemRandom final : public Random {
 public:
  SystemRandom();  // initialises libsodium
  void fill(std::uint8_t* out, size_t n) override;
};

// 32 random bytes as URL-safe base64 without padding (43 characters).
std::string new_token(Random& random);

// Hex SHA-256; tokens are stored only as their hash.
std::string token_hash(std::string_view token);

// Compares without leaking where the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace rdv
