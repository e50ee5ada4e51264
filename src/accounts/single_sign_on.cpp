#include "accounts/single_sign_on.h"

#include <sodium.h>

#include <algorithm>

#include "crypto/base64.h"
#include "crypto/tokens.h"
#include "domain/contact.h"
#include "domain/error.h"
#include "domain/text.h"
#include "net/url.h"

namespace rdv {

using Json = nlohmann::json;

namespace {

constexpr std::chrono::hours kDiscoveryFor{1};
constexpr std::chrono::minutes kKeysAtMostEvery{1};
constexpr std::chrono::seconds kLeeway{60};  // clocks of two machines

std::string text_member(const Json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Whether an "aud" claim (a string or an array of them) names `client_id`.
bool names(const Json& aud, const std::string& client_id) {
  if (aud.is_array())
    return std::any_of(aud.begin(), aud.end(), [&](const Json& a) { return a == client_id; });
  return aud == client_id;
}

// A NumericDate claim (whole seconds, within years 1970 to 5138), or nullopt.
std::optional<Instant> epoch_claim(const Json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number_integer()) return std::nullopt;
  std::int64_t v = it->get<std::int64_t>();
  if (v < 0 || v > 100'000'000'000) return std::nullopt;
  return from_epoch(v);
}

// Text from the provider made safe for one log line.
std::string printable(std::string text) {
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return text;
}

bool is_https(const std::string& url) { return url.rfind("https://", 0) == 0; }

std::string form(std::initializer_list<std::pair<const char*, std::string>> fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += std::string(name) + "=" + url_encode(value);
  }
  return out;
}

}  // namespace

std::string pkce_challenge(const std::string& code_verifier) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(code_verifier.data()),
                     code_verifier.size());
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

SingleSignOn::SingleSignOn(SingleSignOnSettings settings, HttpClientPolicy http, const Clock& clock)
    : settings_(std::move(settings)), http_(std::move(http)), clock_(clock) {}

IncomingResponse SingleSignOn::call(const OutgoingRequest& request) {
  try {
    IncomingResponse r = send_http(http_, request);
    if (r.status >= 500) throw SsoError("the provider answered " + std::to_string(r.status), true);
    return r;
  } catch (const HttpClientError& e) {
    throw SsoError(std::string("the provider cannot be reached: ") + e.what() + " " + e.detail(),
                   true);
  }
}

Json SingleSignOn::get_json(const std::string& url) {
  OutgoingRequest request;
  request.url = url;
  request.headers = {"Accept: application/json"};
  IncomingResponse r = call(request);
  if (r.status != 200) throw SsoError(url + " answered " + std::to_string(r.status));
  Json j = Json::parse(r.body, nullptr, false);
  if (!j.is_object()) throw SsoError(url + " did not answer a JSON object");
  return j;
}

SingleSignOn::Provider SingleSignOn::read_provider() {
  std::string base = settings_.issuer;
  if (!base.empty() && base.back() == '/') base.pop_back();
  Json doc = get_json(base + "/.well-known/openid-configuration");
  // The document must be the issuer's own (OpenID Connect Discovery 4.3).
  if (text_member(doc, "issuer") != settings_.issuer)
    throw SsoError("the discovery document names another issuer");
  Provider p;
  auto endpoint = [&](const char* name, bool required) {
    std::string url = text_member(doc, name);
    if (url.empty()) {
      if (required) throw SsoError(std::string("the discovery document has no ") + name);
      return url;
    }
    // An https issuer's endpoints are all https: tokens never travel in clear.
    if (is_https(settings_.issuer) && !is_https(url))
      throw SsoError(std::string(name) + " is not https");
    try {
      return require_callable_url(url, http_);
    } catch (const ClientError&) {
      throw SsoError(std::string(name) + " is not a URL we may call");
    }
  };
  p.authorization_endpoint = endpoint("authorization_endpoint", true);
  p.token_endpoint = endpoint("token_endpoint", true);
  p.jwks_uri = endpoint("jwks_uri", true);
  p.userinfo_endpoint = endpoint("userinfo_endpoint", false);
  // client_secret_basic is the default (RFC 8414); some providers take the
  // secret only in the body.
  if (auto methods = doc.find("token_endpoint_auth_methods_supported");
      methods != doc.end() && methods->is_array()) {
    bool basic = false, post = false;
    for (const Json& m : *methods) {
      basic = basic || m == "client_secret_basic";
      post = post || m == "client_secret_post";
    }
    p.secret_in_body = !basic && post;
  }
  return p;
}

// The provider is read again after an hour; while it cannot be read, what
// was read before still serves. No lock is held during a call: a slow
// provider slows down sign-ins, not the other requests.
SingleSignOn::Provider SingleSignOn::provider() {
  Instant now = clock_.now();
  std::optional<Provider> known;
  {
    std::lock_guard lock(mutex_);
    known = provider_;
    if (known && now < provider_read_at_ + kDiscoveryFor) return *known;
  }
  try {
    Provider fresh = read_provider();
    std::lock_guard lock(mutex_);
    provider_ = fresh;
    provider_read_at_ = now;
    return fresh;
  } catch (const SsoError&) {
    if (!known) throw;
    std::lock_guard lock(mutex_);
    provider_read_at_ = now - kDiscoveryFor + kKeysAtMostEvery;  // try again in a minute
    return *known;
  }
}

std::shared_ptr<const JwkSet> SingleSignOn::keys(bool refresh) {
  Instant now = clock_.now();
  std::shared_ptr<const JwkSet> known;
  {
    std::lock_guard lock(mutex_);
    known = keys_;
    bool old = !known || now >= keys_read_at_ + kDiscoveryFor;
    bool may_refresh = !keys_refreshed_at_ || now >= *keys_refreshed_at_ + kKeysAtMostEvery;
    if (!old && !(refresh && may_refresh)) return known;
    // Refreshes before the hour (unknown keys) come at most once a minute.
    if (!old) keys_refreshed_at_ = now;
    keys_read_at_ = now;
  }
  try {
    auto fresh = std::make_shared<const JwkSet>(get_json(provider().jwks_uri));
    // A set with no key we can use is a provider's mistake: keep the last one.
    if (fresh->size() == 0 && known) return known;
    std::lock_guard lock(mutex_);
    keys_ = fresh;
    return fresh;
  } catch (const JoseError& e) {
    if (known) return known;
    throw SsoError(std::string("the provider's keys cannot be read: ") + e.what(), true);
  } catch (const SsoError&) {
    if (known) return known;
    throw;
  }
}

Json SingleSignOn::verified(const std::string& jwt) {
  std::string kid = jws_key_id(jwt);
  std::shared_ptr<const JwkSet> set = keys(false);
  try {
    // A key we do not know yet: the provider may have rotated its keys.
    if (!kid.empty() && !set->has(kid)) set = keys(true);
    return verify_jws(jwt, *set);
  } catch (const JoseError& first) {
    // Without a kid, a failure may also mean rotated keys: read them once more.
    if (kid.empty()) {
      auto again = keys(true);
      if (again != set) {
        try {
          return verify_jws(jwt, *again);
        } catch (const JoseError&) {
        }
      }
    }
    throw SsoError(std::string("token refused: ") + first.what());
  }
}

std::string SingleSignOn::authorization_url(const std::string& redirect_uri,
                                            const std::string& state, const std::string& nonce,
                                            const std::string& code_verifier) {
  std::string endpoint = provider().authorization_endpoint;
  return endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") +
         form({{"response_type", "code"},
               {"client_id", settings_.client_id},
               {"redirect_uri", redirect_uri},
               {"scope", settings_.scopes},
               {"state", state},
               {"nonce", nonce},
               {"code_challenge", pkce_challenge(code_verifier)},
               {"code_challenge_method", "S256"}});
}

Json SingleSignOn::check_id_token(const std::string& id_token, const std::string& nonce) {
  Json claims = verified(id_token);
  if (text_member(claims, "iss") != settings_.issuer) throw SsoError("ID token: wrong issuer");
  const Json aud = claims.value("aud", Json());
  if (!names(aud, settings_.client_id)) throw SsoError("ID token: not for this client");
  // Several audiences: the token must have been issued to us (azp).
  if ((aud.is_array() && aud.size() > 1) || claims.contains("azp"))
    if (text_member(claims, "azp") != settings_.client_id)
      throw SsoError("ID token: authorized party is another client");
  Instant now = clock_.now();
  auto exp = epoch_claim(claims, "exp"), iat = epoch_claim(claims, "iat");
  if (!exp || !iat) throw SsoError("ID token: no exp or iat");
  if (now >= *exp + kLeeway) throw SsoError("ID token: expired");
  if (*iat > now + kLeeway) throw SsoError("ID token: issued in the future");
  if (!constant_time_equal(text_member(claims, "nonce"), nonce))
    throw SsoError("ID token: wrong nonce");
  std::string sub = text_member(claims, "sub");
  if (sub.empty() || sub.size() > 255) throw SsoError("ID token: no subject");
  return claims;
}

SsoIdentity SingleSignOn::finish(const std::string& code, const std::string& redirect_uri,
                                 const std::string& code_verifier, const std::string& nonce) {
  Provider p = provider();
  OutgoingRequest request;
  request.method = "POST";
  request.url = p.token_endpoint;
  request.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  request.body = form({{"grant_type", "authorization_code"},
                       {"code", code},
                       {"redirect_uri", redirect_uri},
                       {"code_verifier", code_verifier}});
  if (p.secret_in_body) {
    request.body += "&" + form({{"client_id", settings_.client_id},
                                {"client_secret", settings_.client_secret}});
  } else {
    // RFC 6749 2.3.1: both parts form-encoded before base64.
    request.headers.push_back(
        "Authorization: Basic " +
        base64_encode(url_encode(settings_.client_id) + ":" + url_encode(settings_.client_secret)));
  }
  IncomingResponse r = call(request);
  Json tokens = Json::parse(r.body, nullptr, false);
  if (r.status != 200 || !tokens.is_object()) {
    std::string error = tokens.is_object() ? text_member(tokens, "error") : "";
    throw SsoError("the token endpoint answered " + std::to_string(r.status) + " " +
                   printable(error.substr(0, 40)));
  }
  std::string id_token = text_member(tokens, "id_token");
  if (id_token.empty()) throw SsoError("the token endpoint gave no ID token");
  Json claims = check_id_token(id_token, nonce);

  Json about = claims;
  if (!claims.contains("email") && !p.userinfo_endpoint.empty()) {
    std::string access_token = text_member(tokens, "access_token");
    if (access_token.empty()) throw SsoError("the token endpoint gave no access token");
    OutgoingRequest ask;
    ask.url = p.userinfo_endpoint;
    ask.headers = {"Accept: application/json, application/jwt",
                   "Authorization: Bearer " + access_token};
    IncomingResponse info = call(ask);
    if (info.status != 200) throw SsoError("userinfo answered " + std::to_string(info.status));
    // JSON, or a JWT signed by the provider (ProConnect).
    bool jwt = lower_ascii(info.content_type).rfind("application/jwt", 0) == 0;
    about = jwt ? verified(info.body) : Json::parse(info.body, nullptr, false);
    if (!about.is_object()) throw SsoError("userinfo is not a JSON object");
    // A signed answer names its issuer and audience; they must be ours.
    if (about.contains("iss") && text_member(about, "iss") != settings_.issuer)
      throw SsoError("userinfo from another issuer");
    if (about.contains("aud") && !names(about["aud"], settings_.client_id))
      throw SsoError("userinfo for another client");
    // The answer must be about the person of the ID token (OpenID Connect Core 5.3.2).
    if (text_member(about, "sub") != text_member(claims, "sub"))
      throw SsoError("userinfo is about another subject");
  }
  SsoIdentity out;
  out.subject = settings_.issuer + " " + text_member(claims, "sub");
  if (std::string email = text_member(about, "email"); !email.empty()) {
    try {
      out.email = lower_ascii(checked_mailbox(email, "email"));
    } catch (const ClientError&) {
      throw SsoError("the provider gave an email that is not a mailbox");
    }
  }
  // Only a JSON true says verified; a provider that never says it is
  // trusted only when the settings say so.
  auto verified_claim = about.find("email_verified");
  out.email_verified =
      verified_claim == about.end() ? settings_.trust_email : *verified_claim == Json(true);
  return out;
}

}  // namespace rdv
