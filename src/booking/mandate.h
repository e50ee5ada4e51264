// The mandate a visitor gives a France Services desk to book on their behalf:
// what it covers, how the person's identity was checked (the kind of
// document, never its number), until when, and whether it was withdrawn.
// Stored as JSON with the booking; who recorded it and when are the booking's
// booked_by_account_id and created_at. Its details go with retention.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/time.h"

namespace rdv {

enum class IdentityCheck {
  kIdentityCard,
  kPassport,
  kResidencePermit,
  kDrivingLicence,
  kOtherDocument,
  kKnownPerson,  // known to the desk; no document shown
};
std::string_view identity_check_name(IdentityCheck c);  // identity_card, passport...
std::optional<IdentityCheck> parse_identity_check(std::string_view name);

struct Mandate {
  std::string kind;  // oral, written
  std::string reference;
  std::vector<std::string> procedures;  // what the desk may do for the person
  std::optional<IdentityCheck> identity_check;
  std::optional<std::string> valid_until;  // a local date, YYYY-MM-DD, included
  std::optional<Instant> withdrawn_at;

  // Not withdrawn and not past its last day (`today`: YYYY-MM-DD, local).
  bool active(const std::string& today) const;
  std::string to_json() const;
  // nullopt for "" (no mandate) and for text that is not a mandate.
  static std::optional<Mandate> from_json(const std::string& text);
};

}  // namespace rdv
