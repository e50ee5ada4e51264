#include "accounts/passwords.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

namespace rdv {
namespace {

// The words most tried first, in French and English lists of leaked passwords;
// a password that is one of them with digits or symbols around it is refused.
constexpr std::string_view kCommonWords[] = {
    "password", "motdepasse",     "azerty",  "qwerty",   "azertyuiop", "qwertyuiop", "123456",
    "admin",    "administrateur", "bonjour", "soleil",   "marseille",  "doudou",     "loulou",
    "chouchou", "nicolas",        "camille", "julien",   "iloveyou",   "jetaime",    "princesse",
    "football", "dragon",         "monkey",  "letmein",  "welcome",    "bienvenue",  "france",
    "paris",    "rendezvous",     "mairie",  "secret",   "changeme",   "default",    "utilisateur",
    "user",     "test",           "master",  "sunshine", "abc",        "qwertz",     "000000",
    "111111",   "654321",         "abcdef",  "baseball", "superman",   "batman",     "pokemon",
};

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The password without the digits and symbols around its letters, lower case.
std::string core_of(std::string_view password) {
  std::string p = lower_ascii(password);
  auto is_letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c < 0; };
  auto first = std::find_if(p.begin(), p.end(), is_letter);
  auto last = std::find_if(p.rbegin(), p.rend(), is_letter).base();
  if (first >= last) return p;  // no letter: digits or symbols only
  return std::string(first, last);
}

// Whether `s` is `word` repeated (at least once).
bool repeats(const std::string& s, std::string_view word) {
  if (word.empty() || s.size() % word.size() != 0) return false;
  for (size_t i = 0; i < s.size(); i += word.size())
    if (s.compare(i, word.size(), word) != 0) return false;
  return true;
}

}  // namespace

std::string hash_password(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string password_problem(std::string_view password, std::string_view email,
                             std::string_view name) {
  if (password.size() < kMinPasswordLength)
    return "le mot de passe doit compter au moins " + std::to_string(kMinPasswordLength) +
           " caractères";
  if (password.size() > kMaxPasswordLength) return "le mot de passe est trop long";
  std::set<char> distinct(password.begin(), password.end());
  if (distinct.size() < 5) return "le mot de passe doit mêler plus de caractères différents";
  std::string core = core_of(password);
  for (std::string_view word : kCommonWords)
    if (repeats(core, word)) return "ce mot de passe est parmi les plus courants";
  std::string lower = lower_ascii(password);
  std::string local = lower_ascii(email.substr(0, email.find('@')));
  if ((!local.empty() && (core == local || lower == lower_ascii(email))) ||
      (!name.empty() && core == lower_ascii(name)))
    return "le mot de passe ne doit pas reprendre votre nom ou votre adresse";
  return "";
}

}  // namespace rdv
