#include "crypto/jose.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <optional>

#include "crypto/base64.h"

namespace rdv {

using Json = nlohmann::json;

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

enum class Alg { kRs256, kEs256 };

std::optional<std::string> member_bytes(const Json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  auto bytes = base64url_decode(it->get<std::string>());
  if (!bytes || bytes->empty()) return std::nullopt;
  return bytes;
}

Bignum bignum(const std::string& bytes) {
  return Bignum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()), nullptr));
}

Pkey from_params(const char* type, OSSL_PARAM_BLD* bld) {
  Params params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
    return nullptr;
  return Pkey(key);
}

Pkey rsa_key(const Json& jwk) {
  auto n = member_bytes(jwk, "n"), e = member_bytes(jwk, "e");
  // 2048 bits at least; an odd public exponent of at least 3.
  if (!n || !e || n->size() < 256 || e->size() > 8 || (e->back() & 1) == 0 ||
      (e->find_first_not_of('\0') == e->size() - 1 && static_cast<unsigned char>(e->back()) < 3))
    return nullptr;
  Bignum bn_n = bignum(*n), bn_e = bignum(*e);
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()))
    return nullptr;
  Pkey key = from_params("RSA", bld.get());
  if (key && EVP_PKEY_get_bits(key.get()) < 2048) return nullptr;
  return key;
}

Pkey p256_key(const Json& jwk) {
  auto crv = jwk.find("crv");
  if (crv == jwk.end() || *crv != "P-256") return nullptr;
  auto x = member_bytes(jwk, "x"), y = member_bytes(jwk, "y");
  if (!x || !y || x->size() != 32 || y->size() != 32) return nullptr;
  std::string point = "\x04" + *x + *y;  // uncompressed
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size()))
    return nullptr;
  // fromdata checks that the point is on the curve.
  return from_params("EC", bld.get());
}

// JWS ES256 signatures are r || s, 32 bytes each; OpenSSL verifies DER.
std::optional<std::string> es256_der(const std::string& raw) {
  if (raw.size() != 64) return std::nullopt;
  Bignum r = bignum(raw.substr(0, 32)), s = bignum(raw.substr(32));
  EcdsaSig sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  r.release();  // owned by sig now
  s.release();
  unsigned char* der = nullptr;
  int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

bool verify(EVP_PKEY* key, const std::string& signing_input, const std::string& signature) {
  MdCtx ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

Json decode_json_part(std::string_view part, const char* what) {
  auto bytes = base64url_decode(part);
  if (!bytes) throw JoseError(std::string(what) + " is not base64url");
  Json j = Json::parse(*bytes, nullptr, false);
  if (!j.is_object()) throw JoseError(std::string(what) + " is not a JSON object");
  return j;
}

}  // namespace

struct JwkSet::Key {
  std::string kid;
  Alg alg;
  Pkey pkey;
};

JwkSet::JwkSet(const Json& jwks) {
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array())
    throw JoseError("not a JWK set");
  for (const Json& jwk : jwks["keys"]) {
    if (!jwk.is_object()) continue;
    auto text = [&jwk](const char* name) {
      auto it = jwk.find(name);
      return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (jwk.contains("use") && text("use") != "sig") continue;
    if (jwk.contains("alg") && text("alg").empty()) continue;
    std::string kty = text("kty"), alg = text("alg");
    auto key = std::make_unique<Key>();
    key->kid = text("kid");
    if (kty == "RSA" && (alg.empty() || alg == "RS256")) {
      key->alg = Alg::kRs256;
      key->pkey = rsa_key(jwk);
    } else if (kty == "EC" && (alg.empty() || alg == "ES256")) {
      key->alg = Alg::kEs256;
      key->pkey = p256_key(jwk);
    }
    if (key->pkey) keys_.push_back(std::move(key));
  }
}

JwkSet::~JwkSet() = default;
JwkSet::JwkSet(JwkSet&&) noexcept = default;
JwkSet& JwkSet::operator=(JwkSet&&) noexcept = default;

size_t JwkSet::size() const { return keys_.size(); }

bool JwkSet::has(std::string_view kid) const {
  for (const auto& k : keys_)
    if (k->kid == kid) return true;
  return false;
}

Json verify_jws(std::string_view compact, const JwkSet& keys) {
  size_t first = compact.find('.');
  size_t second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos)
    throw JoseError("not a compact JWS");
  Json header = decode_json_part(compact.substr(0, first), "header");
  Json payload = decode_json_part(compact.substr(first + 1, second - first - 1), "payload");
  auto signature = base64url_decode(compact.substr(second + 1));
  if (!signature) throw JoseError("signature is not base64url");

  const Json alg_name = header.value("alg", Json());
  Alg alg;
  if (alg_name == "RS256")
    alg = Alg::kRs256;
  else if (alg_name == "ES256")
    alg = Alg::kEs256;
  else
    throw JoseError("algorithm not accepted");
  // Extensions we do not understand must not be ignored (RFC 7515 4.1.11).
  if (header.contains("crit")) throw JoseError("critical header extensions are not supported");
  if (alg == Alg::kEs256) {
    signature = es256_der(*signature);
    if (!signature) throw JoseError("ES256 signature of the wrong size");
  }
  std::optional<std::string> kid;
  if (header.contains("kid")) {
    if (!header["kid"].is_string()) throw JoseError("kid is not a string");
    kid = header["kid"].get<std::string>();
  }
  std::string signing_input(compact.substr(0, second));
  bool candidate = false;
  for (const auto& k : keys.keys_) {
    if (k->alg != alg || (kid && k->kid != *kid)) continue;
    candidate = true;
    if (verify(k->pkey.get(), signing_input, *signature)) return payload;
  }
  throw JoseError(candidate ? "signature does not verify" : "no key for this token");
}

std::string jws_key_id(std::string_view compact) {
  try {
    Json header = decode_json_part(compact.substr(0, compact.find('.')), "header");
    auto kid = header.find("kid");
    return kid != header.end() && kid->is_string() ? kid->get<std::string>() : "";
  } catch (const JoseError&) {
    return "";
  }
}

}  // namespace rdv
