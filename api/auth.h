// Who is calling, and the checks handlers make with it. Credentials (an API
// token as "Authorization: Bearer TOKEN", or the session cookie) are resolved
// once per request by App::handle; the rules themselves live in accounts/staff.h.
#pragma once

#include "accounts/staff.h"
#include "domain/model.h"
#include "http_types.h"
#include "storage/store.h"

namespace rdv {

inline constexpr const char* kSessionCookie = "rdv_session";  // "__Host-rdv_session" on https

// The staff member of the request, or ClientError 401.
const Staff& require_staff(const HttpRequest& request);

// Each throws ClientError 403 when the answer is no.
void require_admin(const Staff& s);
void require_org_admin(const Staff& s, Id organisation_id);
void require_agent_manager(const Staff& s, const Agent& agent);
// Anonymous statistics of an organisation: its administrators and observers.
void require_observer_of(const Staff& s, Id organisation_id);
// How the staff member books in this service (as its staff, or as a desk of
// the same territory); 403 when they may not.
BookedBy require_may_book(StoreReader& store, const Staff& s, const Service& service);

// Whether the staff member may act on this booking now (Staff::may_manage_booking
// with the date of today at the booking's place).
bool may_manage_booking(StoreReader& store, const Staff& s, const Booking& b, Instant now);

}  // namespace rdv
