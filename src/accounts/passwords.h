// Passwords: argon2id hashes (libsodium's encoded form, salt and cost inside)
// and the rules a new password must meet.
#pragma once

#include <string>
#include <string_view>

namespace rdv {

inline constexpr size_t kMinPasswordLength = 12;  // ANSSI, for a password alone
inline constexpr size_t kMaxPasswordLength = 256;

// argon2id at libsodium's "interactive" cost (64 MiB, 2 passes).
std::string hash_password(std::string_view password);
// Constant-time check against a stored hash; false for a malformed hash.
bool verify_password(const std::string& hash, std::string_view password);

// Why `password` may not be used, in French for the person choosing it, or "".
// Refused: too short or too long, one of the passwords everybody tries first
// (whatever digits or symbols surround it), too few different characters, or
// the person's own email or name.
std::string password_problem(std::string_view password, std::string_view email,
                             std::string_view name);

}  // namespace rdv
