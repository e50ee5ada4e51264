// Staff accounts: a person, with memberships that give a role in an
// organisation or a territory, and the ways they prove who they are
// (password sessions, named API tokens, single-use links to set a password).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/model.h"

namespace rdv {

struct Territory {
  Id id = 0;
  std::string name;
  Instant created_at;
};

enum class Role {
  kAdmin,           // the department's administrators: everything, territories included
  kTerritoryAdmin,  // every organisation of a territory
  kOrgAdmin,        // one organisation
  kAgent,           // their own agenda and bookings
  kDesk,            // France Services: book on behalf of visitors across the territory
  kObserver,        // statistics only, never a resident's personal data
};
std::string_view role_name(Role r);  // admin, territory_admin, org_admin, agent, desk, observer
std::optional<Role> parse_role(std::string_view name);

// A role where it applies: admin needs neither place, territory_admin a
// territory, the others an organisation (observer: either).
struct Membership {
  Role role = Role::kAgent;
  std::optional<Id> organisation_id;
  std::optional<Id> territory_id;

  bool operator==(const Membership&) const = default;
};
// Why this membership is not well formed, or "".
std::string membership_problem(const Membership& m);

enum class AccountStatus {
  kInvited,  // has not set a password yet (API tokens work)
  kActive,
  kDeactivated,  // left: no session, no token; bookings stay
};
std::string_view account_status_name(AccountStatus s);  // invited, active, deactivated
std::optional<AccountStatus> parse_account_status(std::string_view name);

struct Account {
  Id id = 0;
  std::string name;
  std::string email;  // lower case; "" for accounts made before nominative accounts
  std::string phone;  // E.164 or ""
  AccountStatus status = AccountStatus::kInvited;
  std::optional<Id> agent_id;  // the agenda this person keeps
  std::vector<Membership> memberships;
  Instant created_at;
  std::optional<Instant> last_sign_in_at;
  std::optional<Instant> locked_until;
  // "issuer subject" of the single sign-on identity bound at the first
  // sign-in through the provider, or "".
  std::string sso_subject;
};

struct ApiToken {
  Id id = 0;
  Id account_id = 0;
  std::string name;
  Instant created_at;
  std::optional<Instant> expires_at, revoked_at, last_used_at;
};

struct Session {
  Id id = 0;
  Id account_id = 0;
  Instant created_at, last_seen_at, expires_at;
};

// A sign-in through the OpenID Connect provider, between the redirection
// there and the browser's return (single use).
struct SsoLogin {
  Id id = 0;
  std::string nonce, code_verifier;
  std::string return_to;  // a path of ours
  Instant created_at;
};

enum class LinkPurpose { kInvitation, kReset };
std::string_view link_purpose_name(LinkPurpose p);  // invitation, reset
std::optional<LinkPurpose> parse_link_purpose(std::string_view name);

struct AccountLink {
  Id id = 0;
  Id account_id = 0;
  LinkPurpose purpose = LinkPurpose::kInvitation;
  Instant created_at, expires_at;
  std::optional<Instant> used_at;
};

// One line of the audit log.
struct AuditEntry {
  Id id = 0;
  Instant at;
  std::optional<Id> account_id;
  std::string address;
  std::string action;  // sign_in, sign_in_failed, write, read_personal_data, export, erase...
  std::string route;   // the route pattern
  std::string target;  // "booking:12"
  int outcome = 0;     // HTTP status
};

}  // namespace rdv
