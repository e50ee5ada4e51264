// Signed JSON Web Tokens as OpenID Connect providers issue them (RFC 7515,
// 7517, 7518): compact form, RS256 or ES256, checked against the public keys
// of the provider's JWK set. Nothing else is accepted: no "none", no HMAC
// (a public key used as an HMAC secret is the classic forgery), no key
// carried inside the token.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rdv {

struct JoseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The usable signature keys of a JWK set; keys of other types, uses or
// algorithms, and RSA keys under 2048 bits, are left out.
class JwkSet {
 public:
  JwkSet() = default;
  explicit JwkSet(const nlohmann::json& jwks);  // JoseError when it is not a JWK set
  ~JwkSet();
  JwkSet(JwkSet&&) noexcept;
  JwkSet& operator=(JwkSet&&) noexcept;

  size_t size() const;
  bool has(std::string_view kid) const;

  struct Key;

 private:
  friend nlohmann::json verify_jws(std::string_view, const JwkSet&);
  std::vector<std::unique_ptr<Key>> keys_;
};

// The payload of a compact JWS whose signature one of `keys` verifies (the
// one named by the header's "kid", or any of the algorithm's keys when it
// names none). JoseError saying what is wrong otherwise. Claims are not
// checked here.
nlohmann::json verify_jws(std::string_view compact, const JwkSet& keys);

// The "kid" of a compact JWS's header, or "" (none, or not readable).
std::string jws_key_id(std::string_view compact);

}  // namespace rdv
