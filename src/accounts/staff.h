// The staff member making a request and what their memberships let them do:
// the one place where roles and tenants are decided. Handlers ask it
// questions (through api/auth.h, which turns a "no" into 403).
#pragma once

#include <optional>
#include <set>
#include <string>

#include "accounts/account.h"
#include "storage/store.h"

namespace rdv {

class Staff {
 public:
  // Resolves the account's memberships: territories become their organisations.
  static Staff of(const Account& a, StoreReader& store);

  Id account_id() const { return account_id_; }
  const std::string& name() const { return name_; }
  std::optional<Id> agent_id() const { return agent_id_; }

  bool is_admin() const { return admin_; }
  // Administrators, territory administrators of its territory, its own administrators.
  bool administers(Id organisation_id) const;
  bool administers_territory(Id territory_id) const;
  // Whether this person works in the organisation, whatever the role.
  bool member_of(Id organisation_id) const;
  // Statistics: administrators of it and its observers (never personal data).
  bool observes(Id organisation_id) const;
  // The agent themself and whoever administers every one of their
  // organisations (a shared agent's agenda concerns them all).
  bool may_manage_agent(const Agent& a) const;
  // Those, the administrators of one of their organisations, and colleagues
  // of an organisation that lets agents see each other's agendas (openings,
  // absences, busy times: read-only).
  bool may_read_agenda(const Agent& a) const;
  // How this person books in a service of `org`: as staff of it (kAgent),
  // as a desk of the same territory (kDesk), or not at all.
  std::optional<BookedBy> booking_channel(const Organisation& org) const;
  // The booking's agent, the administrators of its organisation, and the desk
  // that made it while the visitor's mandate is not withdrawn.
  // `today`: the local date (YYYY-MM-DD) at the booking's place, for the
  // validity of a desk's mandate.
  bool may_manage_booking(const Booking& b, const Service& s, const std::string& today) const;
  // Whether this person may give (or take away) `m`: nobody grants more than they hold.
  bool may_grant(const Membership& m) const;
  // Accounts this person may see and manage: admins all; administrators
  // those whose every membership they could grant.
  bool may_manage_account(const Account& a) const;
  // Only administrators of some organisation or territory manage people.
  bool manages_people() const { return admin_ || !admin_orgs_.empty(); }

 private:
  Id account_id_ = 0;
  std::string name_;
  std::optional<Id> agent_id_;
  bool admin_ = false;
  std::set<Id> admin_orgs_, admin_territories_, agent_orgs_, desk_orgs_, observed_orgs_;
  std::set<Id> colleague_orgs_;                   // agent memberships where colleagues see agendas
  std::set<std::optional<Id>> desk_territories_;  // nullopt: organisations without territory
};

}  // namespace rdv
