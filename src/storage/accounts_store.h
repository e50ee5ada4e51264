// Storage of staff accounts, territories, credentials and the audit log: the
// first part of the store split by kind of data (see StoreReader::accounts()).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "accounts/account.h"

namespace rdv {

struct AccountFilter {
  std::optional<Id> organisation_id;  // a membership in this organisation
  std::optional<Id> territory_id;     // a membership in this territory or one of its organisations
  std::optional<AccountStatus> status;
  Id after_id = 0;  // pagination: accounts with a greater id
  size_t limit = 50;
};

struct Failures {
  int count = 0;
  std::optional<Instant> last;
};

struct AuditFilter {
  std::optional<Id> account_id;
  std::optional<Instant> from, to;
  std::string action;  // "" for all
  std::string target;  // "" for all
  Id before_id = 0;    // pagination, newest first: entries with a smaller id (0: from the newest)
  size_t limit = 100;
};

class AccountsReader {
 public:
  virtual ~AccountsReader() = default;

  virtual std::optional<Account> account(Id id) = 0;
  virtual std::optional<Account> account_by_email(const std::string& lower_email) = 0;
  virtual std::optional<Account> account_by_sso_subject(const std::string& subject) = 0;
  virtual std::vector<Account> accounts(const AccountFilter& filter) = 0;
  virtual std::optional<std::string> password_hash(Id account_id) = 0;
  virtual bool has_admin() = 0;
  // Whether the account keeping this agenda is deactivated (someone who left).
  virtual bool agent_departed(Id agent_id) = 0;

  virtual std::optional<Territory> territory(Id id) = 0;
  virtual std::vector<Territory> territories() = 0;
  virtual std::vector<Id> organisations_of_territory(Id territory_id) = 0;
  // Whether an organisation or a membership names the territory.
  virtual bool territory_in_use(Id territory_id) = 0;

  virtual std::optional<ApiToken> token_by_hash(const std::string& token_hash) = 0;
  virtual std::vector<ApiToken> tokens_of(Id account_id) = 0;
  virtual std::optional<Session> session_by_hash(const std::string& token_hash) = 0;
  virtual std::optional<AccountLink> link_by_hash(const std::string& token_hash) = 0;
  virtual std::optional<AccountLink> link(Id id) = 0;
  virtual std::optional<AccountLink> latest_link(Id account_id, LinkPurpose purpose) = 0;
  // Failed sign-ins of `subject` ("account:ID", "address:IP") at or after `since`.
  virtual Failures failures_since(const std::string& subject, Instant since) = 0;

  virtual std::vector<AuditEntry> audit(const AuditFilter& filter) = 0;
};

class AccountsWriter : public AccountsReader {
 public:
  virtual Id insert_account(const Account& a) = 0;  // with its memberships
  // Saves name, phone, status, agent and memberships.
  virtual void update_account(const Account& a) = 0;
  virtual void set_password_hash(Id account_id, const std::string& hash) = 0;
  virtual void record_sign_in(Id account_id, Instant at) = 0;
  virtual void set_locked_until(Id account_id, std::optional<Instant> until) = 0;
  virtual void set_sso_subject(Id account_id, const std::string& subject) = 0;

  virtual Id insert_sso_login(const SsoLogin& l, const std::string& state_hash) = 0;
  // The login with this state, removed (single use); nullopt when unknown.
  virtual std::optional<SsoLogin> take_sso_login(const std::string& state_hash) = 0;
  virtual void purge_sso_logins(Instant before) = 0;

  virtual Id insert_territory(const Territory& t) = 0;
  virtual void rename_territory(Id territory_id, const std::string& name) = 0;
  virtual void delete_territory(Id territory_id) = 0;  // one not in use
  virtual void set_organisation_territory(Id organisation_id, std::optional<Id> territory_id) = 0;

  virtual Id insert_token(const ApiToken& t, const std::string& token_hash) = 0;
  virtual void revoke_token(Id token_id, Instant at) = 0;
  virtual Id insert_session(const Session& s, const std::string& token_hash) = 0;
  virtual void touch_session(Id session_id, Instant at) = 0;
  virtual void end_session(Id session_id, Instant at) = 0;
  virtual void end_sessions(Id account_id, Instant at) = 0;
  virtual void revoke_tokens(Id account_id, Instant at) = 0;

  // A link's token is made from its id: insert, then set the token's hash.
  virtual Id insert_link(const AccountLink& l) = 0;
  virtual void set_link_token_hash(Id link_id, const std::string& token_hash) = 0;
  // Marks the link used; false when it was used already (single use).
  virtual bool use_link(Id link_id, Instant at) = 0;
  // Earlier unused links of this account and purpose stop working.
  virtual void retire_links(Id account_id, LinkPurpose purpose, Instant at) = 0;

  virtual void record_failure(const std::string& subject, Instant at) = 0;
  virtual void clear_failures(const std::string& subject) = 0;
  virtual void purge_failures(Instant before) = 0;

  virtual Id append_audit(const AuditEntry& e) = 0;
  virtual void purge_audit(Instant before) = 0;
};

}  // namespace rdv
