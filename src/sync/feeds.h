// What rendezvous publishes as iCalendar: each agent's secret feed (bookings,
// and openings as transparent events) and each resident's booking.
#pragma once

#include <string>

#include "calendar/ics_export.h"
#include "crypto/link_tokens.h"
#include "domain/model.h"
#include "storage/store.h"

namespace rdv {

// The span of bookings an agent's feed holds around now.
inline constexpr auto kFeedPast = std::chrono::days{30};
inline constexpr auto kFeedFuture = std::chrono::days{731};

// The agent's feed: bookings from a month ago on (cancelled ones for a month
// after their cancellation, as STATUS:CANCELLED), openings of the next 90 days.
std::string agent_feed(StoreReader& r, const Agent& agent, Instant now,
                       const std::string& public_url, const LinkSigner& links);

// One booking for the resident (METHOD:PUBLISH); `manage_url` lets them cancel or move it.
// `video_url`: the resident's link, for video visits.
std::string booking_ics(StoreReader& r, const Booking& b, const std::string& public_url,
                        const std::string& manage_url, const std::string& video_url);

// The event of a booking as the agent sees it (also used in messages).
// `video_url`: the agent's link, for video visits.
IcsEvent agent_booking_event(StoreReader& r, const Booking& b, const std::string& public_url,
                             const std::string& video_url);

// "booking-12@rdv.example.fr": the same in every feed, message and file.
std::string booking_uid(Id booking_id, const std::string& public_url);

}  // namespace rdv
