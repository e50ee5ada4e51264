// Video visits: links to the organisation's provider (Jitsi Meet with a JWT,
// BigBlueButton with its API checksum, or a URL template), given through
// rendezvous only while the visit is near, so that only the resident and the
// agent of a booking can join, and only around its time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "domain/model.h"

namespace rdv {

struct VideoParticipant {
  std::string name, email;
  bool moderator = false;  // the agent
};

// When the visio link works: from `open_minutes_before` the start to the end.
TimeRange visio_window(const Booking& b, const VideoSettings& v);

enum class VisioState { kOpen, kTooEarly, kOver, kCancelled };
VisioState visio_state(const Booking& b, const VideoSettings& v, Instant now);

// Jitsi: `url/room?jwt=...`, HS256 with the app secret; claims iss (app id),
// aud "jitsi", sub (the Jitsi host), room, nbf, exp, context.user, moderator.
std::string jitsi_join_url(const VideoSettings& v, const std::string& room,
                           const VideoParticipant& who, TimeRange valid);

// BigBlueButton API calls, signed as its documentation says: checksum =
// SHA-1(call name + query string + shared secret), hex.
std::string bbb_checksum(std::string_view call, std::string_view query, std::string_view secret);
std::string bbb_create_url(const VideoSettings& v, const std::string& room,
                           const std::string& title);
std::string bbb_join_url(const VideoSettings& v, const std::string& room,
                         const VideoParticipant& who);

// Any other tool: the template with {room} and {token} replaced (URL-encoded).
std::string template_join_url(const VideoSettings& v, const std::string& room,
                              const std::string& token);

// A JSON Web Token signed with HMAC-SHA256.
std::string jwt_hs256(const nlohmann::json& claims, std::string_view secret);

// Hex SHA-1 by OpenSSL's EVP API (libsodium has none; BigBlueButton's
// documented checksum needs it). Throws std::runtime_error if OpenSSL refuses.
std::string sha1_hex(std::string_view data);

}  // namespace rdv
