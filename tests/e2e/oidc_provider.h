// A small OpenID Connect provider for the tests, on a loopback port: a
// discovery document, a JWK set, an authorization endpoint that signs in
// whoever the test names (no form), a token endpoint that checks the client
// secret, the code (single use), the redirect URI and the PKCE verifier, and
// a userinfo endpoint. It can be told to make one thing wrong in the ID
// token, to see the service refuse it.
#pragma once

#include <openssl/evp.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "crypto/base64.h"
#include "local_server.h"
#include "support/jws_signer.h"

namespace rdv::testing {

class OidcProvider {
 public:
  static constexpr const char* kClientId = "rendez-vous";
  static constexpr const char* kClientSecret = "s3cret with:colon&amp";  // encoding matters

  enum class Flaw {
    kNone,
    kWrongKey,  // signed by a key that is not in the JWK set (same kid)
    kWrongIssuer,
    kWrongAudience,
    kWrongNonce,
    kExpired,
    kAlgNone,  // unsigned token
    kOtherAuthorizedParty,
    kSeveralAudiencesNoAzp,
    kIssuedInTheFuture,
    kUserinfoOtherSubject,  // when the email comes by userinfo
  };
  struct Person {
    std::string sub, email;
    std::optional<bool> email_verified = true;  // nullopt: the claim is left out
  };

  // ES256 keys give the email through userinfo as a signed JWT (as
  // ProConnect does); RS256 puts it in the ID token (as Keycloak does).
  explicit OidcProvider(JwsSigner::Alg alg = JwsSigner::Alg::kRs256)
      : alg_(alg),
        signer_(std::make_unique<JwsSigner>(alg, "key-1")),
        impostor_(std::make_unique<JwsSigner>(alg, "key-1")),
        email_in_id_token_(alg == JwsSigner::Alg::kRs256),
        server_(local_server_options(), [this](HttpRequest& r) { return handle(r); }) {
    server_.start();
  }
  ~OidcProvider() { server_.stop(); }

  int port() const { return server_.port(); }
  std::string issuer() const { return "http://127.0.0.1:" + std::to_string(port()); }
  void sign_in_as(Person p) {
    std::lock_guard lock(mutex_);
    person_ = std::move(p);
  }
  void set_flaw(Flaw f) {
    std::lock_guard lock(mutex_);
    flaw_ = f;
  }
  // Whether the ID token carries the email, or only userinfo does.
  void set_email_in_id_token(bool in_token) {
    std::lock_guard lock(mutex_);
    email_in_id_token_ = in_token;
  }
  // New keys under a new kid; the old ones leave the JWK set.
  void rotate_keys() {
    std::lock_guard lock(mutex_);
    signer_ = std::make_unique<JwsSigner>(alg_, "key-" + std::to_string(++key_generation_));
    impostor_ = std::make_unique<JwsSigner>(alg_, signer_->kid());
  }
  // The client authentication methods the discovery document offers (before
  // the service's first sign-in: it reads the document once an hour).
  void set_auth_methods(std::vector<std::string> methods) {
    std::lock_guard lock(mutex_);
    auth_methods_ = std::move(methods);
  }
  // Token requests refused, with why: the service's requests must be right.
  std::vector<std::string> token_errors() {
    std::lock_guard lock(mutex_);
    return token_errors_;
  }
  int token_requests() {
    std::lock_guard lock(mutex_);
    return token_requests_;
  }
  // The query of the last authorization request.
  std::map<std::string, std::string> last_authorization() {
    std::lock_guard lock(mutex_);
    return last_authorization_;
  }

 private:
  struct Grant {
    std::string nonce, challenge, redirect_uri;
    Person person;
  };

  static HttpResponse json_answer(int status, const nlohmann::json& body) {
    return {status, "application/json", body.dump(), {}};
  }
  static std::string sha256_base64url(const std::string& text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
    return base64url_encode(std::string(reinterpret_cast<char*>(digest), length));
  }
  static std::string basic_credentials() {
    // RFC 6749 2.3.1: each part form-encoded, then base64.
    return "Basic " + base64_encode(std::string(kClientId) + ":s3cret%20with%3Acolon%26amp");
  }

  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard lock(mutex_);
    if (r.path == "/.well-known/openid-configuration")
      return json_answer(200, {{"issuer", issuer()},
                               {"authorization_endpoint", issuer() + "/authorize"},
                               {"token_endpoint", issuer() + "/token"},
                               {"jwks_uri", issuer() + "/jwks"},
                               {"userinfo_endpoint", issuer() + "/userinfo"},
                               {"response_types_supported", {"code"}},
                               {"code_challenge_methods_supported", {"S256"}},
                               {"id_token_signing_alg_values_supported", {signer_->alg_name()}},
                               {"token_endpoint_auth_methods_supported", auth_methods_}});
    if (r.path == "/jwks") return json_answer(200, {{"keys", {signer_->public_jwk()}}});
    if (r.path == "/authorize") return authorize(r);
    if (r.path == "/token" && r.method == "POST") return token(r);
    if (r.path == "/userinfo") return userinfo(r);
    return json_answer(404, {{"error", "not_found"}});
  }

  HttpResponse authorize(const HttpRequest& r) {
    last_authorization_ = r.query;
    auto q = [&](const char* name) { return r.param(name) ? *r.param(name) : std::string(); };
    if (q("client_id") != kClientId || q("response_type") != "code" ||
        q("code_challenge_method") != "S256" || q("code_challenge").empty() ||
        q("scope").find("openid") == std::string::npos)
      return json_answer(400, {{"error", "invalid_request"}});
    std::string code = "code-" + std::to_string(++codes_);
    grants_[code] = {q("nonce"), q("code_challenge"), q("redirect_uri"), person_};
    return {302,
            "text/plain",
            "",
            {{"Location", q("redirect_uri") + "?code=" + code + "&state=" + q("state")}}};
  }

  HttpResponse token(const HttpRequest& r) {
    ++token_requests_;
    auto form = parse_query(r.body);
    auto refuse = [&](const std::string& why) {
      token_errors_.push_back(why);
      return json_answer(400, {{"error", "invalid_grant"}});
    };
    const std::string* auth = r.header("authorization");
    bool by_basic = auth && *auth == basic_credentials();
    bool in_body =
        !auth && form["client_id"] == kClientId && form["client_secret"] == kClientSecret;
    if (!by_basic && !in_body) return refuse("client authentication");
    bool offered =
        std::find(auth_methods_.begin(), auth_methods_.end(),
                  by_basic ? "client_secret_basic" : "client_secret_post") != auth_methods_.end();
    if (!offered) return refuse("a client authentication method not offered");
    if (form["grant_type"] != "authorization_code") return refuse("grant_type");
    auto it = grants_.find(form["code"]);
    if (it == grants_.end()) return refuse("unknown or used code");
    Grant g = it->second;
    grants_.erase(it);
    if (form["redirect_uri"] != g.redirect_uri) return refuse("redirect_uri");
    if (sha256_base64url(form["code_verifier"]) != g.challenge) return refuse("PKCE verifier");

    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    nlohmann::json claims = {{"iss", issuer()},  {"sub", g.person.sub}, {"aud", kClientId},
                             {"exp", now + 300}, {"iat", now},          {"nonce", g.nonce}};
    if (email_in_id_token_) {
      claims["email"] = g.person.email;
      if (g.person.email_verified) claims["email_verified"] = *g.person.email_verified;
    }
    const JwsSigner* by = signer_.get();
    switch (flaw_) {
      case Flaw::kNone:
        break;
      case Flaw::kWrongKey:
        by = impostor_.get();
        break;
      case Flaw::kWrongIssuer:
        claims["iss"] = issuer() + "/other";
        break;
      case Flaw::kWrongAudience:
        claims["aud"] = "another-client";
        break;
      case Flaw::kWrongNonce:
        claims["nonce"] = "not-the-nonce";
        break;
      case Flaw::kExpired:
        claims["exp"] = now - 3600;
        claims["iat"] = now - 7200;
        break;
      case Flaw::kAlgNone:
        break;
      case Flaw::kOtherAuthorizedParty:
        claims["aud"] = {kClientId, "another-client"};
        claims["azp"] = "another-client";
        break;
      case Flaw::kSeveralAudiencesNoAzp:
        claims["aud"] = {kClientId, "another-client"};
        break;
      case Flaw::kIssuedInTheFuture:
        claims["iat"] = now + 600;
        break;
      case Flaw::kUserinfoOtherSubject:
        break;
    }
    std::string id_token = flaw_ == Flaw::kAlgNone ? base64url_encode(R"({"alg":"none"})") + "." +
                                                         base64url_encode(claims.dump()) + "."
                                                   : by->sign(claims);
    access_tokens_["at-" + form["code"]] = g.person;
    return json_answer(200, {{"access_token", "at-" + form["code"]},
                             {"token_type", "Bearer"},
                             {"expires_in", 300},
                             {"id_token", id_token}});
  }

  HttpResponse userinfo(const HttpRequest& r) {
    const std::string* auth = r.header("authorization");
    auto it = auth && auth->rfind("Bearer ", 0) == 0 ? access_tokens_.find(auth->substr(7))
                                                     : access_tokens_.end();
    if (it == access_tokens_.end()) return json_answer(401, {{"error", "invalid_token"}});
    nlohmann::json info = {
        {"sub", flaw_ == Flaw::kUserinfoOtherSubject ? "someone-else" : it->second.sub},
        {"email", it->second.email},
        {"iss", issuer()},
        {"aud", kClientId}};
    if (it->second.email_verified) info["email_verified"] = *it->second.email_verified;
    return {200, "application/jwt", signer_->sign(info), {}};
  }

  std::mutex mutex_;
  JwsSigner::Alg alg_;
  std::unique_ptr<JwsSigner> signer_, impostor_;
  int key_generation_ = 1;
  std::vector<std::string> auth_methods_{"client_secret_basic", "private_key_jwt"};
  bool email_in_id_token_;
  Person person_;
  Flaw flaw_ = Flaw::kNone;
  int codes_ = 0, token_requests_ = 0;
  std::map<std::string, Grant> grants_;
  std::map<std::string, Person> access_tokens_;
  std::map<std::string, std::string> last_authorization_;
  std::vector<std::string> token_errors_;
  HttpServer server_;
};

}  // namespace rdv::testing
