// The IANA IPv4 and IPv6 Special-Purpose Address Registries, as one table:
// the addresses that user-given URLs must not reach (loopback, private,
// link-local, shared, documentation, multicast, reserved, ...).
// https://www.iana.org/assignments/iana-ipv4-special-registry
// https://www.iana.org/assignments/iana-ipv6-special-registry
#pragma once

#include <string_view>

#include "net/ip_address.h"

namespace rdv {

// The name of the special-purpose block that holds `address` ("loopback",
// "private-use", ...), or "" for an ordinary global unicast address. IPv6
// forms that carry an IPv4 address to reach (IPv4-mapped, NAT64 64:ff9b::/96,
// 6to4 2002::/16) are judged by that IPv4 address. IPv6 outside 2000::/3
// (not allocated for global unicast) is refused as well.
std::string_view special_purpose_block(const IpAddress& address);

inline bool is_special_purpose(const IpAddress& address) {
  return !special_purpose_block(address).empty();
}

}  // namespace rdv
