#include "net/call_target.h"

#include <curl/curl.h>
#include <netdb.h>

#include <algorithm>
#include <memory>

#include "domain/error.h"
#include "domain/text.h"
#include "net/special_purpose.h"

namespace rdv {
namespace {

using Kind = HttpClientError::Kind;
using ParsedUrl = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;

std::optional<std::string> url_part(CURLU* url, CURLUPart which, unsigned flags = 0) {
  char* value = nullptr;
  CURLUcode rc = curl_url_get(url, which, &value, flags);
  std::unique_ptr<char, decltype(&curl_free)> owned(value, &curl_free);  // set even on some errors
  if (rc != CURLUE_OK || !value) return std::nullopt;
  return std::string(value);
}

// The host as the allow list and the localhost rule compare it: lower case,
// no brackets, no final dot ("LocalHost." is localhost).
std::string comparable_host(std::string_view host) {
  std::string h = lower_ascii(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

// RFC 6761: localhost and every name under it are the loopback, whatever DNS says.
bool is_localhost_name(const std::string& comparable) {
  return comparable == "localhost" ||
         (comparable.size() > 10 && comparable.ends_with(".localhost"));
}

std::string trimmed(std::string_view s) {
  auto first = s.find_first_not_of(" \t");
  auto last = s.find_last_not_of(" \t");
  return std::string(first == std::string_view::npos ? "" : s.substr(first, last - first + 1));
}

HttpClientError not_allowed(std::string detail) {
  return HttpClientError(Kind::kNotAllowed, "the address is private or local and not allowed",
                         std::move(detail));
}

}  // namespace

bool allows_special(const HttpClientPolicy& policy, std::string_view host,
                    const std::optional<IpAddress>& address) {
  std::string h = comparable_host(host);
  for (const std::string& entry : policy.allowed_private_hosts) {
    std::string e = comparable_host(entry);
    if (e.empty()) continue;
    if (e == h) return true;
    if (address && IpAddress::parse(e) == address) return true;
  }
  return false;
}

CallTarget parse_call_target(std::string_view url) {
  std::string u = trimmed(url);
  const HttpClientError bad(Kind::kBadUrl, "url must be an http(s) URL of at most 2000 characters");
  if (u.empty() || u.size() > 2000 || u.find_first_of("\r\n") != std::string::npos) throw bad;
  ParsedUrl parsed(curl_url(), &curl_url_cleanup);
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, u.c_str(), 0) != CURLUE_OK) throw bad;
  auto scheme = url_part(parsed.get(), CURLUPART_SCHEME);
  auto host = url_part(parsed.get(), CURLUPART_HOST);
  auto port = url_part(parsed.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || !host || host->empty() || !port) throw bad;
  CallTarget t;
  t.scheme = lower_ascii(*scheme);
  if (t.scheme != "http" && t.scheme != "https") throw bad;
  t.port = std::stoi(*port);
  // An IDN host is checked, resolved and connected to under one name, its
  // punycode, so that what we resolved is what libcurl looks up.
  // libidn2 reads the host in the locale's encoding: under the C locale, a
  // name that is not ASCII cannot be converted, and is refused rather than
  // resolved in one spelling and connected to in another.
  bool ascii = std::all_of(host->begin(), host->end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii) {
    auto ace = url_part(parsed.get(), CURLUPART_HOST, CURLU_PUNYCODE);
    if (!ace || curl_url_set(parsed.get(), CURLUPART_HOST, ace->c_str(), 0) != CURLUE_OK)
      throw HttpClientError(Kind::kBadUrl,
                            "url has an international host name that cannot be converted here: "
                            "write it in its xn-- (punycode) form");
    host = ace;
  }
  auto full = url_part(parsed.get(), CURLUPART_URL);
  if (!full) throw bad;
  t.url = *full;
  t.host = lower_ascii(*host);
  if (t.host.size() >= 2 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  t.literal = host_literal_address(t.host);
  t.zone_id = url_part(parsed.get(), CURLUPART_ZONEID).has_value();
  return t;
}

void check_host_spelling(const CallTarget& t, const HttpClientPolicy& policy) {
  // A zone id ("[fe80::1%eth0]") picks an interface: only link-local addresses have one.
  if (t.zone_id) throw not_allowed("an IPv6 zone id");
  if (t.literal && is_special_purpose(*t.literal) && !allows_special(policy, t.host, t.literal))
    throw not_allowed(t.literal->text() + " is " + std::string(special_purpose_block(*t.literal)));
  if (!t.literal && is_localhost_name(comparable_host(t.host)) &&
      !allows_special(policy, t.host, std::nullopt))
    throw not_allowed("localhost");
}

CallTarget examine_url(std::string_view url, const HttpClientPolicy& policy) {
  CallTarget t = parse_call_target(url);
  check_host_spelling(t, policy);
  return t;
}

std::vector<IpAddress> resolve_checked(const CallTarget& target, const HttpClientPolicy& policy) {
  std::vector<IpAddress> out;
  if (target.literal) {
    out.push_back(*target.literal);
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int rc = getaddrinfo(target.host.c_str(), nullptr, &hints, &found);
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, &freeaddrinfo);
    if (rc != 0)
      throw HttpClientError(Kind::kUnreachable, "the server could not be reached",
                            std::string("name not resolved: ") + gai_strerror(rc));
    for (const addrinfo* a = found; a; a = a->ai_next)
      if (auto ip = IpAddress::from_sockaddr(a->ai_addr, a->ai_addrlen);
          ip && std::find(out.begin(), out.end(), *ip) == out.end())
        out.push_back(*ip);
  }
  if (out.empty())
    throw HttpClientError(Kind::kUnreachable, "the server could not be reached",
                          "no address for the name");
  for (const IpAddress& a : out)
    if (is_special_purpose(a) && !allows_special(policy, target.host, a))
      throw not_allowed("resolves to " + a.text() + ", " + std::string(special_purpose_block(a)));
  return out;
}

std::string loggable_origin(const CallTarget& target) {
  bool v6 = target.host.find(':') != std::string::npos;
  return target.scheme + "://" + (v6 ? "[" + target.host + "]" : target.host) + ":" +
         std::to_string(target.port);
}

std::string require_http_url(std::string_view url) {
  try {
    examine_url(url, {});
  } catch (const HttpClientError& e) {
    if (e.kind() != Kind::kNotAllowed)  // only the form is judged here
      throw ClientError(ErrorCode::kInvalidInput, e.what(), "url");
  }
  return trimmed(url);
}

std::string require_callable_url(std::string_view url, const HttpClientPolicy& policy) {
  try {
    examine_url(url, policy);
    return trimmed(url);  // as the user wrote it: what they will recognise
  } catch (const HttpClientError& e) {
    if (e.kind() == Kind::kNotAllowed)
      invalid_field("url",
                    "names a private, loopback or otherwise special-purpose address, "
                    "which is not allowed");
    throw ClientError(ErrorCode::kInvalidInput, e.what(), "url");
  }
}

}  // namespace rdv
