#include "crypto/link_tokens.h"

#include <sodium.h>

#include <charconv>
#include <stdexcept>

#include "crypto/base64.h"
#include "crypto/tokens.h"

namespace rdv {
namespace {

void hmac(std::string_view key, std::string_view message,
          unsigned char out[crypto_auth_hmacsha256_BYTES]) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, out);
}

}  // namespace

LinkSigner::LinkSigner(std::string key) : key_(std::move(key)) {
  if (key_.size() < 32) throw std::invalid_argument("link key too short");
}

std::string LinkSigner::sign(std::string_view purpose, Id booking_id) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  hmac(key_, std::string(purpose) + ":" + std::to_string(booking_id), mac);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

std::string LinkSigner::csrf_field(std::string_view cookie) const {
  return hmac_sha256_hex(key_, "csrf:" + std::string(cookie));
}

std::string LinkSigner::manage_token(Id booking_id) const { return sign("manage", booking_id); }

bool LinkSigner::is_manage_token(Id booking_id, std::string_view token) const {
  return constant_time_equal(manage_token(booking_id), token);
}

std::string LinkSigner::survey_token(Id booking_id) const {
  return std::to_string(booking_id) + "-" + sign("survey", booking_id);
}

std::optional<Id> LinkSigner::survey_booking(std::string_view token) const {
  auto dash = token.find('-');
  if (dash == std::string_view::npos || token.size() > 100) return std::nullopt;
  Id id = 0;
  auto [p, ec] = std::from_chars(token.data(), token.data() + dash, id);
  if (ec != std::errc{} || p != token.data() + dash || id <= 0) return std::nullopt;
  if (!constant_time_equal(survey_token(id), token)) return std::nullopt;
  return id;
}

std::string LinkSigner::video_room(Id booking_id) const {
  std::string room = "rdv";
  for (char c : sign("room", booking_id))
    if (std::isalnum(static_cast<unsigned char>(c))) room += static_cast<char>(std::tolower(c));
  return room.substr(0, 35);
}

std::string LinkSigner::visio_token(Id booking_id, bool agent) const {
  return std::to_string(booking_id) + (agent ? "-a-" : "-r-") +
         sign(agent ? "visio-agent" : "visio-resident", booking_id);
}

std::optional<std::pair<Id, bool>> LinkSigner::visio_booking(std::string_view token) const {
  auto dash = token.find('-');
  if (dash == std::string_view::npos || token.size() > 120 || token.size() < dash + 4)
    return std::nullopt;
  Id id = 0;
  auto [p, ec] = std::from_chars(token.data(), token.data() + dash, id);
  if (ec != std::errc{} || p != token.data() + dash || id <= 0) return std::nullopt;
  bool agent = token.substr(dash, 3) == "-a-";
  if (!constant_time_equal(visio_token(id, agent), token)) return std::nullopt;
  return std::make_pair(id, agent);
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  hmac(key, message, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  hmac(key, message, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

}  // namespace rdv
