// Small pieces of URLs, shared by everything that builds links.
#pragma once

#include <string>
#include <string_view>

namespace rdv {

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string url_encode(std::string_view s);

// A URL given by a person (video provider, webhook, calendar), checked where it
// enters: at most 2000 bytes of printable ASCII with no whitespace, parsed by
// libcurl, with a host, and its scheme http or https (webcal and webcals too
// when `allow_webcal`). Returns it; ClientError kInvalidInput naming `field`.
std::string checked_url(std::string_view text, const std::string& field, bool allow_webcal = false);

// Whether `path` is a path of this site to send a browser to: one leading
// "/" (never "//" nor "/\", which browsers read as another host), printable
// ASCII without spaces or backslashes, at most 500 bytes.
bool is_local_path(std::string_view path);

// "rdv.example.fr" for "https://rdv.example.fr:8443/x".
std::string host_of_url(std::string_view url);
// "https://rdv.example.fr:8443" for "https://rdv.example.fr:8443/x?y".
std::string origin_of_url(std::string_view url);

}  // namespace rdv
