// "Mes rendez-vous" without a password: a resident asks for a sign-in link
// sent to their email or mobile phone, follows it, and their browser holds
// for a while a session that lists every booking of that contact. Links and
// sessions are known by their token's hash only, are short-lived and are
// purged by retention once expired.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "crypto/link_tokens.h"
#include "crypto/tokens.h"
#include "domain/clock.h"
#include "storage/store.h"

namespace rdv {

// Where a sign-in link leads (a page that asks to confirm: mail scanners
// follow links, only a person presses the button).
inline constexpr const char* kResidentLinkPath = "/mes-rendez-vous/connexion";

struct ResidentAccessPolicy {
  std::chrono::minutes link_valid{30};
  std::chrono::minutes session_valid{60};
  int links_per_contact_per_hour = 3;
  bool email = false;  // an SMTP server is configured
  bool sms = false;    // an SMS gateway is configured
};

// A resident's contact as bookings store it: a checked mailbox or an E.164
// number (checked_mailbox, checked_french_phone); exactly one is set.
struct ResidentContact {
  std::string email, phone;
};

class ResidentAccess {
 public:
  ResidentAccess(Store& store, const Clock& clock, Random& random, const LinkSigner& links,
                 ResidentAccessPolicy policy);

  // Queues a sign-in link to the contact when it has bookings, its channel
  // is configured and it has not asked too often this hour. Says nothing
  // either way: the answer must not tell who has appointments.
  void request_link(const ResidentContact& contact);
  // Whether the link is known, unused and not expired (nothing changes).
  bool link_usable(const std::string& link_token);
  // Uses the link (once) and opens a session: its token, or nullopt when
  // the link is unknown, used or expired.
  std::optional<std::string> open_session(const std::string& link_token);
  // The contact of a session still open, or nullopt.
  std::optional<ResidentContact> session(const std::string& session_token);
  void end_session(const std::string& session_token);

  const ResidentAccessPolicy& policy() const { return policy_; }

 private:
  Store& store_;
  const Clock& clock_;
  Random& random_;
  const LinkSigner& links_;
  ResidentAccessPolicy policy_;
};

}  // namespace rdv
