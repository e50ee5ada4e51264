#include "video/video_links.h"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "crypto/link_tokens.h"
#include "net/url.h"

namespace rdv {
namespace {

std::string base64url(std::string_view data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string with_slash(std::string url) {
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

std::uint32_t rol(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

}  // namespace

TimeRange visio_window(const Booking& b, const VideoSettings& v) {
  return {b.start - std::chrono::minutes{v.open_minutes_before}, b.end};
}

VisioState visio_state(const Booking& b, const VideoSettings& v, Instant now) {
  if (b.status == BookingStatus::kCancelled || b.status == BookingStatus::kNoShow)
    return VisioState::kCancelled;
  TimeRange w = visio_window(b, v);
  if (now < w.start) return VisioState::kTooEarly;
  if (now >= w.end) return VisioState::kOver;
  return VisioState::kOpen;
}

std::string jwt_hs256(const nlohmann::json& claims, std::string_view secret) {
  std::string signing_input =
      base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(claims.dump());
  return signing_input + "." + base64url(hmac_sha256(secret, signing_input));
}

std::string jitsi_join_url(const VideoSettings& v, const std::string& room,
                           const VideoParticipant& who, TimeRange valid) {
  nlohmann::json claims = {
      {"iss", v.app_id},
      {"aud", "jitsi"},
      {"sub", host_of_url(v.url)},
      {"room", room},
      {"nbf", to_epoch(valid.start)},
      // A visit running late can still be joined for an hour.
      {"exp", to_epoch(valid.end + std::chrono::hours{1})},
      {"moderator", who.moderator},
      {"context",
       {{"user", {{"name", who.name}, {"email", who.email}, {"moderator", who.moderator}}}}}};
  return with_slash(v.url) + room + "?jwt=" + jwt_hs256(claims, v.secret);
}

std::string sha1_hex(std::string_view data) {
  std::uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string msg(data);
  std::uint64_t bits = static_cast<std::uint64_t>(msg.size()) * 8;
  msg += static_cast<char>(0x80);
  while (msg.size() % 64 != 56) msg += '\0';
  for (int i = 7; i >= 0; --i) msg += static_cast<char>((bits >> (8 * i)) & 0xFF);
  for (size_t chunk = 0; chunk < msg.size(); chunk += 64) {
    std::uint32_t w[80];
    for (int i = 0; i < 16; ++i)
      w[i] =
          (static_cast<std::uint32_t>(static_cast<unsigned char>(msg[chunk + 4 * i])) << 24) |
          (static_cast<std::uint32_t>(static_cast<unsigned char>(msg[chunk + 4 * i + 1])) << 16) |
          (static_cast<std::uint32_t>(static_cast<unsigned char>(msg[chunk + 4 * i + 2])) << 8) |
          static_cast<std::uint32_t>(static_cast<unsigned char>(msg[chunk + 4 * i + 3]));
    for (int i = 16; i < 80; ++i) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      std::uint32_t f, k;
      if (i < 20)
        f = (b & c) | (~b & d), k = 0x5A827999;
      else if (i < 40)
        f = b ^ c ^ d, k = 0x6ED9EBA1;
      else if (i < 60)
        f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
      else
        f = b ^ c ^ d, k = 0xCA62C1D6;
      std::uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d, d = c, c = rol(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  char out[41];
  for (int i = 0; i < 5; ++i) std::snprintf(out + 8 * i, 9, "%08x", h[i]);
  return out;
}

std::string bbb_checksum(std::string_view call, std::string_view query, std::string_view secret) {
  return sha1_hex(std::string(call) + std::string(query) + std::string(secret));
}

namespace {
std::string bbb_call(const VideoSettings& v, const std::string& call, const std::string& query) {
  return with_slash(v.url) + call + "?" + query +
         "&checksum=" + bbb_checksum(call, query, v.secret);
}
// Passwords of a meeting, derived from the room (BBB < 2.4 still wants them).
std::string bbb_password(const VideoSettings& v, const std::string& room, const char* role) {
  return sha1_hex(v.secret + ":" + room + ":" + role).substr(0, 16);
}
}  // namespace

std::string bbb_create_url(const VideoSettings& v, const std::string& room,
                           const std::string& title) {
  std::string query = "name=" + url_encode(title) + "&meetingID=" + url_encode(room) +
                      "&attendeePW=" + bbb_password(v, room, "attendee") +
                      "&moderatorPW=" + bbb_password(v, room, "moderator");
  return bbb_call(v, "create", query);
}

std::string bbb_join_url(const VideoSettings& v, const std::string& room,
                         const VideoParticipant& who) {
  std::string query =
      "fullName=" + url_encode(who.name) + "&meetingID=" + url_encode(room) +
      "&password=" + bbb_password(v, room, who.moderator ? "moderator" : "attendee") +
      "&role=" + (who.moderator ? "MODERATOR" : "VIEWER") + "&redirect=true";
  return bbb_call(v, "join", query);
}

std::string template_join_url(const VideoSettings& v, const std::string& room,
                              const std::string& token) {
  std::string out;
  for (size_t i = 0; i < v.url.size();) {
    if (v.url.compare(i, 6, "{room}") == 0) {
      out += url_encode(room);
      i += 6;
    } else if (v.url.compare(i, 7, "{token}") == 0) {
      out += url_encode(token);
      i += 7;
    } else {
      out += v.url[i++];
    }
  }
  return out;
}

}  // namespace rdv
