// Small pieces of URLs, shared by everything that builds links.
#pragma once

#include <string>
#include <string_view>

namespace rdv {

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string url_encode(std::string_view s);

// "rdv.example.fr" for "https://rdv.example.fr:8443/x".
std::string host_of_url(std::string_view url);

}  // namespace rdv
