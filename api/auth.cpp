#include "auth.h"

#include <algorithm>

#include "crypto/tokens.h"
#include "domain/error.h"

namespace rdv {

std::optional<User> authenticate(StoreReader& store, const HttpRequest& request) {
  const std::string* header = request.header("authorization");
  if (!header) return std::nullopt;
  const std::string prefix = "Bearer ";
  if (header->size() <= prefix.size() || header->compare(0, prefix.size(), prefix) != 0 ||
      header->size() > 512)
    throw ClientError(ErrorCode::kUnauthenticated, "expected Authorization: Bearer TOKEN");
  auto user = store.user_by_token_hash(token_hash(header->substr(prefix.size())));
  if (!user) throw ClientError(ErrorCode::kUnauthenticated, "invalid token");
  return user;
}

User require_user(StoreReader& store, const HttpRequest& request) {
  auto user = authenticate(store, request);
  if (!user) throw ClientError(ErrorCode::kUnauthenticated, "a token is required");
  return *user;
}

void require_admin(const User& u) {
  if (u.role != Role::kAdmin)
    throw ClientError(ErrorCode::kForbidden, "only administrators may do this");
}

void require_org_admin(const User& u, Id organisation_id) {
  if (u.role == Role::kAdmin) return;
  if (u.role == Role::kOrgAdmin && u.organisation_id == organisation_id) return;
  throw ClientError(ErrorCode::kForbidden, "only administrators of this organisation may do this");
}

void require_agent_manager(const User& u, const Agent& agent) {
  if (u.role == Role::kAdmin) return;
  if (u.role == Role::kAgent && u.agent_id == agent.id) return;
  if (u.role == Role::kOrgAdmin && u.organisation_id &&
      std::find(agent.organisation_ids.begin(), agent.organisation_ids.end(), *u.organisation_id) !=
          agent.organisation_ids.end())
    return;
  throw ClientError(ErrorCode::kForbidden, "only this agent or their administrators may do this");
}

void require_may_book(StoreReader& store, const User& u, const Service& s) {
  bool allowed = false;
  switch (u.role) {
    case Role::kAdmin:
    case Role::kDesk:
      allowed = true;
      break;
    case Role::kOrgAdmin:
      allowed = u.organisation_id == s.organisation_id;
      break;
    case Role::kAgent:
      if (auto agent = u.agent_id ? store.agent(*u.agent_id) : std::nullopt)
        allowed = std::find(agent->organisation_ids.begin(), agent->organisation_ids.end(),
                            s.organisation_id) != agent->organisation_ids.end();
      break;
  }
  if (!allowed)
    throw ClientError(ErrorCode::kForbidden,
                      "staff may book only in the services of their own organisations");
}

bool may_manage_booking(const User& u, const Booking& b, const Service& s) {
  switch (u.role) {
    case Role::kAdmin:
      return true;
    case Role::kAgent:
      return u.agent_id == b.agent_id;
    case Role::kOrgAdmin:
      return u.organisation_id == s.organisation_id;
    case Role::kDesk:
      return false;  // desks act through the manage link they were given
  }
  return false;
}

}  // namespace rdv
