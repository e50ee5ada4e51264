// Outgoing HTTP(S) with libcurl, for URLs that users gave us (calendars,
// webhooks, SMS gateways, video providers): http and https only, bounded size
// and time, and no special-purpose address (loopback, private, link-local,
// ...) unless the configuration allows it. The host is resolved once, every
// address is checked before any connection, and libcurl may connect only to
// the checked addresses: a name cannot resolve to a public address for the
// check and to a private one for the connection.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rdv {

struct HttpClientPolicy {
  // RDV_FETCH_ALLOW: hosts (as written in URLs) or addresses that may be
  // special-purpose all the same; tests and intranets.
  std::vector<std::string> allowed_private_hosts;
  std::chrono::seconds timeout{20};  // for the whole call, redirects included
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
  std::string content_type;  // as the server wrote it ("application/json; charset=utf-8")
};

// The request could not be made or its answer read. what() is safe to show to
// the user who gave the URL: it tells apart only what they can act on, never
// how the network answered (refused, closed, reset, TLS, timeout all read
// alike, or the client would be a port scanner). detail() is for the log.
class HttpClientError : public std::runtime_error {
 public:
  enum class Kind {
    kBadUrl,       // not an http(s) URL we can call
    kNotAllowed,   // names or resolves to a special-purpose address
    kUnreachable,  // no answer: unknown name, refused, reset, TLS, timeout...
    kTooLarge,     // answer over max_bytes
    kRedirect,     // too many redirects, or to something not http(s)
  };
  HttpClientError(Kind kind, const std::string& message, std::string detail = "")
      : std::runtime_error(message), kind_(kind), detail_(std::move(detail)) {}
  Kind kind() const { return kind_; }
  const std::string& detail() const { return detail_; }

 private:
  Kind kind_;
  std::string detail_;
};

// `url` (trimmed) when it is an http(s) URL, or ClientError kInvalidInput.
// Only the form is checked: prefer require_callable_url for URLs to call.
std::string require_http_url(std::string_view url);

// `url` (trimmed) when it is an http(s) URL that send_http may call: its
// host is not a special-purpose address in any spelling ("127.0.0.1",
// "2130706433", "0x7f.1", "[::ffff:127.0.0.1]"), nor localhost or
// *.localhost, unless `policy` allows it. ClientError kInvalidInput on field
// "url" otherwise. No name is resolved here: send_http checks what names
// resolve to, at every call.
std::string require_callable_url(std::string_view url, const HttpClientPolicy& policy);

// Throws HttpClientError; an HTTP error status is a response, not an error.
IncomingResponse send_http(const HttpClientPolicy& policy, const OutgoingRequest& request);

// Whether an IP address (canonical text) is special-purpose (see
// net/special_purpose.h); text that is not an address counts as such.
bool is_private_address(const std::string& ip);

}  // namespace rdv
