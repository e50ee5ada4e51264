#include "net/special_purpose.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace rdv {
namespace {

struct Block {
  const char* prefix;  // "10.0.0.0/8"
  const char* name;
  int embedded_ipv4_at = -1;  // judge the IPv4 address at this byte instead
};

// First match wins: the IPv6 forms judged by their IPv4 address come first,
// the space outside 2000::/3 last.
constexpr Block kIpv4[] = {
    {"0.0.0.0/8", "this network"},
    {"10.0.0.0/8", "private-use"},
    {"100.64.0.0/10", "shared address space"},
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link local"},
    {"172.16.0.0/12", "private-use"},
    {"192.0.0.0/24", "IETF protocol assignments"},
    {"192.0.2.0/24", "documentation (TEST-NET-1)"},
    {"192.31.196.0/24", "AS112-v4"},
    {"192.52.193.0/24", "AMT"},
    {"192.88.99.0/24", "deprecated 6to4 relay anycast"},
    {"192.168.0.0/16", "private-use"},
    {"192.175.48.0/24", "direct delegation AS112 service"},
    {"198.18.0.0/15", "benchmarking"},
    {"198.51.100.0/24", "documentation (TEST-NET-2)"},
    {"203.0.113.0/24", "documentation (TEST-NET-3)"},
    {"224.0.0.0/4", "multicast"},
    {"255.255.255.255/32", "limited broadcast"},
    {"240.0.0.0/4", "reserved"},
};

constexpr Block kIpv6[] = {
    {"::ffff:0:0/96", "IPv4-mapped", 12},
    {"64:ff9b::/96", "IPv4-IPv6 translation (NAT64)", 12},
    {"2002::/16", "6to4", 2},
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"::/96", "IPv4-compatible (deprecated)"},
    {"64:ff9b:1::/48", "IPv4-IPv6 translation (local use)"},
    {"100::/64", "discard-only"},
    {"2001::/32", "Teredo"},
    {"2001::/23", "IETF protocol assignments"},
    {"2001:db8::/32", "documentation"},
    {"3fff::/20", "documentation"},
    {"5f00::/16", "segment routing (SRv6) SIDs"},
    {"fc00::/7", "unique local"},
    {"fe80::/10", "link-local unicast"},
    {"fec0::/10", "site-local (deprecated)"},
    {"ff00::/8", "multicast"},
    // Outside 2000::/3, nothing is allocated for global unicast.
    {"::/3", "not global unicast"},
    {"4000::/2", "not global unicast"},
    {"8000::/1", "not global unicast"},
};

struct Parsed {
  IpAddress network;
  int length;
  const Block* block;
};

std::vector<Parsed> parse_table(const Block* begin, const Block* end) {
  std::vector<Parsed> out;
  for (const Block* b = begin; b != end; ++b) {
    std::string prefix = b->prefix;
    auto slash = prefix.find('/');
    auto network = IpAddress::parse(prefix.substr(0, slash));
    if (!network || slash == std::string::npos)
      throw std::logic_error("bad special-purpose prefix " + prefix);
    out.push_back({*network, std::stoi(prefix.substr(slash + 1)), b});
  }
  return out;
}

bool within(const IpAddress& a, const Parsed& p) {
  if (a.v6 != p.network.v6) return false;
  int full = p.length / 8, bits = p.length % 8;
  for (int i = 0; i < full; ++i)
    if (a.bytes[i] != p.network.bytes[i]) return false;
  if (bits == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xFF << (8 - bits));
  return (a.bytes[full] & mask) == (p.network.bytes[full] & mask);
}

}  // namespace

std::string_view special_purpose_block(const IpAddress& address) {
  static const std::vector<Parsed> v4 = parse_table(std::begin(kIpv4), std::end(kIpv4));
  static const std::vector<Parsed> v6 = parse_table(std::begin(kIpv6), std::end(kIpv6));
  for (const Parsed& p : address.v6 ? v6 : v4) {
    if (!within(address, p)) continue;
    if (p.block->embedded_ipv4_at >= 0) {
      const auto* b = &address.bytes[p.block->embedded_ipv4_at];
      return special_purpose_block(IpAddress::v4(b[0], b[1], b[2], b[3]));
    }
    return p.block->name;
  }
  return "";
}

}  // namespace rdv
