// Single sign-on for staff through an OpenID Connect provider (ProConnect, a
// department's Keycloak): authorization code flow with PKCE (S256), the ID
// token's signature checked with the provider's published keys, and its
// issuer, audience, expiry and nonce. The provider proves who the person is;
// what they may do stays with their account here (see App's callback).
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "crypto/jose.h"
#include "domain/clock.h"
#include "net/http_client.h"

namespace rdv {

struct SingleSignOnSettings {
  std::string issuer;  // exactly as the provider's discovery document writes it
  std::string client_id, client_secret;
  std::string scopes = "openid email";
  // Take the provider's email as verified when it says nothing of it (a
  // provider that only gives verified addresses, as ProConnect); otherwise
  // an email counts only with "email_verified": true.
  bool trust_email = false;
  bool enabled() const { return !issuer.empty(); }
};

// Who the provider says signed in.
struct SsoIdentity {
  std::string subject;          // "issuer sub": unique across providers
  std::string email;            // lower case; "" when the provider gave none
  bool email_verified = false;  // "email_verified": true, or trusted (settings)
};

// The sign-in cannot go on. what() is for the log (never a token);
// `provider_unavailable` tells an outage (try later) from a refusal.
struct SsoError : std::runtime_error {
  SsoError(const std::string& what, bool unavailable = false)
      : std::runtime_error(what), provider_unavailable(unavailable) {}
  bool provider_unavailable;
};

// The PKCE challenge of a verifier: base64url(SHA-256(verifier)).
std::string pkce_challenge(const std::string& code_verifier);

class SingleSignOn {
 public:
  SingleSignOn(SingleSignOnSettings settings, HttpClientPolicy http, const Clock& clock);

  const SingleSignOnSettings& settings() const { return settings_; }

  // Where to send the browser; reads the provider's discovery document
  // (cached an hour). SsoError when the provider cannot be reached.
  std::string authorization_url(const std::string& redirect_uri, const std::string& state,
                                const std::string& nonce, const std::string& code_verifier);

  // Exchanges the code for tokens, checks the ID token and returns who it
  // names; the email comes from the userinfo endpoint when the ID token has
  // none (ProConnect). SsoError otherwise.
  SsoIdentity finish(const std::string& code, const std::string& redirect_uri,
                     const std::string& code_verifier, const std::string& nonce);

  // The claims of a valid ID token for this client and nonce (signature,
  // iss, aud and azp, exp, iat, nonce); SsoError naming what failed.
  nlohmann::json check_id_token(const std::string& id_token, const std::string& nonce);

 private:
  struct Provider {
    std::string authorization_endpoint, token_endpoint, jwks_uri, userinfo_endpoint;
    bool secret_in_body = false;  // client_secret_post rather than client_secret_basic
  };
  Provider provider();  // cached
  Provider read_provider();
  // The provider's keys, read again after an hour, or when `refresh` (an
  // unknown kid: keys rotate) at most once a minute.
  std::shared_ptr<const JwkSet> keys(bool refresh);
  // A JWT signed by the provider: its payload.
  nlohmann::json verified(const std::string& jwt);
  nlohmann::json get_json(const std::string& url);
  IncomingResponse call(const OutgoingRequest& request);

  SingleSignOnSettings settings_;
  HttpClientPolicy http_;
  const Clock& clock_;
  std::mutex mutex_;  // guards what follows; never held during a call
  std::optional<Provider> provider_;
  Instant provider_read_at_;
  std::shared_ptr<const JwkSet> keys_;
  Instant keys_read_at_;
  std::optional<Instant> keys_refreshed_at_;
};

}  // namespace rdv
