#include "net/url.h"

#include <curl/curl.h>

#include <cctype>
#include <memory>

#include "domain/error.h"

namespace rdv {

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string checked_url(std::string_view text, const std::string& field, bool allow_webcal) {
  const char* what = allow_webcal
                         ? "must be an http, https or webcal URL of at most 2000 characters"
                         : "must be an http or https URL of at most 2000 characters";
  // Printable ASCII only: no space, no control character can reach a header or a request line.
  bool printable = !text.empty() && text.size() <= 2000;
  for (unsigned char c : text) printable = printable && c > 0x20 && c < 0x7F;
  if (!printable) invalid_field(field, what);
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
  std::string u(text);
  char* scheme = nullptr;
  char* host = nullptr;
  bool ok = curl_url_set(parsed.get(), CURLUPART_URL, u.c_str(), 0) == CURLUE_OK &&
            curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
            curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host;
  std::string s = scheme ? scheme : "";
  curl_free(scheme);
  curl_free(host);
  bool scheme_ok =
      s == "http" || s == "https" || (allow_webcal && (s == "webcal" || s == "webcals"));
  if (!ok || !scheme_ok) invalid_field(field, what);
  return u;
}

std::string host_of_url(std::string_view url) {
  auto start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  auto end = url.find_first_of(":/?#", start);
  return std::string(
      url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
}

std::string origin_of_url(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  size_t end = url.find_first_of("/?#", scheme + 3);
  std::string_view authority = url.substr(
      scheme + 3, end == std::string_view::npos ? std::string_view::npos : end - scheme - 3);
  // Never a user name or password given in the URL.
  if (size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  return std::string(url.substr(0, scheme + 3)) + std::string(authority);
}

bool is_local_path(std::string_view path) {
  if (path.empty() || path.size() > 500 || path[0] != '/') return false;
  if (path.size() > 1 && (path[1] == '/' || path[1] == '\\')) return false;
  for (char c : path)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '\\')
      return false;
  return true;
}

}  // namespace rdv
