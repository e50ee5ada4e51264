#include "accounts/single_sign_on.h"

#include <gtest/gtest.h>

namespace rdv {
namespace {

TEST(SingleSignOn, PkceChallengeIsTheS256OfRfc7636) {
  // RFC 7636, appendix B.
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
}  // namespace rdv
