#include "crypto/jose.h"

#include <gtest/gtest.h>

#include "crypto/base64.h"
#include "crypto/link_tokens.h"
#include "support/jws_signer.h"

namespace rdv {
namespace {

using nlohmann::json;
using testing::JwsSigner;

const json kClaims = {{"iss", "https://idp.example"}, {"sub", "42"}, {"nonce", "n"}};

JwkSet set_of(std::initializer_list<const JwsSigner*> signers) {
  json keys = json::array();
  for (const JwsSigner* s : signers) keys.push_back(s->public_jwk());
  return JwkSet(json{{"keys", keys}});
}

std::string replace_part(const std::string& jws, int index, const std::string& part) {
  size_t a = jws.find('.'), b = jws.find('.', a + 1);
  if (index == 0) return part + jws.substr(a);
  if (index == 1) return jws.substr(0, a + 1) + part + jws.substr(b);
  return jws.substr(0, b + 1) + part;
}

TEST(Base64Url, RoundTripsAndRefusesPaddingAndOtherAlphabets) {
  for (std::string s : std::initializer_list<std::string>{"", "f", "fo", "foo", "foob",
                                                          std::string("\xff\xfe\x00\x01", 4)})
    EXPECT_EQ(base64url_decode(base64url_encode(s)), s);
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("Zm8="));  // padding
  EXPECT_FALSE(base64url_decode("+/8"));   // the other alphabet
  EXPECT_FALSE(base64url_decode("Zm8 "));  // trailing garbage
}

TEST(Jose, VerifiesRs256AndEs256FromTheirJwk) {
  JwsSigner rsa(JwsSigner::Alg::kRs256, "r1"), ec(JwsSigner::Alg::kEs256, "e1");
  JwkSet keys = set_of({&rsa, &ec});
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(verify_jws(rsa.sign(kClaims), keys), kClaims);
  EXPECT_EQ(verify_jws(ec.sign(kClaims), keys), kClaims);
  // Without a kid, every key of the algorithm is tried.
  std::string input =
      base64url_encode(R"({"alg":"RS256"})") + "." + base64url_encode(kClaims.dump());
  EXPECT_EQ(verify_jws(input + "." + base64url_encode(rsa.signature(input)), keys), kClaims);
}

TEST(Jose, RefusesAChangedPayloadOrAnotherKeysSignature) {
  JwsSigner good(JwsSigner::Alg::kRs256, "k"), other(JwsSigner::Alg::kRs256, "k");
  JwkSet keys = set_of({&good});
  std::string jws = good.sign(kClaims);
  json changed = kClaims;
  changed["sub"] = "43";
  EXPECT_THROW(verify_jws(replace_part(jws, 1, base64url_encode(changed.dump())), keys), JoseError);
  EXPECT_THROW(verify_jws(other.sign(kClaims), keys), JoseError);
  JwsSigner ec(JwsSigner::Alg::kEs256, "e"), ec_other(JwsSigner::Alg::kEs256, "e");
  EXPECT_THROW(verify_jws(ec_other.sign(kClaims), set_of({&ec})), JoseError);
}

TEST(Jose, RefusesNoneHmacUnknownKidAndCriticalHeaders) {
  JwsSigner rsa(JwsSigner::Alg::kRs256, "r1");
  JwkSet keys = set_of({&rsa});
  std::string none =
      base64url_encode(R"({"alg":"none"})") + "." + base64url_encode(kClaims.dump()) + ".";
  EXPECT_THROW(verify_jws(none, keys), JoseError);
  // HS256 made with what a verifier knows of the public key (its JWK, its
  // modulus): the classic confusion, refused whatever the secret.
  for (const std::string& secret :
       {rsa.public_jwk().dump(), *base64url_decode(rsa.public_jwk()["n"].get<std::string>())}) {
    std::string input =
        base64url_encode(R"({"alg":"HS256","kid":"r1"})") + "." + base64url_encode(kClaims.dump());
    EXPECT_THROW(verify_jws(input + "." + base64url_encode(hmac_sha256(secret, input)), keys),
                 JoseError);
  }
  EXPECT_THROW(verify_jws(rsa.sign(kClaims, {{"kid", "unknown"}}), keys), JoseError);
  EXPECT_THROW(verify_jws(rsa.sign(kClaims, {{"crit", {"exp"}}, {"exp", 1}}), keys), JoseError);
  // An ES256 header over an RSA signature finds no key.
  EXPECT_THROW(verify_jws(rsa.sign(kClaims, {{"alg", "ES256"}}), keys), JoseError);
}

TEST(Jose, RefusesMalformedTokens) {
  JwsSigner rsa(JwsSigner::Alg::kRs256, "r1");
  JwkSet keys = set_of({&rsa});
  std::string jws = rsa.sign(kClaims);
  for (const std::string& bad :
       {std::string(""), std::string("a.b"), jws + ".x", replace_part(jws, 0, "e30"),
        replace_part(jws, 0, "!!"), replace_part(jws, 1, base64url_encode("[1]")),
        replace_part(jws, 2, "not base64!")})
    EXPECT_THROW(verify_jws(bad, keys), JoseError) << bad;
}

TEST(Jose, KeepsOnlyUsableSignatureKeys) {
  JwsSigner rsa(JwsSigner::Alg::kRs256, "r1"), ec(JwsSigner::Alg::kEs256, "e1");
  json enc = rsa.public_jwk();
  enc["use"] = "enc";
  json short_rsa = rsa.public_jwk();
  short_rsa["n"] = base64url_encode(std::string(128, '\x81'));  // 1024 bits
  json off_curve = ec.public_jwk();
  off_curve["y"] = base64url_encode(std::string(32, '\x01'));
  json other_curve = ec.public_jwk();
  other_curve["crv"] = "P-384";
  json ps256 = rsa.public_jwk();
  ps256["alg"] = "PS256";
  json exponent_one = rsa.public_jwk(), even_exponent = rsa.public_jwk();
  exponent_one["e"] = "AQ";
  even_exponent["e"] = "AQAC";
  json keys = {{"keys",
                {enc, short_rsa, off_curve, other_curve, ps256, exponent_one, even_exponent,
                 json("text"), json{{"kty", "oct"}, {"k", "c2VjcmV0"}}}}};
  EXPECT_EQ(JwkSet(keys).size(), 0u);
  EXPECT_THROW(JwkSet(json{{"no", "keys"}}), JoseError);
  EXPECT_THROW(verify_jws(rsa.sign(kClaims), JwkSet(keys)), JoseError);
}

}  // namespace
}  // namespace rdv
