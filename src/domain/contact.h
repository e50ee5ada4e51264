// Email addresses and phone numbers, checked where they enter: they end up in
// SMTP commands and headers and in requests to the SMS gateway, so anything
// that is not plainly a mailbox or a dialable number is refused there.
#pragma once

#include <string>
#include <string_view>

namespace rdv {

// A plain mailbox "local@domain" (no display name, no comments, no quoting):
// one '@', at most 64 + 1 + 253 = 254 bytes, a dot-atom local part of ASCII
// printable characters, a domain of LDH labels (or UTF-8 labels) with a dot.
// Returns it with the domain lower-cased; ClientError naming `field` otherwise.
std::string checked_mailbox(std::string_view text, const std::string& field);

// The ISO region whose national numbers a place in this IANA zone dials:
// "RE" for Indian/Reunion, "GP", "MQ", "GF", "YT", "PM"; "FR" otherwise.
std::string phone_region_of_zone(std::string_view zone_name);

// A phone number in E.164 ("+33612345678"), parsed by libphonenumber with
// `region` for national formats ("06 12 34 56 78"); malformed, impossible,
// premium-rate and shared-cost numbers are refused with ClientError naming `field`.
std::string checked_phone(std::string_view text, const std::string& region,
                          const std::string& field);
// The same when the region is not known (a resident asking for their data):
// overseas ranges are tried first (they never read a metropolitan number),
// then metropolitan France, whose refusal is the one reported.
std::string checked_french_phone(std::string_view text, const std::string& field);

}  // namespace rdv
