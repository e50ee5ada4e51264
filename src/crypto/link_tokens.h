// Links handed to residents (manage a booking, answer the survey) carry a
// token signed with a key of the installation (HMAC-SHA256), so that every
// message can carry them again without any token being stored.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/model.h"

namespace rdv {

class LinkSigner {
 public:
  // `key`: at least 32 bytes (the hex text of the installation's key).
  explicit LinkSigner(std::string key);

  std::string manage_token(Id booking_id) const;
  bool is_manage_token(Id booking_id, std::string_view token) const;
  // "<booking id>-<signature>": the survey link names its booking.
  std::string survey_token(Id booking_id) const;
  std::optional<Id> survey_booking(std::string_view token) const;
  // The video room of a booking: unguessable without the key, the same every time.
  std::string video_room(Id booking_id) const;
  // "<id>-r-<signature>" for the resident, "<id>-a-<signature>" for the agent.
  std::string visio_token(Id booking_id, bool agent) const;
  // The booking and whether it is the agent's link.
  std::optional<std::pair<Id, bool>> visio_booking(std::string_view token) const;
  // The token of an account link (invitation, password reset), from its id:
  // the outbox can send it without holding it. Only its hash is stored.
  std::string account_link_token(Id link_id) const { return sign("account-link", link_id); }
  // The same for a resident's sign-in link to "mes rendez-vous".
  std::string resident_link_token(Id link_id) const { return sign("resident-link", link_id); }
  // The form token of a browser's CSRF cookie (web/csrf.h).
  std::string csrf_field(std::string_view cookie) const;

 private:
  std::string sign(std::string_view purpose, Id booking_id) const;
  std::string key_;
};

// The page where a resident sees, moves or cancels their booking: the link
// of every message and of the API's manage_url.
inline std::string booking_page_url(const std::string& public_url, Id booking_id,
                                    const std::string& manage_token) {
  return public_url + "/rendez-vous/" + std::to_string(booking_id) + "?token=" + manage_token;
}

// HMAC-SHA256 of `message` with `key`: raw bytes (JWT), hex (webhook signatures).
std::string hmac_sha256(std::string_view key, std::string_view message);
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

}  // namespace rdv
