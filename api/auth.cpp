#include "auth.h"

#include "domain/error.h"
#include "storage/require.h"

namespace rdv {

const Staff& require_staff(const HttpRequest& request) {
  if (!request.staff) throw ClientError(ErrorCode::kUnauthenticated, "sign in or send a token");
  return *request.staff;
}

void require_admin(const Staff& s) {
  if (!s.is_admin()) throw ClientError(ErrorCode::kForbidden, "only administrators may do this");
}

void require_org_admin(const Staff& s, Id organisation_id) {
  if (!s.administers(organisation_id))
    throw ClientError(ErrorCode::kForbidden,
                      "only administrators of this organisation may do this");
}

void require_observer_of(const Staff& s, Id organisation_id) {
  if (!s.observes(organisation_id))
    throw ClientError(ErrorCode::kForbidden, "only observers and administrators see these figures");
}

void require_agent_manager(const Staff& s, const Agent& agent) {
  if (!s.may_manage_agent(agent))
    throw ClientError(ErrorCode::kForbidden, "only this agent or their administrators may do this");
}

BookedBy require_may_book(StoreReader& store, const Staff& s, const Service& service) {
  auto channel = s.booking_channel(require_organisation(store, service.organisation_id));
  if (!channel)
    throw ClientError(ErrorCode::kForbidden,
                      "staff may book only in the services of their own organisations, "
                      "and desks in their territory");
  return *channel;
}

bool may_manage_booking(StoreReader& store, const Staff& s, const Booking& b, Instant now) {
  Zone zone = date::locate_zone(require_place(store, b.place_id).timezone);
  std::string today = format_local(to_local(now, zone)).substr(0, 10);
  return s.may_manage_booking(b, require_service(store, b.service_id), today);
}

}  // namespace rdv
