#include "accounts/account.h"

#include "domain/enum_names.h"

namespace rdv {
namespace {

constexpr EnumName<Role> kRoleNames[] = {
    {Role::kAdmin, "admin"},        {Role::kTerritoryAdmin, "territory_admin"},
    {Role::kOrgAdmin, "org_admin"}, {Role::kAgent, "agent"},
    {Role::kDesk, "desk"},          {Role::kObserver, "observer"}};
constexpr EnumName<AccountStatus> kStatusNames[] = {{AccountStatus::kInvited, "invited"},
                                                    {AccountStatus::kActive, "active"},
                                                    {AccountStatus::kDeactivated, "deactivated"}};
constexpr EnumName<LinkPurpose> kPurposeNames[] = {{LinkPurpose::kInvitation, "invitation"},
                                                   {LinkPurpose::kReset, "reset"}};

}  // namespace

std::string_view role_name(Role r) { return name_in(kRoleNames, r); }
std::optional<Role> parse_role(std::string_view name) { return parse_in(kRoleNames, name); }
std::string_view account_status_name(AccountStatus s) { return name_in(kStatusNames, s); }
std::optional<AccountStatus> parse_account_status(std::string_view name) {
  return parse_in(kStatusNames, name);
}
std::string_view link_purpose_name(LinkPurpose p) { return name_in(kPurposeNames, p); }
std::optional<LinkPurpose> parse_link_purpose(std::string_view name) {
  return parse_in(kPurposeNames, name);
}

std::string membership_problem(const Membership& m) {
  bool org = m.organisation_id.has_value(), territory = m.territory_id.has_value();
  switch (m.role) {
    case Role::kAdmin:
      return org || territory ? "admin applies everywhere: no organisation or territory" : "";
    case Role::kTerritoryAdmin:
      return territory && !org ? "" : "territory_admin needs a territory_id and no organisation";
    case Role::kObserver:
      return org != territory ? "" : "observer needs an organisation_id or a territory_id";
    case Role::kOrgAdmin:
    case Role::kAgent:
    case Role::kDesk:
      return org && !territory ? "" : std::string(role_name(m.role)) + " needs an organisation_id";
  }
  return "unknown role";
}

}  // namespace rdv
