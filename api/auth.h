// Who is calling, and what they may do. Tokens come as "Authorization: Bearer
// TOKEN" and are looked up by their SHA-256.
#pragma once

#include <optional>

#include "domain/model.h"
#include "http_types.h"
#include "storage/store.h"

namespace rdv {

// The caller, nullopt when no token was sent; ClientError 401 for a bad token.
std::optional<User> authenticate(StoreReader& store, const HttpRequest& request);
// The caller, or 401.
User require_user(StoreReader& store, const HttpRequest& request);

void require_admin(const User& u);
// Administrators, and administrators of this organisation.
void require_org_admin(const User& u, Id organisation_id);
// The agent themself, administrators, and administrators of one of the agent's organisations.
void require_agent_manager(const User& u, const Agent& agent);
// Staff book only in their organisations: administrators anywhere,
// organisation administrators in theirs, agents in the organisations they
// belong to, desks in any service open to desks (Bookings checks bookable_by).
// ClientError 403 otherwise.
void require_may_book(StoreReader& store, const User& u, const Service& s);
// May this user see and manage this booking (its agent, its organisation's admins, admins)?
bool may_manage_booking(const User& u, const Booking& b, const Service& s);

}  // namespace rdv
