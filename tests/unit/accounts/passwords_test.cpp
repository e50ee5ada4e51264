// Password rules and hashes.
#include "accounts/passwords.h"

#include <gtest/gtest.h>

namespace rdv {
namespace {

bool refused(const char* password, const char* email = "jean.dupont@cenon.fr",
             const char* name = "Jean Dupont") {
  return !password_problem(password, email, name).empty();
}

TEST(Passwords, CommonShortSimpleOrPersonalOnesAreRefused) {
  for (const char* p :
       {"court", "motdepasse2024!", "azertyuiop123", "123456789012", "111111111111", "abcdeabcdeab",
        "123123123123", "JeanDupont2024!", "jean-dupont-2024", "Dupont.Jean.2024", "jeandupont123",
        "jean.dupont2024", "jean.dupont@cenon.fr"})
    EXPECT_TRUE(refused(p)) << p;
}

TEST(Passwords, PassphrasesAndRandomOnesPass) {
  for (const char* p : {"Vélo-rouge-sur-la-Garonne", "Sophie Laurent 2024", "Zx9!kq-Lmw#42-vbnRt",
                        "correct horse battery staple"})
    EXPECT_FALSE(refused(p)) << p << ": "
                             << password_problem(p, "jean.dupont@cenon.fr", "Jean Dupont");
}

TEST(Passwords, HashesAreArgon2idSaltedAndVerified) {
  std::string a = hash_password("Vélo-rouge-sur-la-Garonne");
  std::string b = hash_password("Vélo-rouge-sur-la-Garonne");
  EXPECT_EQ(a.rfind("$argon2id$", 0), 0u) << a;
  EXPECT_NE(a, b);  // salted
  EXPECT_TRUE(verify_password(a, "Vélo-rouge-sur-la-Garonne"));
  EXPECT_FALSE(verify_password(a, "Vélo-rouge-sur-la-garonne"));
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("$argon2id$garbage", "x"));
}

}  // namespace
}  // namespace rdv
