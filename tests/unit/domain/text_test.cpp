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
