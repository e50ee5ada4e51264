// URL-safe base64 without padding (RFC 4648 section 5), as JSON Web Tokens and
// our own tokens write it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rdv {

std::string base64url_encode(std::string_view bytes);
// nullopt when `text` is not strict unpadded URL-safe base64.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace rdv
