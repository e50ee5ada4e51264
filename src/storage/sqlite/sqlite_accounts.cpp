#include "storage/sqlite/sqlite_accounts.h"

#include <functional>

#include "storage/sqlite/rows.h"

namespace rdv {

using namespace sqlite;  // the connection and the shared row mapping

std::vector<Membership> SqliteAccounts::memberships_of(Id account_id) {
  auto st = c_.prepare(std::string("SELECT ") + kMembershipColumns +
                       " FROM memberships WHERE account_id = ? ORDER BY " + kMembershipOrder);
  st.bind(1, account_id);
  std::vector<Membership> out;
  while (st.step())
    if (auto m = membership_from_row(st)) out.push_back(*m);
  return out;
}

std::vector<Account> SqliteAccounts::accounts_where(const std::string& where,
                                                    const std::function<void(Statement&)>& bind) {
  auto st =
      c_.prepare(std::string("SELECT ") + kAccountColumns + " FROM accounts a WHERE " + where);
  bind(st);
  std::vector<Account> out;
  while (st.step()) out.push_back(account_from_row(st));
  for (Account& a : out) a.memberships = memberships_of(a.id);
  return out;
}

std::optional<Account> SqliteAccounts::account(Id id) {
  auto found = accounts_where("a.id = ?", [&](Statement& st) { st.bind(1, id); });
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::optional<Account> SqliteAccounts::account_by_email(const std::string& lower_email) {
  if (lower_email.empty()) return std::nullopt;
  auto found = accounts_where("a.email = ?", [&](Statement& st) { st.bind(1, lower_email); });
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::optional<Account> SqliteAccounts::account_by_sso_subject(const std::string& subject) {
  if (subject.empty()) return std::nullopt;
  auto found = accounts_where("a.sso_subject = ?", [&](Statement& st) { st.bind(1, subject); });
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::vector<Account> SqliteAccounts::accounts(const AccountFilter& f) {
  // ?1 organisation, ?2 territory, ?3 status, ?4 after id, ?5 limit
  return accounts_where(
      "a.id > ?4 AND (?3 IS NULL OR a.status = ?3) "
      "AND (?1 IS NULL OR EXISTS (SELECT 1 FROM memberships m WHERE m.account_id = a.id "
      "  AND m.organisation_id = ?1)) "
      "AND (?2 IS NULL OR EXISTS (SELECT 1 FROM memberships m LEFT JOIN organisations o "
      "  ON o.id = m.organisation_id WHERE m.account_id = a.id "
      "  AND (m.territory_id = ?2 OR o.territory_id = ?2))) "
      "ORDER BY a.id LIMIT ?5",
      [&](Statement& st) {
        st.bind(1, f.organisation_id).bind(2, f.territory_id);
        if (f.status)
          st.bind(3, account_status_name(*f.status));
        else
          st.bind(3, std::optional<std::int64_t>{});
        st.bind(4, f.after_id).bind(5, static_cast<std::int64_t>(f.limit));
      });
}

std::optional<std::string> SqliteAccounts::password_hash(Id account_id) {
  auto st = c_.prepare("SELECT password_hash FROM accounts WHERE id = ?");
  st.bind(1, account_id);
  if (!st.step() || st.is_null(0)) return std::nullopt;
  return st.text("password_hash");
}

bool SqliteAccounts::agent_departed(Id agent_id) {
  auto st =
      c_.prepare("SELECT 1 FROM accounts WHERE agent_id = ? AND status = 'deactivated' LIMIT 1");
  st.bind(1, agent_id);
  return st.step();
}

bool SqliteAccounts::has_admin() {
  auto st = c_.prepare(
      "SELECT 1 FROM memberships m JOIN accounts a ON a.id = m.account_id "
      "WHERE m.role = 'admin' AND a.status <> 'deactivated' LIMIT 1");
  return st.step();
}

std::optional<Territory> SqliteAccounts::territory(Id id) {
  auto st =
      c_.prepare(std::string("SELECT ") + kTerritoryColumns + " FROM territories WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return territory_from_row(st);
}

std::vector<Territory> SqliteAccounts::territories() {
  auto st = c_.prepare(std::string("SELECT ") + kTerritoryColumns +
                       " FROM territories ORDER BY name, id");
  std::vector<Territory> out;
  while (st.step()) out.push_back(territory_from_row(st));
  return out;
}

bool SqliteAccounts::territory_in_use(Id territory_id) {
  auto st = c_.prepare(
      "SELECT EXISTS (SELECT 1 FROM organisations WHERE territory_id = ?1) "
      "OR EXISTS (SELECT 1 FROM memberships WHERE territory_id = ?1) AS used");
  st.bind(1, territory_id);
  st.step();
  return st.int64("used") != 0;
}

void SqliteAccounts::delete_territory(Id territory_id) {
  auto st = c_.prepare("DELETE FROM territories WHERE id = ?");
  st.bind(1, territory_id).run();
}

std::vector<Id> SqliteAccounts::organisations_of_territory(Id territory_id) {
  auto st = c_.prepare("SELECT id FROM organisations WHERE territory_id = ? ORDER BY id");
  st.bind(1, territory_id);
  std::vector<Id> out;
  while (st.step()) out.push_back(st.int64("id"));
  return out;
}

std::optional<ApiToken> SqliteAccounts::token_by_hash(const std::string& token_hash) {
  auto st =
      c_.prepare(std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE token_hash = ?");
  st.bind(1, token_hash);
  if (!st.step()) return std::nullopt;
  return token_from_row(st);
}

std::vector<ApiToken> SqliteAccounts::tokens_of(Id account_id) {
  auto st = c_.prepare(std::string("SELECT ") + kTokenColumns +
                       " FROM api_tokens WHERE account_id = ? ORDER BY id");
  st.bind(1, account_id);
  std::vector<ApiToken> out;
  while (st.step()) out.push_back(token_from_row(st));
  return out;
}

std::optional<Session> SqliteAccounts::session_by_hash(const std::string& token_hash) {
  auto st = c_.prepare(std::string("SELECT ") + kSessionColumns +
                       " FROM sessions WHERE token_hash = ? AND ended_at IS NULL");
  st.bind(1, token_hash);
  if (!st.step()) return std::nullopt;
  return session_from_row(st);
}

std::optional<AccountLink> SqliteAccounts::link_by_hash(const std::string& token_hash) {
  auto st = c_.prepare(std::string("SELECT ") + kAccountLinkColumns +
                       " FROM account_links WHERE token_hash = ?");
  st.bind(1, token_hash);
  return link_from(st);
}

std::optional<AccountLink> SqliteAccounts::link(Id id) {
  auto st =
      c_.prepare(std::string("SELECT ") + kAccountLinkColumns + " FROM account_links WHERE id = ?");
  st.bind(1, id);
  return link_from(st);
}

std::optional<AccountLink> SqliteAccounts::latest_link(Id account_id, LinkPurpose purpose) {
  auto st = c_.prepare(std::string("SELECT ") + kAccountLinkColumns +
                       " FROM account_links WHERE account_id = ? AND purpose = ? "
                       "ORDER BY id DESC LIMIT 1");
  st.bind(1, account_id).bind(2, link_purpose_name(purpose));
  return link_from(st);
}

std::optional<AccountLink> SqliteAccounts::link_from(sqlite::Statement& st) {
  if (!st.step()) return std::nullopt;
  return account_link_from_row(st);
}

Failures SqliteAccounts::failures_since(const std::string& subject, Instant since) {
  auto st = c_.prepare(
      "SELECT count(*) AS n, max(at) AS last FROM sign_in_failures WHERE subject = ? AND at >= ?");
  st.bind(1, subject).bind(2, to_epoch(since));
  st.step();
  return {static_cast<int>(st.int64("n")), instant_or_null(st, "last")};
}

std::vector<AuditEntry> SqliteAccounts::audit(const AuditFilter& f) {
  // ?1 account, ?2 from, ?3 to, ?4 action, ?5 target, ?6 before id, ?7 limit
  auto st = c_.prepare(
      std::string("SELECT ") + kAuditColumns +
      " FROM audit_log "
      "WHERE (?1 IS NULL OR account_id = ?1) AND (?2 IS NULL OR at >= ?2) "
      "AND (?3 IS NULL OR at < ?3) AND (?4 = '' OR action = ?4) AND (?5 = '' OR target = ?5) "
      "AND (?6 = 0 OR id < ?6) ORDER BY id DESC LIMIT ?7");
  st.bind(1, f.account_id).bind(2, epoch_or_null(f.from)).bind(3, epoch_or_null(f.to));
  st.bind(4, f.action).bind(5, f.target).bind(6, f.before_id);
  st.bind(7, static_cast<std::int64_t>(f.limit));
  std::vector<AuditEntry> out;
  while (st.step()) out.push_back(audit_entry_from_row(st));
  return out;
}

void SqliteAccounts::insert_memberships(Id account_id, const std::vector<Membership>& ms) {
  for (const Membership& m : ms) {
    auto st = c_.prepare(
        "INSERT INTO memberships(account_id, role, organisation_id, territory_id) "
        "VALUES (?,?,?,?)");
    st.bind(1, account_id).bind(2, role_name(m.role)).bind(3, m.organisation_id);
    st.bind(4, m.territory_id).run();
  }
}

Id SqliteAccounts::insert_account(const Account& a) {
  auto st = c_.prepare(
      "INSERT INTO accounts(name, email, phone, status, agent_id, created_at) "
      "VALUES (?,?,?,?,?,?)");
  st.bind(1, a.name);
  if (a.email.empty())
    st.bind(2, std::optional<std::int64_t>{});  // NULL: UNIQUE allows many
  else
    st.bind(2, a.email);
  st.bind(3, a.phone).bind(4, account_status_name(a.status)).bind(5, a.agent_id);
  st.bind(6, to_epoch(a.created_at)).run();
  Id id = c_.last_insert_id();
  insert_memberships(id, a.memberships);
  return id;
}

void SqliteAccounts::update_account(const Account& a) {
  auto st =
      c_.prepare("UPDATE accounts SET name = ?, phone = ?, status = ?, agent_id = ? WHERE id = ?");
  st.bind(1, a.name).bind(2, a.phone).bind(3, account_status_name(a.status));
  st.bind(4, a.agent_id).bind(5, a.id).run();
  auto clear = c_.prepare("DELETE FROM memberships WHERE account_id = ?");
  clear.bind(1, a.id).run();
  insert_memberships(a.id, a.memberships);
}

void SqliteAccounts::set_password_hash(Id account_id, const std::string& hash) {
  auto st = c_.prepare("UPDATE accounts SET password_hash = ? WHERE id = ?");
  st.bind(1, hash).bind(2, account_id).run();
}

void SqliteAccounts::record_sign_in(Id account_id, Instant at) {
  auto st = c_.prepare("UPDATE accounts SET last_sign_in_at = ?, locked_until = NULL WHERE id = ?");
  st.bind(1, to_epoch(at)).bind(2, account_id).run();
}

void SqliteAccounts::set_locked_until(Id account_id, std::optional<Instant> until) {
  auto st = c_.prepare("UPDATE accounts SET locked_until = ? WHERE id = ?");
  st.bind(1, epoch_or_null(until)).bind(2, account_id).run();
}

Id SqliteAccounts::insert_territory(const Territory& t) {
  auto st = c_.prepare("INSERT INTO territories(name, created_at) VALUES (?,?)");
  st.bind(1, t.name).bind(2, to_epoch(t.created_at)).run();
  return c_.last_insert_id();
}

void SqliteAccounts::rename_territory(Id territory_id, const std::string& name) {
  auto st = c_.prepare("UPDATE territories SET name = ? WHERE id = ?");
  st.bind(1, name).bind(2, territory_id).run();
}

void SqliteAccounts::set_organisation_territory(Id organisation_id,
                                                std::optional<Id> territory_id) {
  auto st = c_.prepare("UPDATE organisations SET territory_id = ? WHERE id = ?");
  st.bind(1, territory_id).bind(2, organisation_id).run();
}

Id SqliteAccounts::insert_token(const ApiToken& t, const std::string& token_hash) {
  auto st = c_.prepare(
      "INSERT INTO api_tokens(account_id, name, token_hash, created_at, expires_at) "
      "VALUES (?,?,?,?,?)");
  st.bind(1, t.account_id).bind(2, t.name).bind(3, token_hash).bind(4, to_epoch(t.created_at));
  st.bind(5, epoch_or_null(t.expires_at)).run();
  return c_.last_insert_id();
}

void SqliteAccounts::revoke_token(Id token_id, Instant at) {
  auto st = c_.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  st.bind(1, to_epoch(at)).bind(2, token_id).run();
}

Id SqliteAccounts::insert_session(const Session& s, const std::string& token_hash) {
  auto st = c_.prepare(
      "INSERT INTO sessions(account_id, token_hash, created_at, last_seen_at, expires_at) "
      "VALUES (?,?,?,?,?)");
  st.bind(1, s.account_id).bind(2, token_hash).bind(3, to_epoch(s.created_at));
  st.bind(4, to_epoch(s.last_seen_at)).bind(5, to_epoch(s.expires_at)).run();
  return c_.last_insert_id();
}

void SqliteAccounts::touch_session(Id session_id, Instant at) {
  auto st = c_.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ?");
  st.bind(1, to_epoch(at)).bind(2, session_id).run();
}

void SqliteAccounts::end_session(Id session_id, Instant at) {
  auto st = c_.prepare("UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL");
  st.bind(1, to_epoch(at)).bind(2, session_id).run();
}

void SqliteAccounts::end_sessions(Id account_id, Instant at) {
  auto st =
      c_.prepare("UPDATE sessions SET ended_at = ? WHERE account_id = ? AND ended_at IS NULL");
  st.bind(1, to_epoch(at)).bind(2, account_id).run();
}

void SqliteAccounts::revoke_tokens(Id account_id, Instant at) {
  auto st = c_.prepare(
      "UPDATE api_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL");
  st.bind(1, to_epoch(at)).bind(2, account_id).run();
}

void SqliteAccounts::set_sso_subject(Id account_id, const std::string& subject) {
  auto st = c_.prepare("UPDATE accounts SET sso_subject = ? WHERE id = ?");
  st.bind(1, subject).bind(2, account_id).run();
}

Id SqliteAccounts::insert_sso_login(const SsoLogin& l, const std::string& state_hash) {
  auto st = c_.prepare(
      "INSERT INTO sso_logins(state_hash, nonce, code_verifier, return_to, created_at) "
      "VALUES (?,?,?,?,?)");
  st.bind(1, state_hash).bind(2, l.nonce).bind(3, l.code_verifier).bind(4, l.return_to);
  st.bind(5, to_epoch(l.created_at)).run();
  return c_.last_insert_id();
}

std::optional<SsoLogin> SqliteAccounts::take_sso_login(const std::string& state_hash) {
  auto st = c_.prepare(std::string("DELETE FROM sso_logins WHERE state_hash = ? RETURNING ") +
                       kSsoLoginColumns);
  st.bind(1, state_hash);
  if (!st.step()) return std::nullopt;
  SsoLogin l = sso_login_from_row(st);
  while (st.step()) {
  }
  return l;
}

void SqliteAccounts::purge_sso_logins(Instant before) {
  auto st = c_.prepare("DELETE FROM sso_logins WHERE created_at < ?");
  st.bind(1, to_epoch(before)).run();
}

Id SqliteAccounts::insert_link(const AccountLink& l) {
  // The token is made from the id, so its hash is set right after (in the
  // same transaction). Until then the unique column holds a random value
  // that no token hash can equal: "pending:" and hex.
  auto st = c_.prepare(
      "INSERT INTO account_links(account_id, purpose, token_hash, created_at, expires_at) "
      "VALUES (?, ?, 'pending:' || hex(randomblob(16)), ?, ?)");
  st.bind(1, l.account_id).bind(2, link_purpose_name(l.purpose));
  st.bind(3, to_epoch(l.created_at)).bind(4, to_epoch(l.expires_at)).run();
  return c_.last_insert_id();
}

void SqliteAccounts::set_link_token_hash(Id link_id, const std::string& token_hash) {
  auto st = c_.prepare("UPDATE account_links SET token_hash = ? WHERE id = ?");
  st.bind(1, token_hash).bind(2, link_id).run();
}

bool SqliteAccounts::use_link(Id link_id, Instant at) {
  auto st = c_.prepare("UPDATE account_links SET used_at = ? WHERE id = ? AND used_at IS NULL");
  st.bind(1, to_epoch(at)).bind(2, link_id).run();
  return c_.changes() == 1;
}

void SqliteAccounts::retire_links(Id account_id, LinkPurpose purpose, Instant at) {
  auto st = c_.prepare(
      "UPDATE account_links SET used_at = ? WHERE account_id = ? AND purpose = ? "
      "AND used_at IS NULL");
  st.bind(1, to_epoch(at)).bind(2, account_id).bind(3, link_purpose_name(purpose)).run();
}

void SqliteAccounts::record_failure(const std::string& subject, Instant at) {
  auto st = c_.prepare("INSERT INTO sign_in_failures(subject, at) VALUES (?,?)");
  st.bind(1, subject).bind(2, to_epoch(at)).run();
}

void SqliteAccounts::clear_failures(const std::string& subject) {
  auto st = c_.prepare("DELETE FROM sign_in_failures WHERE subject = ?");
  st.bind(1, subject).run();
}

void SqliteAccounts::purge_failures(Instant before) {
  auto st = c_.prepare("DELETE FROM sign_in_failures WHERE at < ?");
  st.bind(1, to_epoch(before)).run();
}

Id SqliteAccounts::append_audit(const AuditEntry& e) {
  auto st = c_.prepare(
      "INSERT INTO audit_log(at, account_id, address, action, route, target, outcome) "
      "VALUES (?,?,?,?,?,?,?)");
  st.bind(1, to_epoch(e.at)).bind(2, e.account_id).bind(3, e.address).bind(4, e.action);
  st.bind(5, e.route).bind(6, e.target).bind(7, e.outcome).run();
  return c_.last_insert_id();
}

void SqliteAccounts::purge_audit(Instant before) {
  auto st = c_.prepare("DELETE FROM audit_log WHERE at < ?");
  st.bind(1, to_epoch(before)).run();
}

}  // namespace rdv
