#include "domain/text.h"

#include <gtest/gtest.h>

namespace rdv {
namespace {

TEST(Text, FoldsCaseAccentsAndPunctuation) {
  EXPECT_EQ(fold_for_search("Aide numérique (atelier collectif)"),
            "aide numerique atelier collectif");
  EXPECT_EQ(fold_for_search("CARTE GRISE"), "carte grise");
  EXPECT_EQ(fold_for_search("Œuvre — Ça Été À Noël"), "oeuvre ca ete a noel");
  EXPECT_EQ(fold_for_search("  Permanence  CAF!! "), "permanence caf");
}

TEST(Text, SurvivesInvalidUtf8) {
  EXPECT_EQ(fold_for_search("ab\xff\xfe"
                            "cd\xc3"),
            "ab cd");
  EXPECT_EQ(fold_for_search("\xe2\x82"), "");
}

TEST(Text, EscapesHtml) {
  EXPECT_EQ(escape_html("<a href=\"x\">l'été & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;l&#39;été &amp; co&lt;/a&gt;");
}

TEST(Text, SplitsTerms) {
  auto terms = search_terms("Carte-Grise, numérique");
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0], "carte");
  EXPECT_EQ(terms[1], "grise");
  EXPECT_EQ(terms[2], "numerique");
}

}  // namespace
}  // namespace rdv

namespace rdv {

TEST(Text, LegacyBytesBecomeUtf8AndUtf8StaysAsItIs) {
  // Latin-1 "Réunion à Saint-Étienne", Windows-1252 quotes, euro sign and œ.
  EXPECT_EQ(utf8_from_legacy("R\xE9union \xE0 Saint-\xC9tienne"),
            "R\u00e9union \u00e0 Saint-\u00c9tienne");
  EXPECT_EQ(utf8_from_legacy("\x93\x9C\x80\x94"), "\u201c\u0153\u20ac\u201d");
  EXPECT_EQ(utf8_from_legacy("\x81"), "\ufffd");  // a hole of Windows-1252
  // Valid UTF-8, four-byte sequences included, is kept byte for byte.
  const std::string utf8 = "Caf\u00e9 \u2013 \U0001F4C5 \u00c9t\u00e9";
  EXPECT_EQ(utf8_from_legacy(utf8), utf8);
  // A mixed file: each invalid byte alone is Windows-1252, the rest stays.
  EXPECT_EQ(utf8_from_legacy("\u00e9t\xE9"), "\u00e9t\u00e9");
  // A truncated sequence and an overlong form are not UTF-8.
  EXPECT_EQ(utf8_from_legacy("a\xC3"), "a\u00c3");
  EXPECT_EQ(utf8_from_legacy("\xC0\xAF"), "\u00c0\u00af");
  // NUL is dropped; other bytes below 0x80 stay.
  EXPECT_EQ(utf8_from_legacy(std::string("a\0b\tc\r\n", 7)), "ab\tc\r\n");
  // Whatever comes in, what goes out is valid text for check_text.
  std::string high_bytes;
  for (int b = 0x80; b < 0x100; ++b) high_bytes += static_cast<char>(b);
  std::string text = utf8_from_legacy(high_bytes);
  EXPECT_NO_THROW(check_text(text, TextKind::kMultiLine, "x"));
  EXPECT_EQ(utf8_from_legacy(text), text);
}

}  // namespace rdv
