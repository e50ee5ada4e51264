// The checks that send_http and require_callable_url share: a URL taken
// apart once, its host judged before any connection, its name resolved once
// and every address judged.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_client.h"
#include "net/ip_address.h"

namespace rdv {

// A URL we were asked to call.
struct CallTarget {
  std::string url;     // as libcurl gets it: trimmed, host in punycode
  std::string scheme;  // "http" or "https"
  std::string host;    // lower case, without brackets: "example.org", "::1"
  int port = 0;
  std::optional<IpAddress> literal;  // the host is an address, in any spelling
  bool zone_id = false;              // "[fe80::1%25eth0]"
};

// Parses `url`; HttpClientError kBadUrl when it is not an http(s) URL.
CallTarget parse_call_target(std::string_view url);

// kNotAllowed, without touching the network, when the host is literally a
// special-purpose address, localhost or *.localhost, unless `policy` allows it.
void check_host_spelling(const CallTarget& target, const HttpClientPolicy& policy);

// Both: what require_callable_url and every hop of send_http start with.
CallTarget examine_url(std::string_view url, const HttpClientPolicy& policy);

// Whether `policy` lets `host`, or `address` that it names, be special-purpose.
bool allows_special(const HttpClientPolicy& policy, std::string_view host,
                    const std::optional<IpAddress>& address);

// The addresses of the target's host, resolved once, all of them checked:
// kNotAllowed when any is special-purpose and not allowed (one bad address
// among good ones is how DNS rebinding starts), kUnreachable when the name
// does not resolve.
std::vector<IpAddress> resolve_checked(const CallTarget& target, const HttpClientPolicy& policy);

// One request of send_http, no redirect followed: libcurl's resolution of
// the target's host is pinned to `checked`, and a socket is opened only for
// an address of `checked` that the policy accepts (checked again before
// connect(), as the last line). The redirect's location, if any, in `location`.
IncomingResponse call_checked(const HttpClientPolicy& policy, const OutgoingRequest& request,
                              const CallTarget& target, const std::vector<IpAddress>& checked,
                              std::chrono::milliseconds time_left, std::string* location = nullptr);

// "https://example.org:443": what may be logged of a URL; its path, query and
// userinfo can hold secrets (private calendar links, tokens, passwords).
std::string loggable_origin(const CallTarget& target);

}  // namespace rdv
