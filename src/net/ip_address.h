// IP addresses as values, and the literal addresses hidden in URL hosts.
// Resolvers and browsers accept many spellings of one IPv4 address
// ("2130706433", "0x7f.1", "0177.0.0.1" are all 127.0.0.1): a check that only
// knows the dotted form is a check an attacker walks around.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rdv {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // an IPv4 address in the first four

  // The canonical text forms only ("192.0.2.1", "2001:db8::1"), as inet_pton
  // reads them: no brackets, no zone, no legacy IPv4 spellings.
  static std::optional<IpAddress> parse(std::string_view text);
  static std::optional<IpAddress> from_sockaddr(const sockaddr* address, socklen_t length);
  static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);

  std::string text() const;  // canonical: "127.0.0.1", "::ffff:127.0.0.1"
  bool operator==(const IpAddress&) const = default;
};

// A network written as an address and a prefix length ("10.0.0.0/8",
// "2001:db8::/32"), or one address ("127.0.0.1"). An IPv4 network also holds
// the IPv4-mapped IPv6 form of its addresses ("::ffff:10.1.2.3"), as a
// dual-stack socket reports them.
struct IpNetwork {
  IpAddress base;
  int prefix = 0;  // bits of base that must match

  static std::optional<IpNetwork> parse(std::string_view text);
  bool contains(const IpAddress& a) const;
  bool contains(std::string_view address_text) const;  // false when not an address
};

// The address that a URL host names literally, in every spelling a resolver
// would accept: dotted, decimal, octal and hexadecimal IPv4 with one to four
// parts and an optional final dot, or an IPv6 address in brackets (a zone id
// is dropped). nullopt when the host is a name.
std::optional<IpAddress> host_literal_address(std::string_view host);

}  // namespace rdv
