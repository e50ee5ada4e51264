#include "accounts/passwords.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/text.h"

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

// Lower case, letters and digits only (bytes of other scripts kept).
std::string folded(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) out += static_cast<char>(std::tolower(u));
  }
  return out;
}

// Whether `s` repeats its own beginning ("abcdeabcdeab", "123123123123").
bool periodic(const std::string& s) {
  for (size_t p = 1; p <= s.size() / 2; ++p) {
    bool repeats = true;
    for (size_t i = p; i < s.size() && repeats; ++i) repeats = s[i] == s[i - p];
    if (repeats) return true;
  }
  return false;
}

// Whether the password is the person's name or email parts with only digits
// (or nothing) around them: "JeanDupont2024!", "dupont.jean.2024".
bool made_of_personal_words(std::string_view password, std::string_view email,
                            std::string_view name) {
  std::string rest = folded(password);
  std::vector<std::string> words;
  auto split = [&](std::string_view text) {
    std::string word;
    for (char c : std::string(text) + " ") {
      if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) {
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else {
        if (word.size() >= 3) words.push_back(word);
        word.clear();
      }
    }
  };
  split(name);
  split(email.substr(0, email.find('@')));
  bool found = false;
  for (const std::string& w : words)
    for (size_t at; (at = rest.find(w)) != std::string::npos; found = true)
      rest.erase(at, w.size());
  return found && std::all_of(rest.begin(), rest.end(),
                              [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
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
  std::string plain = folded(password);
  bool digits_only = std::all_of(plain.begin(), plain.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (digits_only || periodic(plain))
    return "ce mot de passe est trop simple à deviner (chiffres seuls ou motif répété)";
  std::string lower = lower_ascii(password);
  if (lower == lower_ascii(email) || made_of_personal_words(password, email, name))
    return "le mot de passe ne doit pas reprendre votre nom ou votre adresse";
  return "";
}

}  // namespace rdv
