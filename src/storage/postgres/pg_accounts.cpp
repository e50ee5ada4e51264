#include "storage/postgres/pg_accounts.h"

#include <map>

#include "storage/postgres/rows.h"

namespace rdv {

using namespace postgres;  // Row and the shared row mapping

namespace {

Id returned_id(const pqxx::row& r) { return Row(r).int64("id"); }

std::optional<AccountLink> first_link(const pqxx::result& result) {
  if (result.empty()) return std::nullopt;
  return account_link_from_row(Row(result[0]));
}

}  // namespace

std::vector<Account> PgAccounts::with_memberships(const pqxx::result& rows) {
  std::vector<Account> out = all_of(rows, account_from_row<Row>);
  if (out.empty()) return out;
  // One query for all the accounts rather than one each: a round trip costs
  // more here than a step of an embedded SQLite.
  std::vector<Id> ids;
  for (const Account& a : out) ids.push_back(a.id);
  auto result = tx_.exec_params(std::string("SELECT account_id, ") + kMembershipColumns +
                                    " FROM memberships WHERE account_id = ANY($1::bigint[]) "
                                    "ORDER BY " +
                                    kMembershipOrder,
                                bigint_array(ids));
  std::map<Id, std::vector<Membership>> of;
  for (const auto& r : result)
    if (auto m = membership_from_row(Row(r))) of[Row(r).int64("account_id")].push_back(*m);
  for (Account& a : out)
    if (auto it = of.find(a.id); it != of.end()) a.memberships = std::move(it->second);
  return out;
}

std::optional<Account> PgAccounts::account(Id id) {
  auto found = with_memberships(tx_.exec_params(
      std::string("SELECT ") + kAccountColumns + " FROM accounts a WHERE a.id = $1", id));
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::optional<Account> PgAccounts::account_by_email(const std::string& lower_email) {
  if (lower_email.empty()) return std::nullopt;
  auto found = with_memberships(tx_.exec_params(
      std::string("SELECT ") + kAccountColumns + " FROM accounts a WHERE a.email = $1",
      lower_email));
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::optional<Account> PgAccounts::account_by_sso_subject(const std::string& subject) {
  if (subject.empty()) return std::nullopt;
  auto found = with_memberships(tx_.exec_params(
      std::string("SELECT ") + kAccountColumns + " FROM accounts a WHERE a.sso_subject = $1",
      subject));
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::vector<Account> PgAccounts::accounts(const AccountFilter& f) {
  // $1 organisation, $2 territory, $3 status, $4 after id, $5 limit. The
  // casts give a type to the parameters that are only compared with NULL.
  std::optional<std::string> status;
  if (f.status) status = std::string(account_status_name(*f.status));
  return with_memberships(tx_.exec_params(
      std::string("SELECT ") + kAccountColumns +
          " FROM accounts a WHERE a.id > $4::bigint AND ($3::text IS NULL OR a.status = $3) "
          "AND ($1::bigint IS NULL OR EXISTS (SELECT 1 FROM memberships m "
          "  WHERE m.account_id = a.id AND m.organisation_id = $1)) "
          "AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM memberships m LEFT JOIN "
          "  organisations o ON o.id = m.organisation_id WHERE m.account_id = a.id "
          "  AND (m.territory_id = $2 OR o.territory_id = $2))) "
          "ORDER BY a.id LIMIT $5",
      f.organisation_id, f.territory_id, status, f.after_id, limit_param(f.limit)));
}

std::optional<std::string> PgAccounts::password_hash(Id account_id) {
  auto result = tx_.exec_params("SELECT password_hash FROM accounts WHERE id = $1", account_id);
  if (result.empty() || result[0]["password_hash"].is_null()) return std::nullopt;
  return Row(result[0]).text("password_hash");
}

bool PgAccounts::agent_departed(Id agent_id) {
  return !tx_.exec_params(
                 "SELECT 1 FROM accounts WHERE agent_id = $1 AND status = 'deactivated' LIMIT 1",
                 agent_id)
              .empty();
}

bool PgAccounts::has_admin() {
  return !tx_.exec(
                 "SELECT 1 FROM memberships m JOIN accounts a ON a.id = m.account_id "
                 "WHERE m.role = 'admin' AND a.status <> 'deactivated' LIMIT 1")
              .empty();
}

std::optional<Territory> PgAccounts::territory(Id id) {
  auto result = tx_.exec_params(
      std::string("SELECT ") + kTerritoryColumns + " FROM territories WHERE id = $1", id);
  if (result.empty()) return std::nullopt;
  return territory_from_row(Row(result[0]));
}

std::vector<Territory> PgAccounts::territories() {
  // COLLATE "C": byte order, as SQLite's default BINARY collation sorts.
  return all_of(tx_.exec(std::string("SELECT ") + kTerritoryColumns +
                         " FROM territories ORDER BY name COLLATE \"C\", id"),
                territory_from_row<Row>);
}

bool PgAccounts::territory_in_use(Id territory_id) {
  auto r = tx_.exec_params1(
      "SELECT (EXISTS (SELECT 1 FROM organisations WHERE territory_id = $1) "
      "OR EXISTS (SELECT 1 FROM memberships WHERE territory_id = $1))::integer AS used",
      territory_id);
  return Row(r).int64("used") != 0;
}

void PgAccounts::delete_territory(Id territory_id) {
  tx_.exec_params0("DELETE FROM territories WHERE id = $1", territory_id);
}

std::vector<Id> PgAccounts::organisations_of_territory(Id territory_id) {
  auto result = tx_.exec_params("SELECT id FROM organisations WHERE territory_id = $1 ORDER BY id",
                                territory_id);
  std::vector<Id> out;
  for (const auto& r : result) out.push_back(Row(r).int64("id"));
  return out;
}

std::optional<ApiToken> PgAccounts::token_by_hash(const std::string& token_hash) {
  auto result = tx_.exec_params(
      std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE token_hash = $1",
      token_hash);
  if (result.empty()) return std::nullopt;
  return token_from_row(Row(result[0]));
}

std::vector<ApiToken> PgAccounts::tokens_of(Id account_id) {
  return all_of(tx_.exec_params(std::string("SELECT ") + kTokenColumns +
                                    " FROM api_tokens WHERE account_id = $1 ORDER BY id",
                                account_id),
                token_from_row<Row>);
}

std::optional<Session> PgAccounts::session_by_hash(const std::string& token_hash) {
  auto result = tx_.exec_params(std::string("SELECT ") + kSessionColumns +
                                    " FROM sessions WHERE token_hash = $1 AND ended_at IS NULL",
                                token_hash);
  if (result.empty()) return std::nullopt;
  return session_from_row(Row(result[0]));
}

std::optional<AccountLink> PgAccounts::link_by_hash(const std::string& token_hash) {
  return first_link(tx_.exec_params(
      std::string("SELECT ") + kAccountLinkColumns + " FROM account_links WHERE token_hash = $1",
      token_hash));
}

std::optional<AccountLink> PgAccounts::link(Id id) {
  return first_link(tx_.exec_params(
      std::string("SELECT ") + kAccountLinkColumns + " FROM account_links WHERE id = $1", id));
}

std::optional<AccountLink> PgAccounts::latest_link(Id account_id, LinkPurpose purpose) {
  return first_link(tx_.exec_params(std::string("SELECT ") + kAccountLinkColumns +
                                        " FROM account_links WHERE account_id = $1 "
                                        "AND purpose = $2 ORDER BY id DESC LIMIT 1",
                                    account_id, std::string(link_purpose_name(purpose))));
}

Failures PgAccounts::failures_since(const std::string& subject, Instant since) {
  // A Row only refers to its pqxx::row, which must outlive it.
  pqxx::row row = tx_.exec_params1(
      "SELECT count(*) AS n, max(at) AS last FROM sign_in_failures "
      "WHERE subject = $1 AND at >= $2",
      subject, to_epoch(since));
  Row r(row);
  return {static_cast<int>(r.int64("n")), instant_or_null(r, "last")};
}

std::vector<AuditEntry> PgAccounts::audit(const AuditFilter& f) {
  // $1 account, $2 from, $3 to, $4 action, $5 target, $6 before id, $7 limit
  return all_of(tx_.exec_params(
                    std::string("SELECT ") + kAuditColumns +
                        " FROM audit_log "
                        "WHERE ($1::bigint IS NULL OR account_id = $1) "
                        "AND ($2::bigint IS NULL OR at >= $2) AND ($3::bigint IS NULL OR at < $3) "
                        "AND ($4::text = '' OR action = $4) AND ($5::text = '' OR target = $5) "
                        "AND ($6::bigint = 0 OR id < $6) ORDER BY id DESC LIMIT $7",
                    f.account_id, epoch_or_null(f.from), epoch_or_null(f.to), f.action, f.target,
                    f.before_id, limit_param(f.limit)),
                audit_entry_from_row<Row>);
}

void PgAccounts::insert_memberships(Id account_id, const std::vector<Membership>& ms) {
  // One statement each, in order: the order they are read back in.
  for (const Membership& m : ms)
    tx_.exec_params0(
        "INSERT INTO memberships(account_id, role, organisation_id, territory_id) "
        "VALUES ($1, $2, $3, $4)",
        account_id, std::string(role_name(m.role)), m.organisation_id, m.territory_id);
}

Id PgAccounts::insert_account(const Account& a) {
  std::optional<std::string> email;  // NULL when empty: UNIQUE allows many
  if (!a.email.empty()) email = a.email;
  Id id = returned_id(
      tx_.exec_params1("INSERT INTO accounts(name, email, phone, status, agent_id, created_at) "
                       "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                       a.name, email, a.phone, std::string(account_status_name(a.status)),
                       a.agent_id, to_epoch(a.created_at)));
  insert_memberships(id, a.memberships);
  return id;
}

void PgAccounts::update_account(const Account& a) {
  tx_.exec_params0(
      "UPDATE accounts SET name = $1, phone = $2, status = $3, agent_id = $4 WHERE id = $5", a.name,
      a.phone, std::string(account_status_name(a.status)), a.agent_id, a.id);
  tx_.exec_params0("DELETE FROM memberships WHERE account_id = $1", a.id);
  insert_memberships(a.id, a.memberships);
}

void PgAccounts::set_password_hash(Id account_id, const std::string& hash) {
  tx_.exec_params0("UPDATE accounts SET password_hash = $1 WHERE id = $2", hash, account_id);
}

void PgAccounts::record_sign_in(Id account_id, Instant at) {
  tx_.exec_params0("UPDATE accounts SET last_sign_in_at = $1, locked_until = NULL WHERE id = $2",
                   to_epoch(at), account_id);
}

void PgAccounts::set_locked_until(Id account_id, std::optional<Instant> until) {
  tx_.exec_params0("UPDATE accounts SET locked_until = $1 WHERE id = $2", epoch_or_null(until),
                   account_id);
}

void PgAccounts::set_sso_subject(Id account_id, const std::string& subject) {
  tx_.exec_params0("UPDATE accounts SET sso_subject = $1 WHERE id = $2", subject, account_id);
}

Id PgAccounts::insert_sso_login(const SsoLogin& l, const std::string& state_hash) {
  return returned_id(tx_.exec_params1(
      "INSERT INTO sso_logins(state_hash, nonce, code_verifier, return_to, created_at) "
      "VALUES ($1, $2, $3, $4, $5) RETURNING id",
      state_hash, l.nonce, l.code_verifier, l.return_to, to_epoch(l.created_at)));
}

std::optional<SsoLogin> PgAccounts::take_sso_login(const std::string& state_hash) {
  auto result = tx_.exec_params(
      std::string("DELETE FROM sso_logins WHERE state_hash = $1 RETURNING ") + kSsoLoginColumns,
      state_hash);
  if (result.empty()) return std::nullopt;
  return sso_login_from_row(Row(result[0]));
}

void PgAccounts::purge_sso_logins(Instant before) {
  tx_.exec_params0("DELETE FROM sso_logins WHERE created_at < $1", to_epoch(before));
}

Id PgAccounts::insert_territory(const Territory& t) {
  return returned_id(
      tx_.exec_params1("INSERT INTO territories(name, created_at) VALUES ($1, $2) RETURNING id",
                       t.name, to_epoch(t.created_at)));
}

void PgAccounts::rename_territory(Id territory_id, const std::string& name) {
  tx_.exec_params0("UPDATE territories SET name = $1 WHERE id = $2", name, territory_id);
}

void PgAccounts::set_organisation_territory(Id organisation_id, std::optional<Id> territory_id) {
  tx_.exec_params0("UPDATE organisations SET territory_id = $1 WHERE id = $2", territory_id,
                   organisation_id);
}

Id PgAccounts::insert_token(const ApiToken& t, const std::string& token_hash) {
  return returned_id(tx_.exec_params1(
      "INSERT INTO api_tokens(account_id, name, token_hash, created_at, expires_at) "
      "VALUES ($1, $2, $3, $4, $5) RETURNING id",
      t.account_id, t.name, token_hash, to_epoch(t.created_at), epoch_or_null(t.expires_at)));
}

void PgAccounts::revoke_token(Id token_id, Instant at) {
  tx_.exec_params0("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                   to_epoch(at), token_id);
}

Id PgAccounts::insert_session(const Session& s, const std::string& token_hash) {
  return returned_id(tx_.exec_params1(
      "INSERT INTO sessions(account_id, token_hash, created_at, last_seen_at, expires_at) "
      "VALUES ($1, $2, $3, $4, $5) RETURNING id",
      s.account_id, token_hash, to_epoch(s.created_at), to_epoch(s.last_seen_at),
      to_epoch(s.expires_at)));
}

void PgAccounts::touch_session(Id session_id, Instant at) {
  tx_.exec_params0("UPDATE sessions SET last_seen_at = $1 WHERE id = $2", to_epoch(at), session_id);
}

void PgAccounts::end_session(Id session_id, Instant at) {
  tx_.exec_params0("UPDATE sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL",
                   to_epoch(at), session_id);
}

void PgAccounts::end_sessions(Id account_id, Instant at) {
  tx_.exec_params0("UPDATE sessions SET ended_at = $1 WHERE account_id = $2 AND ended_at IS NULL",
                   to_epoch(at), account_id);
}

void PgAccounts::revoke_tokens(Id account_id, Instant at) {
  tx_.exec_params0(
      "UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
      to_epoch(at), account_id);
}

Id PgAccounts::insert_link(const AccountLink& l) {
  // The token is made from the id, so its hash is set right after (in the
  // same transaction). Until then the unique column holds a random value
  // that no token hash can equal: "pending:" and hex, as on SQLite.
  return returned_id(tx_.exec_params1(
      "INSERT INTO account_links(account_id, purpose, token_hash, created_at, expires_at) "
      "VALUES ($1, $2, 'pending:' || upper(replace(gen_random_uuid()::text, '-', '')), $3, $4) "
      "RETURNING id",
      l.account_id, std::string(link_purpose_name(l.purpose)), to_epoch(l.created_at),
      to_epoch(l.expires_at)));
}

void PgAccounts::set_link_token_hash(Id link_id, const std::string& token_hash) {
  tx_.exec_params0("UPDATE account_links SET token_hash = $1 WHERE id = $2", token_hash, link_id);
}

bool PgAccounts::use_link(Id link_id, Instant at) {
  auto result =
      tx_.exec_params0("UPDATE account_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
                       to_epoch(at), link_id);
  return result.affected_rows() == 1;
}

void PgAccounts::retire_links(Id account_id, LinkPurpose purpose, Instant at) {
  tx_.exec_params0(
      "UPDATE account_links SET used_at = $1 WHERE account_id = $2 AND purpose = $3 "
      "AND used_at IS NULL",
      to_epoch(at), account_id, std::string(link_purpose_name(purpose)));
}

void PgAccounts::record_failure(const std::string& subject, Instant at) {
  tx_.exec_params0("INSERT INTO sign_in_failures(subject, at) VALUES ($1, $2)", subject,
                   to_epoch(at));
}

void PgAccounts::clear_failures(const std::string& subject) {
  tx_.exec_params0("DELETE FROM sign_in_failures WHERE subject = $1", subject);
}

void PgAccounts::purge_failures(Instant before) {
  tx_.exec_params0("DELETE FROM sign_in_failures WHERE at < $1", to_epoch(before));
}

Id PgAccounts::append_audit(const AuditEntry& e) {
  return returned_id(tx_.exec_params1(
      "INSERT INTO audit_log(at, account_id, address, action, route, target, outcome) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
      to_epoch(e.at), e.account_id, e.address, e.action, e.route, e.target, e.outcome));
}

void PgAccounts::purge_audit(Instant before) {
  tx_.exec_params0("DELETE FROM audit_log WHERE at < $1", to_epoch(before));
}

}  // namespace rdv
