// Outgoing HTTP(S) with libcurl, for URLs that users gave us (calendars,
// webhooks, SMS gateways): http and https only, bounded size and time, and
// no private or loopback address unless the configuration allows its host.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rdv {

struct HttpClientPolicy {
  std::vector<std::string> allowed_private_hosts;  // RDV_FETCH_ALLOW: tests and intranets
  std::chrono::seconds timeout{20};
  size_t max_bytes = 5 << 20;
  long max_redirects = 3;  // GET only; POSTs are never redirected
};

struct OutgoingRequest {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
};

struct IncomingResponse {
  long status = 0;
  std::string body, etag, last_modified;
};

// The request could not be made or its answer read; the message says why.
struct HttpClientError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `url` when it is an http(s) URL we may call, or ClientError kInvalidInput.
std::string require_http_url(std::string_view url);

IncomingResponse send_http(const HttpClientPolicy& policy, const OutgoingRequest& request);

// Whether an IP address (text) is loopback, private, link-local or otherwise
// not a public unicast address.
bool is_private_address(const std::string& ip);

}  // namespace rdv
