#include "crypto/tokens.h"

#include <sodium.h>

#include <stdexcept>
#include <vector>

#include "crypto/base64.h"

namespace rdv {

SystemRandom::SystemRandom() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

void SystemRandom::fill(std::uint8_t* out, size_t n) { randombytes_buf(out, n); }

std::string new_token(Random& random) {
  std::uint8_t bytes[32];
  random.fill(bytes, sizeof bytes);
  std::string out =
      base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  sodium_memzero(bytes, sizeof bytes);
  return out;
}

std::string token_hash(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace rdv
