#include "support/jws_signer.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <stdexcept>

#include "crypto/base64.h"

namespace rdv::testing {

struct JwsSigner::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

std::string bn_param(EVP_PKEY* key, const char* name, size_t width = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("no key parameter");
  size_t size = width ? width : static_cast<size_t>(BN_num_bytes(bn));
  std::string out(size, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size));
  BN_free(bn);
  return out;
}

}  // namespace

JwsSigner::JwsSigner(Alg alg, std::string kid) : alg_(alg), kid_(std::move(kid)), key_(new Key) {
  key_->pkey = alg == Alg::kRs256 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  if (!key_->pkey) throw std::runtime_error("key generation failed");
}

JwsSigner::~JwsSigner() = default;

nlohmann::json JwsSigner::public_jwk() const {
  nlohmann::json jwk = {{"kid", kid_}, {"use", "sig"}, {"alg", alg_name()}};
  if (alg_ == Alg::kRs256) {
    jwk["kty"] = "RSA";
    jwk["n"] = base64url_encode(bn_param(key_->pkey, OSSL_PKEY_PARAM_RSA_N));
    jwk["e"] = base64url_encode(bn_param(key_->pkey, OSSL_PKEY_PARAM_RSA_E));
  } else {
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = base64url_encode(bn_param(key_->pkey, OSSL_PKEY_PARAM_EC_PUB_X, 32));
    jwk["y"] = base64url_encode(bn_param(key_->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, 32));
  }
  return jwk;
}

std::string JwsSigner::signature(const std::string& input) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  size_t length = 0;
  std::string der;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->pkey) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, data, input.size()) != 1)
    throw std::runtime_error("signing failed");
  der.resize(length);
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &length, data,
                     input.size()) != 1)
    throw std::runtime_error("signing failed");
  der.resize(length);
  if (alg_ == Alg::kRs256) return der;
  // DER ECDSA-Sig-Value to the JWS form r || s.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) throw std::runtime_error("not an ECDSA signature");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string JwsSigner::sign(const nlohmann::json& payload, nlohmann::json header) const {
  if (!header.contains("alg")) header["alg"] = alg_name();
  if (!header.contains("kid")) header["kid"] = kid_;
  std::string input = base64url_encode(header.dump()) + "." + base64url_encode(payload.dump());
  return input + "." + base64url_encode(signature(input));
}

}  // namespace rdv::testing
