// A signing key for the tests that play an OpenID Connect provider: makes a
// fresh RS256 or ES256 key, shows its public half as a JWK, and signs
// compact JWS with it.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace rdv::testing {

class JwsSigner {
 public:
  enum class Alg { kRs256, kEs256 };
  JwsSigner(Alg alg, std::string kid);
  ~JwsSigner();
  JwsSigner(const JwsSigner&) = delete;

  const std::string& kid() const { return kid_; }
  const char* alg_name() const { return alg_ == Alg::kRs256 ? "RS256" : "ES256"; }
  nlohmann::json public_jwk() const;
  // header.payload.signature; `header` gets alg and kid unless it has them.
  std::string sign(const nlohmann::json& payload,
                   nlohmann::json header = nlohmann::json::object()) const;
  // The raw signature of `input` (for tokens made by hand).
  std::string signature(const std::string& input) const;

 private:
  struct Key;
  Alg alg_;
  std::string kid_;
  std::unique_ptr<Key> key_;
};

}  // namespace rdv::testing
