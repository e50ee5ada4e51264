#include "accounts/credentials.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "accounts/passwords.h"
#include "domain/error.h"
#include "domain/text.h"

namespace rdv {
namespace {

using std::chrono::seconds;

int seconds_until(Instant later, Instant now) {
  auto s = std::chrono::duration_cast<seconds>(later - now).count();
  return static_cast<int>(std::max<std::int64_t>(1, s));
}

std::string email_subject(const std::string& email) { return "email:" + email; }
std::string address_subject(const std::string& address) { return "address:" + address; }

}  // namespace

Credentials::Credentials(Store& store, const Clock& clock, Random& random, const LinkSigner& links,
                         CredentialPolicy policy)
    : store_(store), clock_(clock), random_(random), links_(links), policy_(policy) {}

const std::string& Credentials::dummy_hash() {
  // Made at the first sign-in with an unknown email, not at start-up (64 MiB of argon2id).
  std::call_once(dummy_once_, [&] { dummy_hash_ = hash_password(new_token(random_)); });
  return dummy_hash_;
}

void Credentials::audit(StoreWriter& tx, std::optional<Id> account_id, const std::string& address,
                        const std::string& action) {
  AuditEntry e;
  e.at = clock_.now();
  e.account_id = account_id;
  e.address = address;
  e.action = action;
  tx.accounts().append_audit(e);
}

void Credentials::check_not_throttled(StoreReader& r, const std::string& email,
                                      const std::string& address, Instant now) {
  Instant since = now - policy_.failure_window;
  Failures by_address = r.accounts().failures_since(address_subject(address), since);
  if (by_address.count >= policy_.address_limit && by_address.last)
    throw TooManyAttempts(seconds_until(*by_address.last + policy_.failure_window, now));
  // Locked: lock_after failures within one window, the last less than
  // lock_for ago (however long ago the window started).
  Failures recent = r.accounts().failures_since(email_subject(email), now - policy_.lock_for);
  if (recent.last) {
    Failures burst =
        r.accounts().failures_since(email_subject(email), *recent.last - policy_.failure_window);
    if (burst.count >= policy_.lock_after)
      throw TooManyAttempts(seconds_until(*recent.last + policy_.lock_for, now));
  }
  // Slowed down: after slow_after failures in the window, 4, 8, 16... up to
  // 60 seconds between attempts.
  Failures by_email = r.accounts().failures_since(email_subject(email), since);
  if (by_email.last && by_email.count >= policy_.slow_after) {
    seconds delay{std::min(60, 4 << std::min(4, by_email.count - policy_.slow_after))};
    if (now < *by_email.last + delay)
      throw TooManyAttempts(seconds_until(*by_email.last + delay, now));
  }
}

NewSession Credentials::sign_in(const std::string& email_text, const std::string& password,
                                const std::string& address) {
  Instant now = clock_.now();
  std::string email = lower_ascii(email_text);
  std::optional<Account> account;
  std::optional<std::string> hash;
  store_.read([&](StoreReader& r) {
    check_not_throttled(r, email, address, now);
    account = r.accounts().account_by_email(email);
    if (account) hash = r.accounts().password_hash(account->id);
  });
  // The hash is checked even without an account, so that timing tells nothing.
  bool password_ok = verify_password(hash ? *hash : dummy_hash(), password) && hash;
  bool ok = password_ok && account && account->status == AccountStatus::kActive;
  if (!ok) {
    store_.write([&](StoreWriter& tx) {
      tx.accounts().record_failure(email_subject(email), now);
      tx.accounts().record_failure(address_subject(address), now);
      audit(tx, account ? std::optional<Id>(account->id) : std::nullopt, address, "sign_in_failed");
    });
    throw ClientError(ErrorCode::kUnauthenticated, "wrong email or password");
  }
  NewSession out;
  store_.write([&](StoreWriter& tx) {
    tx.accounts().clear_failures(email_subject(email));
    out = open_session(tx, account->id, address, "sign_in");
  });
  return out;
}

NewSession Credentials::open_session(StoreWriter& tx, Id account_id, const std::string& address,
                                     const std::string& action) {
  Instant now = clock_.now();
  NewSession out;
  out.token = new_token(random_);
  out.session.account_id = account_id;
  out.session.created_at = out.session.last_seen_at = now;
  out.session.expires_at = now + policy_.session_absolute;
  out.session.id = tx.accounts().insert_session(out.session, token_hash(out.token));
  tx.accounts().record_sign_in(account_id, now);
  audit(tx, account_id, address, action);
  return out;
}

void Credentials::sign_out(Id session_id) {
  store_.write([&](StoreWriter& tx) { tx.accounts().end_session(session_id, clock_.now()); });
}

std::optional<Signed> Credentials::session(StoreReader& r, const std::string& token) {
  Instant now = clock_.now();
  auto s = r.accounts().session_by_hash(token_hash(token));
  if (!s || now >= s->expires_at || now >= s->last_seen_at + policy_.session_idle)
    return std::nullopt;
  auto a = r.accounts().account(s->account_id);
  if (!a || a->status != AccountStatus::kActive) return std::nullopt;
  return Signed{*a, s->id, std::nullopt, now >= s->last_seen_at + std::chrono::minutes{1}};
}

void Credentials::touch(const Signed& s) {
  if (!s.touch_due || !s.session_id) return;
  store_.write([&](StoreWriter& tx) { tx.accounts().touch_session(*s.session_id, clock_.now()); });
}

std::optional<Signed> Credentials::api_token(StoreReader& r, const std::string& token) {
  auto t = r.accounts().token_by_hash(token_hash(token));
  if (!t || t->revoked_at || (t->expires_at && clock_.now() >= *t->expires_at)) return std::nullopt;
  auto a = r.accounts().account(t->account_id);
  if (!a || a->status == AccountStatus::kDeactivated) return std::nullopt;
  return Signed{*a, std::nullopt, t->id};
}

NewToken Credentials::create_token(StoreWriter& tx, Id account_id, const std::string& name,
                                   std::optional<Instant> expires_at) {
  NewToken out;
  out.token = new_token(random_);
  out.info.account_id = account_id;
  out.info.name = name;
  out.info.created_at = clock_.now();
  out.info.expires_at = expires_at;
  out.info.id = tx.accounts().insert_token(out.info, token_hash(out.token));
  return out;
}

std::string Credentials::issue_link(StoreWriter& tx, const Account& a, LinkPurpose purpose) {
  Instant now = clock_.now();
  tx.accounts().retire_links(a.id, purpose, now);
  AccountLink l;
  l.account_id = a.id;
  l.purpose = purpose;
  l.created_at = now;
  l.expires_at =
      now + (purpose == LinkPurpose::kInvitation
                 ? std::chrono::duration_cast<std::chrono::minutes>(policy_.invitation_valid)
                 : policy_.reset_valid);
  // The token is made from the id, so the row gets its hash right after.
  l.id = tx.accounts().insert_link(l);
  std::string token = links_.account_link_token(l.id);
  tx.accounts().set_link_token_hash(l.id, token_hash(token));
  if (policy_.email && !a.email.empty()) {
    Job j;
    j.kind = JobKind::kEmail;
    j.idempotency_key = "account-link:" + std::to_string(l.id);
    j.payload = nlohmann::json{{"account_link_id", l.id},
                               {"event", std::string(link_purpose_name(purpose))}}
                    .dump();
    j.run_at = j.created_at = now;
    j.max_attempts = 5;
    tx.jobs().enqueue({j});
  }
  return token;
}

Id Credentials::set_password(const std::string& token, const std::string& password,
                             const std::string& address) {
  Instant now = clock_.now();
  Id account_id = 0;
  store_.write([&](StoreWriter& tx) {
    auto link = tx.accounts().link_by_hash(token_hash(token));
    if (!link || link->used_at || now >= link->expires_at)
      invalid_field("token", "this link is unknown, already used or expired: ask for a new one");
    auto a = tx.accounts().account(link->account_id);
    if (!a || a->status == AccountStatus::kDeactivated)
      invalid_field("token", "this account is closed");
    if (std::string why = password_problem(password, a->email, a->name); !why.empty())
      invalid_field("password", why);
    if (!tx.accounts().use_link(link->id, now))
      invalid_field("token", "this link is unknown, already used or expired: ask for a new one");
    tx.accounts().set_password_hash(a->id, hash_password(password));
    if (a->status == AccountStatus::kInvited) {
      a->status = AccountStatus::kActive;
      tx.accounts().update_account(*a);
    }
    // A new password ends the sessions opened with the old one.
    tx.accounts().end_sessions(a->id, now);
    tx.accounts().clear_failures(email_subject(a->email));
    audit(tx, a->id, address,
          link->purpose == LinkPurpose::kReset ? "password_reset" : "invitation_accepted");
    account_id = a->id;
  });
  return account_id;
}

void Credentials::request_reset(const std::string& email, const std::string& address) {
  std::string lower = lower_ascii(email);
  Instant now = clock_.now();
  store_.write([&](StoreWriter& tx) {
    auto a = tx.accounts().account_by_email(lower);
    // Written either way (a request for an unknown address is worth seeing),
    // so that both answers cost one write and take about the same time.
    audit(tx, a ? std::optional<Id>(a->id) : std::nullopt, address, "password_reset_requested");
    if (!a || a->status != AccountStatus::kActive) return;
    // One link per few minutes: repeated requests neither flood the person's
    // mailbox nor keep retiring the link they are about to use.
    auto last = tx.accounts().latest_link(a->id, LinkPurpose::kReset);
    if (last && !last->used_at && now < last->created_at + policy_.reset_cooldown) return;
    issue_link(tx, *a, LinkPurpose::kReset);
  });
}

void Credentials::deactivate(StoreWriter& tx, Account& a) {
  a.status = AccountStatus::kDeactivated;
  tx.accounts().update_account(a);
  tx.accounts().end_sessions(a.id, clock_.now());
  tx.accounts().revoke_tokens(a.id, clock_.now());
  // The feed URL they may have shared stops working too, for good.
  if (a.agent_id) tx.directory().update_agent_ics_secret(*a.agent_id, new_token(random_));
}

}  // namespace rdv
