// Accounts, territories, credentials and the audit log on PostgreSQL: the
// same queries and results as SqliteAccounts, in the caller's transaction.
#pragma once

#include <pqxx/pqxx>

#include "storage/accounts_store.h"
#include "storage/postgres/statements.h"

namespace rdv {

class PgAccounts final : public AccountsWriter {
 public:
  explicit PgAccounts(pqxx::dbtransaction& tx) : tx_(tx) {}

  std::optional<Account> account(Id id) override;
  std::optional<Account> account_by_email(const std::string& lower_email) override;
  std::optional<Account> account_by_sso_subject(const std::string& subject) override;
  std::vector<Account> accounts(const AccountFilter& filter) override;
  std::optional<std::string> password_hash(Id account_id) override;
  bool has_admin() override;
  bool agent_departed(Id agent_id) override;

  std::optional<Territory> territory(Id id) override;
  std::vector<Territory> territories() override;
  std::vector<Id> organisations_of_territory(Id territory_id) override;
  bool territory_in_use(Id territory_id) override;

  std::optional<ApiToken> token_by_hash(const std::string& token_hash) override;
  std::vector<ApiToken> tokens_of(Id account_id) override;
  std::optional<Session> session_by_hash(const std::string& token_hash) override;
  std::optional<AccountLink> link_by_hash(const std::string& token_hash) override;
  Failures failures_since(const std::string& subject, Instant since) override;

  std::vector<AuditEntry> audit(const AuditFilter& filter) override;

  Id insert_account(const Account& a) override;
  void update_account(const Account& a) override;
  void set_password_hash(Id account_id, const std::string& hash) override;
  void record_sign_in(Id account_id, Instant at) override;
  void set_locked_until(Id account_id, std::optional<Instant> until) override;
  void set_sso_subject(Id account_id, const std::string& subject) override;

  Id insert_sso_login(const SsoLogin& l, const std::string& state_hash) override;
  std::optional<SsoLogin> take_sso_login(const std::string& state_hash) override;
  void purge_sso_logins(Instant before) override;

  Id insert_territory(const Territory& t) override;
  void rename_territory(Id territory_id, const std::string& name) override;
  void delete_territory(Id territory_id) override;
  void set_organisation_territory(Id organisation_id, std::optional<Id> territory_id) override;

  Id insert_token(const ApiToken& t, const std::string& token_hash) override;
  void revoke_token(Id token_id, Instant at) override;
  Id insert_session(const Session& s, const std::string& token_hash) override;
  void touch_session(Id session_id, Instant at) override;
  void end_session(Id session_id, Instant at) override;
  void end_sessions(Id account_id, Instant at) override;
  void revoke_tokens(Id account_id, Instant at) override;

  Id insert_link(const AccountLink& l) override;
  void set_link_token_hash(Id link_id, const std::string& token_hash) override;
  std::optional<AccountLink> link(Id id) override;
  std::optional<AccountLink> latest_link(Id account_id, LinkPurpose purpose) override;
  bool use_link(Id link_id, Instant at) override;
  void retire_links(Id account_id, LinkPurpose purpose, Instant at) override;

  void record_failure(const std::string& subject, Instant at) override;
  void clear_failures(const std::string& subject) override;
  void purge_failures(Instant before) override;

  Id append_audit(const AuditEntry& e) override;
  void purge_audit(Instant before) override;

 private:
  // The accounts of a result, each with its memberships (read in one query).
  std::vector<Account> with_memberships(const pqxx::result& accounts);
  void insert_memberships(Id account_id, const std::vector<Membership>& ms);

  postgres::Statements tx_;
};

}  // namespace rdv
