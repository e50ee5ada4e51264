#include "accounts/staff.h"

#include <algorithm>

#include "booking/mandate.h"

namespace rdv {

Staff Staff::of(const Account& a, StoreReader& store) {
  Staff s;
  s.account_id_ = a.id;
  s.name_ = a.name;
  s.agent_id_ = a.agent_id;
  auto territory_orgs = [&](Id t) { return store.accounts().organisations_of_territory(t); };
  for (const Membership& m : a.memberships) {
    switch (m.role) {
      case Role::kAdmin:
        s.admin_ = true;
        break;
      case Role::kTerritoryAdmin:
        if (!m.territory_id) break;
        s.admin_territories_.insert(*m.territory_id);
        for (Id o : territory_orgs(*m.territory_id)) s.admin_orgs_.insert(o);
        break;
      case Role::kOrgAdmin:
        if (m.organisation_id) s.admin_orgs_.insert(*m.organisation_id);
        break;
      case Role::kAgent:
        if (!m.organisation_id) break;
        s.agent_orgs_.insert(*m.organisation_id);
        if (auto org = store.organisation(*m.organisation_id); org && org->colleagues_see_agendas)
          s.colleague_orgs_.insert(org->id);
        break;
      case Role::kDesk:
        if (!m.organisation_id) break;
        s.desk_orgs_.insert(*m.organisation_id);
        if (auto org = store.organisation(*m.organisation_id))
          s.desk_territories_.insert(org->territory_id);
        break;
      case Role::kObserver:
        if (m.organisation_id) s.observed_orgs_.insert(*m.organisation_id);
        if (m.territory_id)
          for (Id o : territory_orgs(*m.territory_id)) s.observed_orgs_.insert(o);
        break;
    }
  }
  return s;
}

bool Staff::administers(Id organisation_id) const {
  return admin_ || admin_orgs_.count(organisation_id) > 0;
}

bool Staff::administers_territory(Id territory_id) const {
  return admin_ || admin_territories_.count(territory_id) > 0;
}

bool Staff::member_of(Id organisation_id) const {
  return observes(organisation_id) || agent_orgs_.count(organisation_id) > 0 ||
         desk_orgs_.count(organisation_id) > 0;
}

bool Staff::observes(Id organisation_id) const {
  return administers(organisation_id) || observed_orgs_.count(organisation_id) > 0;
}

bool Staff::may_manage_agent(const Agent& a) const {
  if (admin_ || agent_id_ == a.id) return true;
  // An agent shared by several organisations: their agenda, contact and
  // bookings concern all of them, so only someone who administers every one.
  return !a.organisation_ids.empty() &&
         std::all_of(a.organisation_ids.begin(), a.organisation_ids.end(),
                     [&](Id o) { return administers(o); });
}

bool Staff::may_read_agenda(const Agent& a) const {
  if (may_manage_agent(a)) return true;
  // Read-only: the administrators of one of their organisations, and
  // colleagues where the organisation allows it.
  return std::any_of(a.organisation_ids.begin(), a.organisation_ids.end(),
                     [&](Id o) { return administers(o) || colleague_orgs_.count(o) > 0; });
}

std::optional<BookedBy> Staff::booking_channel(const Organisation& org) const {
  if (administers(org.id) || agent_orgs_.count(org.id) > 0) return BookedBy::kAgent;
  if (desk_territories_.count(org.territory_id) > 0) return BookedBy::kDesk;
  return std::nullopt;
}

bool Staff::may_manage_booking(const Booking& b, const Service& s, const std::string& today) const {
  if (administers(s.organisation_id)) return true;
  if (agent_id_ && *agent_id_ == b.agent_id) return true;
  // A desk acts on the bookings it made while the visitor's mandate stands:
  // not withdrawn, and not past its last day.
  if (b.booked_by != BookedBy::kDesk || b.booked_by_account_id != account_id_) return false;
  auto m = Mandate::from_json(b.mandate_json);
  return m && m->active(today);
}

bool Staff::may_grant(const Membership& m) const {
  if (admin_) return true;
  switch (m.role) {
    case Role::kAdmin:
      return false;
    case Role::kTerritoryAdmin:
      return m.territory_id && administers_territory(*m.territory_id);
    case Role::kObserver:
      if (m.territory_id) return administers_territory(*m.territory_id);
      [[fallthrough]];
    case Role::kOrgAdmin:
    case Role::kAgent:
    case Role::kDesk:
      return m.organisation_id && administers(*m.organisation_id);
  }
  return false;
}

bool Staff::may_manage_account(const Account& a) const {
  if (admin_) return true;
  if (!manages_people() || a.memberships.empty()) return false;
  return std::all_of(a.memberships.begin(), a.memberships.end(),
                     [&](const Membership& m) { return may_grant(m); });
}

}  // namespace rdv
