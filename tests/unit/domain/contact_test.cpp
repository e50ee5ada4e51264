#include "domain/contact.h"

#include <gtest/gtest.h>

#include "domain/error.h"
#include "domain/text.h"

namespace rdv {
namespace {

// The field named by the refusal, or "" when the text was accepted.
template <typename F>
std::string refused_field(F&& f) {
  try {
    f();
  } catch (const ClientError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    return e.field();
  }
  return "";
}

TEST(Mailbox, PlainAddressesAreKeptWithTheDomainLowerCased) {
  EXPECT_EQ(checked_mailbox("lea.dupont@example.fr", "email"), "lea.dupont@example.fr");
  EXPECT_EQ(checked_mailbox("Lea+rdv@Mairie-Begles.FR", "email"), "Lea+rdv@mairie-begles.fr");
  EXPECT_EQ(checked_mailbox("jose@café.fr", "email"), "jose@café.fr");
}

TEST(Mailbox, AnythingThatCouldReachSmtpAsCommandsOrHeadersIsRefused) {
  for (const char* hostile : {
           "victim@example.fr\r\nRCPT TO:<other@evil.example>",
           "victim@example.fr\nBcc: other@evil.example",
           "victim@example.fr>\r\nDATA",
           "Léa <lea@example.fr>",
           "lea@example.fr, other@evil.example",
           "lea@example.fr;other@evil.example",
           "\"lea\"@example.fr",
           "lea@@example.fr",
           "lea@exa@mple.fr",
           "lea(comment)@example.fr",
           "lea @example.fr",
           "lea@example",
           "@example.fr",
           "lea@",
           ".lea@example.fr",
           "le..a@example.fr",
           "lea@-example.fr",
           "lea@example..fr",
           "lea@[127.0.0.1]",
           "lea\t@example.fr",
           "lea\x7f@example.fr",
       })
    EXPECT_EQ(refused_field([&] { checked_mailbox(hostile, "resident.email"); }), "resident.email")
        << hostile;
  std::string long_local(65, 'a');
  EXPECT_EQ(refused_field([&] { checked_mailbox(long_local + "@example.fr", "email"); }), "email");
  std::string long_domain;
  for (int i = 0; i < 50; ++i) long_domain += "abcde.";
  EXPECT_EQ(refused_field([&] { checked_mailbox("a@" + long_domain + "fr", "email"); }), "email");
}

TEST(Phone, FrenchNationalFormatsBecomeE164) {
  for (const char* written : {"06 12 34 56 78", "0612345678", "06.12.34.56.78", "06-12-34-56-78",
                              "+33 6 12 34 56 78", "+33612345678", "+33 (0)6 12 34 56 78"})
    EXPECT_EQ(checked_phone(written, "FR", "phone"), "+33612345678") << written;
  EXPECT_EQ(checked_phone("05 56 12 34 56", "FR", "phone"), "+33556123456");
}

TEST(Phone, OverseasNumbersAreReadWithTheRegionOfThePlace) {
  EXPECT_EQ(phone_region_of_zone("Indian/Reunion"), "RE");
  EXPECT_EQ(phone_region_of_zone("America/Guadeloupe"), "GP");
  EXPECT_EQ(phone_region_of_zone("America/Martinique"), "MQ");
  EXPECT_EQ(phone_region_of_zone("America/Cayenne"), "GF");
  EXPECT_EQ(phone_region_of_zone("Indian/Mayotte"), "YT");
  EXPECT_EQ(phone_region_of_zone("Europe/Paris"), "FR");
  EXPECT_EQ(checked_phone("0692 12 34 56", "RE", "phone"), "+262692123456");
  EXPECT_EQ(checked_phone("0690 12 34 56", "GP", "phone"), "+590690123456");
  EXPECT_EQ(checked_phone("0696 12 34 56", "MQ", "phone"), "+596696123456");
  EXPECT_EQ(checked_phone("0694 12 34 56", "GF", "phone"), "+594694123456");
  EXPECT_EQ(checked_phone("0639 40 12 34", "YT", "phone"), "+262639401234");
  // A number in international form is the same wherever it is read.
  EXPECT_EQ(checked_phone("+33612345678", "RE", "phone"), "+33612345678");
}

TEST(Phone, PremiumRateMalformedAndHostileNumbersAreRefused) {
  for (const char* bad : {
           "0899 12 34 56",     // premium rate
           "08 92 12 34 56",    // premium rate
           "0612",              // too short
           "06123456789012",    // too long
           "abc",               //
           "",                  //
           "+33612345678\r\n",  // a line break for the gateway
           "06 12 34 56 78; rm -rf",
           "+336123456780000000000000000000",
           "00000000",
       })
    EXPECT_EQ(refused_field([&] { checked_phone(bad, "FR", "resident.phone"); }), "resident.phone")
        << bad;
}

TEST(Text, SingleLineRefusesEveryControlCharacterAndBadUtf8) {
  EXPECT_EQ(refused_field([&] { check_text("Léa Dupont", TextKind::kSingleLine, "f"); }), "");
  for (std::string bad :
       {std::string("a\nb"), std::string("a\rb"), std::string("a\tb"), std::string("a\0b", 3),
        std::string("a\x1b[31mb"), std::string("a\x7f"), std::string("a\xc2\x85"),  // NEL (C1)
        std::string("a\xe2\x80\xa8"),                                               // U+2028
        std::string("\xff"), std::string("\xc0\xaf"),                               // overlong '/'
        std::string("\xed\xa0\x80"), std::string("\xe2\x82")})  // surrogate, truncated
    EXPECT_EQ(refused_field([&] { check_text(bad, TextKind::kSingleLine, "f"); }), "f") << bad;
}

TEST(Text, MultiLineAllowsLineBreaksAndTabsOnly) {
  EXPECT_EQ(refused_field([&] { check_text("a\nb\r\nc\td", TextKind::kMultiLine, "f"); }), "");
  EXPECT_EQ(refused_field([&] { check_text("a\rb", TextKind::kMultiLine, "f"); }), "f");
  EXPECT_EQ(refused_field([&] { check_text("a\x0b", TextKind::kMultiLine, "f"); }), "f");
}

TEST(Text, DirectionOverridesAndInvisibleCharactersAreRefused) {
  // "Léon" + RIGHT-TO-LEFT OVERRIDE + ZERO WIDTH SPACE, as the attack sent it.
  EXPECT_EQ(refused_field([&] {
              check_text("L\xc3\xa9on\xe2\x80\xae\xe2\x80\x8b", TextKind::kSingleLine, "f");
            }),
            "f");
  for (const char* bad : {"a\xe2\x80\x8b", "a\xe2\x80\x8e", "a\xe2\x80\x8f", "a\xe2\x80\xaa",
                          "a\xe2\x81\xa6", "a\xe2\x81\xa9", "a\xef\xbb\xbf", "a\xe2\x81\xa0"})
    EXPECT_EQ(refused_field([&] { check_text(bad, TextKind::kSingleLine, "f"); }), "f") << bad;
  // Overrides are refused in notes too; joiners stay (emoji, some scripts).
  EXPECT_EQ(refused_field([&] {
              check_text(
                  "a\n\xe2\x80\xae"
                  "b",
                  TextKind::kMultiLine, "f");
            }),
            "f");
  EXPECT_EQ(refused_field([&] {
              check_text("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", TextKind::kSingleLine,
                         "f");
            }),
            "");
}

}  // namespace
}  // namespace rdv
