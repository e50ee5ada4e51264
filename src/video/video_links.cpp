#include "video/video_links.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "crypto/base64.h"
#include "crypto/link_tokens.h"
#include "net/url.h"

namespace rdv {
namespace {

std::string with_slash(std::string url) {
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

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
      base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url_encode(claims.dump());
  return signing_input + "." + base64url_encode(hmac_sha256(secret, signing_input));
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
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1)
    throw std::runtime_error("OpenSSL: SHA-1 unavailable");
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0f];
  }
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
