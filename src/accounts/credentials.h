// How staff prove who they are: password sign-in (slowed down, then locked,
// per email and per address), browser sessions with idle and absolute expiry,
// named API tokens, and single-use links to set a password. Sign-ins and
// their failures go to the audit log.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "accounts/account.h"
#include "crypto/link_tokens.h"
#include "crypto/tokens.h"
#include "domain/clock.h"
#include "storage/store.h"

namespace rdv {

// The page that invitation and reset links open, with "?token=".
inline constexpr const char* kPasswordPagePath = "/compte/mot-de-passe";

struct CredentialPolicy {
  std::chrono::minutes session_idle{30};
  std::chrono::hours session_absolute{12};
  std::chrono::hours invitation_valid{72};
  std::chrono::minutes reset_valid{60};
  std::chrono::minutes reset_cooldown{5};  // no new reset link sooner for one account
  std::chrono::minutes failure_window{15};
  int slow_after = 3;   // failures per email: then 4 s, 8 s... 60 s between attempts
  int lock_after = 10;  // failures per email: then locked for lock_for
  std::chrono::minutes lock_for{15};
  int address_limit = 30;  // failures per client address in the window
  bool email = false;      // an SMTP server is configured (links go by email)
};

// Too many failed sign-ins: answer 429 with Retry-After.
struct TooManyAttempts : std::runtime_error {
  explicit TooManyAttempts(int seconds)
      : std::runtime_error("too many failed sign-ins"), retry_after(seconds) {}
  int retry_after;
};

struct NewSession {
  std::string token;  // for the cookie; only its hash is stored
  Session session;
};

struct NewToken {
  std::string token;  // shown once
  ApiToken info;
};

// Who a credential belongs to, when it is valid.
struct Signed {
  Account account;
  std::optional<Id> session_id, token_id;
  bool touch_due = false;  // a session last seen over a minute ago: see touch()
};

class Credentials {
 public:
  Credentials(Store& store, const Clock& clock, Random& random, const LinkSigner& links,
              CredentialPolicy policy);

  const CredentialPolicy& policy() const { return policy_; }

  // ClientError 401 with one message whatever was wrong; TooManyAttempts.
  NewSession sign_in(const std::string& email, const std::string& password,
                     const std::string& address);
  void sign_out(Id session_id);
  // A new session for someone who proved who they are (password, single
  // sign-on), with the sign-in recorded under `action` in the audit log.
  NewSession open_session(StoreWriter& tx, Id account_id, const std::string& address,
                          const std::string& action);

  // A valid session, or nullopt; read in the caller's transaction, which
  // goes on to read the person's rights (one read per request).
  std::optional<Signed> session(StoreReader& r, const std::string& token);
  // A valid API token of an account that is not deactivated, or nullopt.
  std::optional<Signed> api_token(StoreReader& r, const std::string& token);
  // Records that a session was seen now, when `s.touch_due` (idle expiry).
  void touch(const Signed& s);

  NewToken create_token(StoreWriter& tx, Id account_id, const std::string& name,
                        std::optional<Instant> expires_at);

  // A new single-use link (earlier ones of the same purpose stop working)
  // and, when email is configured, its message in the outbox. Returns its token.
  std::string issue_link(StoreWriter& tx, const Account& a, LinkPurpose purpose);
  // Sets the password through a link and activates the account; ClientError
  // 400 naming "token" (unknown, used or expired) or "password" (refused).
  Id set_password(const std::string& token, const std::string& password,
                  const std::string& address);
  // A reset link by email when an active account has this address (at most
  // one per reset_cooldown); the caller learns nothing either way.
  void request_reset(const std::string& email, const std::string& address);

  // Deactivation and everything it ends, at once.
  void deactivate(StoreWriter& tx, Account& a);

  // The audit line of a sign-in event.
  void audit(StoreWriter& tx, std::optional<Id> account_id, const std::string& address,
             const std::string& action);

 private:
  void check_not_throttled(StoreReader& r, const std::string& email, const std::string& address,
                           Instant now);

  Store& store_;
  const Clock& clock_;
  Random& random_;
  const LinkSigner& links_;
  CredentialPolicy policy_;
  // Verified against when the email is unknown, so that both take the same time.
  const std::string& dummy_hash();
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace rdv
