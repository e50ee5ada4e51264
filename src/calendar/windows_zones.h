// Time zone names written by Outlook and Exchange ("Romance Standard Time")
// mapped to IANA names, after the CLDR windowsZones table (territory 001).
#pragma once

#include <optional>
#include <string_view>

namespace rdv {

// The IANA name for a Windows zone name (or a common Outlook display name such
// as "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris"), or nullopt.
std::optional<std::string_view> iana_for_windows_zone(std::string_view windows_name);

// The table is sorted (checked by the unit tests).
bool windows_zone_table_is_sorted();

}  // namespace rdv
