// Staff sign-in through the OpenID Connect provider: the browser is sent
// there, comes back with a code, and leaves with a session cookie. The
// provider only says who the person is: a first sign-in binds its identity
// to the account invited with that (verified) email, and no account, role or
// membership is ever made here.

#include "app.h"
#include "crypto/tokens.h"
#include "domain/error.h"
#include "html_page.h"
#include "net/url.h"
#include "observe/log.h"

namespace rdv {
namespace {

constexpr const char* kStartPath = "/api/v1/auth/oidc";
constexpr const char* kCallbackPath = "/api/v1/auth/oidc/callback";
constexpr std::chrono::minutes kLoginValid{10};

// Where to go after signing in: a path of ours, never another site.
std::optional<std::string> local_path(const std::string* next) {
  if (!next || next->empty()) return "/";
  if (!is_local_path(*next)) return std::nullopt;
  return *next;
}

HttpResponse refused_page(int status, const std::string& message) {
  return html_page(status, "Connexion impossible",
                   "<p>" + message + "</p>\n<p><a href=\"" + std::string(kStartPath) +
                       "\">Recommencer la connexion</a></p>\n");
}

// Holds one of the few places for requests that wait on the provider.
class ProviderCall {
 public:
  explicit ProviderCall(std::atomic<int>& calls) : calls_(calls) {
    admitted_ = calls_.fetch_add(1) < kMaxProviderCalls;
  }
  ~ProviderCall() { calls_.fetch_sub(1); }
  bool admitted() const { return admitted_; }

 private:
  static constexpr int kMaxProviderCalls = 2;
  std::atomic<int>& calls_;
  bool admitted_ = false;
};

HttpResponse provider_down_page() {
  return refused_page(503,
                      "Le service d'identification ne répond pas pour le moment. Réessayez "
                      "dans quelques minutes, ou connectez-vous avec votre mot de passe.");
}

}  // namespace

// On https the cookie is a __Host- one: only this host can set it, so a
// sibling subdomain cannot plant a state of its own choosing.
std::string App::sso_state_cookie_name() const { return cookie_name("rdv_oidc"); }

std::string App::sso_state_cookie(const std::string& state) const {
  return sso_state_cookie_name() + "=" + state + "; Path=" + (https() ? "/" : kStartPath) +
         "; HttpOnly; SameSite=Lax; Max-Age=" +
         (state.empty() ? "0" : std::to_string(kLoginValid.count() * 60)) +
         (https() ? "; Secure" : "");
}

void App::add_sso_routes() {
  // Starts a sign-in: ?next= is the page to come back to.
  router_.add_waiting("GET", kStartPath, [this](const HttpRequest& r, const PathParams&) {
    if (!sso_) throw ClientError(ErrorCode::kNotFound, "single sign-on is not configured");
    if (auto limited = over_limit(sso_limiter_, r, "too many sign-ins from this address"))
      return *limited;
    auto next = local_path(r.param("next"));
    if (!next) invalid_field("next", "expected a path of this site, starting with one /");
    SsoLogin login;
    std::string state = new_token(random_);
    login.nonce = new_token(random_);
    login.code_verifier = new_token(random_);  // 43 characters, as PKCE asks
    login.return_to = *next;
    login.created_at = clock_.now();
    std::string url;
    ProviderCall call(sso_calls_);
    if (!call.admitted()) return provider_down_page();
    try {
      url = sso_->authorization_url(options_.public_url + kCallbackPath, state, login.nonce,
                                    login.code_verifier);
    } catch (const SsoError& e) {
      logging::warn("sso_unavailable", {{"error", e.what()}});
      return provider_down_page();
    }
    store_.write([&](StoreWriter& tx) {
      tx.accounts().purge_sso_logins(login.created_at - kLoginValid);
      tx.accounts().insert_sso_login(login, token_hash(state));
    });
    // The state also goes to this browser: the return is accepted only in
    // the browser that left (no one can sign a victim into their account).
    return HttpResponse{
        302, "text/plain", "", {{"Location", url}, {"Set-Cookie", sso_state_cookie(state)}}};
  });

  router_.add_waiting("GET", kCallbackPath, [this](const HttpRequest& r, const PathParams&) {
    if (!sso_) throw ClientError(ErrorCode::kNotFound, "single sign-on is not configured");
    if (auto limited = over_limit(sso_limiter_, r, "too many sign-ins from this address"))
      return *limited;
    std::string address = client_address(r);
    const std::string* state = r.param("state");
    const std::string* code = r.param("code");
    std::optional<std::string> cookie = r.cookie(sso_state_cookie_name());
    if (!state || state->empty() || state->size() > 200 || !cookie ||
        !constant_time_equal(*cookie, *state))
      return refused_page(400,
                          "Cette connexion a expiré ou a été commencée dans un autre navigateur.");
    std::optional<SsoLogin> login;
    store_.write(
        [&](StoreWriter& tx) { login = tx.accounts().take_sso_login(token_hash(*state)); });
    if (!login || clock_.now() >= login->created_at + kLoginValid)
      return refused_page(400,
                          "Cette connexion a expiré ou a été commencée dans un autre navigateur.");
    if (r.param("error") || !code || code->empty() || code->size() > 2000)
      return refused_page(401, "Le service d'identification n'a pas confirmé votre identité.");

    SsoIdentity who;
    ProviderCall call(sso_calls_);
    if (!call.admitted()) return provider_down_page();
    try {
      who = sso_->finish(*code, options_.public_url + kCallbackPath, login->code_verifier,
                         login->nonce);
    } catch (const SsoError& e) {
      logging::warn("sso_refused", {{"error", e.what()}});
      if (e.provider_unavailable) return provider_down_page();
      store_.write([&](StoreWriter& tx) {
        credentials_.audit(tx, std::nullopt, address, "sign_in_failed");
      });
      return refused_page(401, "Le service d'identification n'a pas confirmé votre identité.");
    }

    std::optional<NewSession> session;
    store_.write([&](StoreWriter& tx) {
      std::optional<Account> a = tx.accounts().account_by_sso_subject(who.subject);
      // First sign-in: the account with this address, if it is not bound to
      // another identity already and the provider vouches for the address
      // (as a reset link sent there would: who holds the mailbox may sign in).
      if (!a && !who.email.empty() && who.email_verified) {
        a = tx.accounts().account_by_email(who.email);
        if (a && !a->sso_subject.empty()) a.reset();
      }
      if (!a || a->status == AccountStatus::kDeactivated) {
        credentials_.audit(tx, a ? std::optional<Id>(a->id) : std::nullopt, address,
                           "sign_in_failed");
        return;
      }
      if (a->sso_subject.empty()) tx.accounts().set_sso_subject(a->id, who.subject);
      if (a->status == AccountStatus::kInvited) {
        // Signing in accepts the invitation: its link stops working.
        a->status = AccountStatus::kActive;
        tx.accounts().update_account(*a);
        tx.accounts().retire_links(a->id, LinkPurpose::kInvitation, clock_.now());
      }
      session = credentials_.open_session(tx, a->id, address, "sign_in_sso");
    });
    if (!session)
      return refused_page(403,
                          "Aucun compte n'est ouvert pour cette identité. Demandez à "
                          "l'administrateur de votre organisation de vous inviter avec votre "
                          "adresse professionnelle.");
    return HttpResponse{303,
                        "text/plain",
                        "",
                        {{"Location", login->return_to},
                         {"Set-Cookie", session_cookie(session->token)},
                         {"Set-Cookie", sso_state_cookie("")}}};
  });
}

}  // namespace rdv
