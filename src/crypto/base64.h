// Base64 (RFC 4648): URL-safe without padding (section 5) as JSON Web Tokens
// and our own tokens write it, and the standard alphabet with padding for
// HTTP Basic credentials.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rdv {

std::string base64url_encode(std::string_view bytes);
// nullopt when `text` is not strict unpadded URL-safe base64.
std::optional<std::string> base64url_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

}  // namespace rdv
