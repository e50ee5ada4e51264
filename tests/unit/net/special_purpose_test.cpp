// The special-purpose address table, address by address: every block of the
// IANA IPv4 and IPv6 registries, the first and last address inside, the
// neighbours just outside, and the IPv6 forms that carry an IPv4 address.
#include "net/special_purpose.h"

#include <gtest/gtest.h>

#include "net/http_client.h"

namespace rdv {
namespace {

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  if (!a) throw std::invalid_argument(text);
  return *a;
}

TEST(SpecialPurpose, EveryIpv4BlockFromItsFirstToItsLastAddress) {
  for (const char* text : {
           "0.0.0.0",         "0.255.255.255",   "10.0.0.0",        "10.255.255.255",
           "100.64.0.0",      "100.127.255.255", "127.0.0.0",       "127.0.0.1",
           "127.255.255.255", "169.254.0.0",     "169.254.169.254", "169.254.255.255",
           "172.16.0.0",      "172.31.255.255",  "192.0.0.0",       "192.0.0.9",
           "192.0.0.255",     "192.0.2.0",       "192.0.2.255",     "192.31.196.0",
           "192.31.196.255",  "192.52.193.0",    "192.52.193.255",  "192.88.99.0",
           "192.88.99.255",   "192.168.0.0",     "192.168.255.255", "192.175.48.0",
           "192.175.48.255",  "198.18.0.0",      "198.19.255.255",  "198.51.100.0",
           "198.51.100.255",  "203.0.113.0",     "203.0.113.255",   "224.0.0.0",
           "224.0.0.1",       "239.255.255.255", "240.0.0.0",       "250.1.2.3",
           "255.255.255.254", "255.255.255.255",
       })
    EXPECT_TRUE(is_special_purpose(ip(text))) << text;
}

TEST(SpecialPurpose, Ipv4NeighboursJustOutsideAreOrdinary) {
  for (const char* text : {
           "1.0.0.0",         "8.8.8.8",         "9.255.255.255",   "11.0.0.0",
           "100.63.255.255",  "100.128.0.0",     "126.255.255.255", "128.0.0.0",
           "169.253.255.255", "169.255.0.0",     "172.15.255.255",  "172.32.0.0",
           "191.255.255.255", "192.0.1.0",       "192.0.3.0",       "192.31.195.255",
           "192.31.197.0",    "192.52.192.255",  "192.52.194.0",    "192.88.98.255",
           "192.88.100.0",    "192.167.255.255", "192.169.0.0",     "192.175.47.255",
           "192.175.49.0",    "198.17.255.255",  "198.20.0.0",      "198.51.99.255",
           "198.51.101.0",    "203.0.112.255",   "203.0.114.0",     "223.255.255.255",
           "1.1.1.1",         "93.184.216.34",
       })
    EXPECT_FALSE(is_special_purpose(ip(text))) << text;
}

TEST(SpecialPurpose, EveryIpv6BlockAndItsEdges) {
  for (const char* text : {
           "::",
           "::1",
           "::2",          // IPv4-compatible ::/96 (deprecated)
           "::7f00:1",     // ::127.0.0.1, IPv4-compatible
           "::8.8.8.8",    // IPv4-compatible, even of a public address
           "64:ff9b:1::",  // local-use translation
           "64:ff9b:1:ffff:ffff:ffff:ffff:ffff",
           "100::",  // discard-only
           "100::ffff:ffff:ffff:ffff",
           "2001::",  // Teredo
           "2001:0:4136:e378:8000:63bf:3fff:fdd2",
           "2001:1::1",  // IETF protocol assignments
           "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
           "2001:db8::",  // documentation
           "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
           "3fff::",  // documentation
           "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff",
           "5f00::1",  // SRv6 SIDs
           "5f00:ffff::1",
           "fc00::",  // unique local
           "fd12:3456:789a::1",
           "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
           "fe80::",  // link local
           "fe80::1",
           "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
           "fec0::1",  // site local (deprecated)
           "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
           "ff00::",  // multicast
           "ff02::1",
           "ff0e::101",
           "1::1",  // outside 2000::/3: not allocated for global unicast
           "4000::1",
           "e000::1",
       })
    EXPECT_TRUE(is_special_purpose(ip(text))) << text;
}

TEST(SpecialPurpose, Ipv6NeighboursAndPublicAddressesAreOrdinary) {
  for (const char* text : {
           "2a00:1450::1",
           "2a00:1450:4007:80e::200e",
           "2606:4700:4700::1111",
           "2001:4860:4860::8888",
           "2001:200::",                              // just after 2001::/23
           "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",  // just before 2001:db8::/32
           "2001:db9::",                              // just after
           "2000::1",                                 // first of 2000::/3
           "3ffe::1",
           "3fff:1000::",  // just after 3fff::/20
           "2003::1",      // just after 2002::/16
           "2001:200::1",
       })
    EXPECT_FALSE(is_special_purpose(ip(text))) << text;
}

TEST(SpecialPurpose, MappedNat64And6to4AreJudgedByTheirIpv4Address) {
  for (const char* text : {
           "::ffff:127.0.0.1",
           "::ffff:7f00:1",
           "::ffff:10.1.2.3",
           "::ffff:192.168.1.1",
           "::ffff:0.0.0.0",
           "::ffff:169.254.169.254",
           "::ffff:255.255.255.255",
           "64:ff9b::127.0.0.1",
           "64:ff9b::a00:1",
           "64:ff9b::192.168.0.1",
           "64:ff9b::100.64.0.1",
           "2002:7f00:1::",
           "2002:a00:1::1",
           "2002:c0a8:101::1",
           "2002:a9fe:a9fe::",
           "2002:e000:1::1",
       })
    EXPECT_TRUE(is_special_purpose(ip(text))) << text;
  for (const char* text : {
           "::ffff:8.8.8.8", "::ffff:93.184.216.34", "64:ff9b::8.8.8.8", "64:ff9b::5db8:d822",
           "2002:808:808::1",  // 6to4 of 8.8.8.8
       })
    EXPECT_FALSE(is_special_purpose(ip(text))) << text;
  // Just outside the translation prefix: not global unicast either.
  EXPECT_TRUE(is_special_purpose(ip("64:ff9b:0:1::808:808")));
}

TEST(SpecialPurpose, TheBlockIsNamed) {
  EXPECT_EQ(special_purpose_block(ip("127.0.0.1")), "loopback");
  EXPECT_EQ(special_purpose_block(ip("::ffff:127.0.0.1")), "loopback");
  EXPECT_EQ(special_purpose_block(ip("64:ff9b::10.0.0.1")), "private-use");
  EXPECT_EQ(special_purpose_block(ip("2002:a9fe:0101::")), "link local");
  EXPECT_EQ(special_purpose_block(ip("255.255.255.255")), "limited broadcast");
  EXPECT_EQ(special_purpose_block(ip("2001::1")), "Teredo");
  EXPECT_EQ(special_purpose_block(ip("2001:db8::1")), "documentation");
  EXPECT_EQ(special_purpose_block(ip("fd00::1")), "unique local");
  EXPECT_EQ(special_purpose_block(ip("8.8.8.8")), "");
  EXPECT_EQ(special_purpose_block(ip("2a00:1450::1")), "");
}

TEST(SpecialPurpose, TextThatIsNotAnAddressCountsAsPrivate) {
  EXPECT_TRUE(is_private_address("localhost"));
  EXPECT_TRUE(is_private_address(""));
  EXPECT_TRUE(is_private_address("::ffff:127.0.0.1"));
  EXPECT_FALSE(is_private_address("8.8.8.8"));
}

}  // namespace
}  // namespace rdv
