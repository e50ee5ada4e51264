// Literal addresses in URL hosts, in every spelling a resolver accepts.
#include "net/ip_address.h"

#include <gtest/gtest.h>

namespace rdv {
namespace {

std::string literal(const char* host) {
  auto a = host_literal_address(host);
  return a ? a->text() : "(name)";
}

TEST(HostLiteralAddress, LegacyIpv4SpellingsAreTheAddressTheyMean) {
  EXPECT_EQ(literal("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(literal("2130706433"), "127.0.0.1");
  EXPECT_EQ(literal("0x7f.1"), "127.0.0.1");
  EXPECT_EQ(literal("0x7f.0.0.1"), "127.0.0.1");
  EXPECT_EQ(literal("0X7F.0.0.1"), "127.0.0.1");
  EXPECT_EQ(literal("0177.0.0.1"), "127.0.0.1");
  EXPECT_EQ(literal("0177.1"), "127.0.0.1");
  EXPECT_EQ(literal("127.1"), "127.0.0.1");
  EXPECT_EQ(literal("127.0.1"), "127.0.0.1");
  EXPECT_EQ(literal("0x7f000001"), "127.0.0.1");
  EXPECT_EQ(literal("017700000001"), "127.0.0.1");
  EXPECT_EQ(literal("127.0.0.1."), "127.0.0.1");
  EXPECT_EQ(literal("0"), "0.0.0.0");
  EXPECT_EQ(literal("0x"), "0.0.0.0");
  EXPECT_EQ(literal("169.254.43518"), "169.254.169.254");
  EXPECT_EQ(literal("4294967295"), "255.255.255.255");
  EXPECT_EQ(literal("1.16777215"), "1.255.255.255");
  EXPECT_EQ(literal("10.0.0.010"), "10.0.0.8");
}

TEST(HostLiteralAddress, BracketedIpv6IsReadWithoutItsZone) {
  EXPECT_EQ(literal("[::1]"), "::1");
  EXPECT_EQ(literal("[::ffff:127.0.0.1]"), "::ffff:127.0.0.1");
  EXPECT_EQ(literal("[::ffff:7f00:1]"), "::ffff:127.0.0.1");
  EXPECT_EQ(literal("[0:0:0:0:0:0:0:1]"), "::1");
  EXPECT_EQ(literal("[fe80::1%25eth0]"), "fe80::1");
  EXPECT_EQ(literal("::1"), "::1");
  EXPECT_EQ(literal("[2a00:1450::1]"), "2a00:1450::1");
  EXPECT_EQ(literal("[127.0.0.1]"), "127.0.0.1");  // not a valid host, but read as what it says
}

TEST(HostLiteralAddress, NamesAndOutOfRangeNumbersAreNotAddresses) {
  for (const char* host : {"example.org", "localhost", "127.0.0.1.nip.io", "1.2.3.4.5", "256.0.0.1",
                           "08.0.0.1", "0x1g", "", ".", "127..1", ".127.0.0.1", "4294967296",
                           "1.16777216", "1.2.65536", "0x100000000", "[not-v6]", "1e3", "-1"})
    EXPECT_EQ(literal(host), "(name)") << host;
}

TEST(IpAddress, ParseTakesCanonicalFormsOnly) {
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->text(), "192.0.2.1");
  EXPECT_EQ(IpAddress::parse("2001:DB8::1")->text(), "2001:db8::1");
  EXPECT_FALSE(IpAddress::parse("0x7f.1"));
  EXPECT_FALSE(IpAddress::parse("[::1]"));
  EXPECT_FALSE(IpAddress::parse("2130706433"));
  EXPECT_NE(*IpAddress::parse("::ffff:127.0.0.1"), *IpAddress::parse("127.0.0.1"));
  EXPECT_EQ(*IpAddress::parse("::ffff:127.0.0.1"), *IpAddress::parse("::ffff:7f00:1"));
}

TEST(IpNetwork, AddressesAndPrefixes) {
  auto ten = IpNetwork::parse("10.0.0.0/8");
  ASSERT_TRUE(ten);
  EXPECT_TRUE(ten->contains("10.255.1.2"));
  EXPECT_TRUE(ten->contains("::ffff:10.1.2.3"));  // as a dual-stack socket reports it
  EXPECT_FALSE(ten->contains("11.0.0.1"));
  EXPECT_FALSE(ten->contains("not an address"));
  auto one = IpNetwork::parse("127.0.0.1");
  ASSERT_TRUE(one);
  EXPECT_TRUE(one->contains("127.0.0.1"));
  EXPECT_FALSE(one->contains("127.0.0.2"));
  auto v6 = IpNetwork::parse("2001:db8::/33");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains("2001:db8:7fff::1"));
  EXPECT_FALSE(v6->contains("2001:db8:8000::1"));
  EXPECT_FALSE(v6->contains("10.0.0.1"));
  EXPECT_TRUE(IpNetwork::parse("0.0.0.0/0")->contains("203.0.113.9"));
  for (const char* bad :
       {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "::/129", "host/8", "10.0.0.0/8x"})
    EXPECT_FALSE(IpNetwork::parse(bad)) << bad;
}

}  // namespace
}  // namespace rdv
