// Fetching agents' calendars over HTTP(S), with the careful client of
// net/http_client.h, conditionally when a copy is known.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_client.h"

namespace rdv {

using FetchPolicy = HttpClientPolicy;

struct FetchResponse {
  bool not_modified = false;  // 304: the copy we have is current
  std::string body, etag, last_modified;
};

// The fetch failed; the message is for the subscription's last_error, which
// the agent sees: it names what the agent can act on (the server's HTTP
// status, the size, an address that is not allowed) and nothing of how the
// network answered, so that subscriptions cannot be used to probe it.
struct FetchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class CalendarFetcher {
 public:
  virtual ~CalendarFetcher() = default;
  // Conditional GET when `etag` or `last_modified` is known.
  virtual FetchResponse fetch(const std::string& url, const std::string& etag,
                              const std::string& last_modified) = 0;
  // The URL to store for a subscription, checked before anything is stored
  // (normalize_calendar_url); by default no private address is allowed.
  virtual std::string accept_url(std::string_view url) const;
};

class CurlFetcher final : public CalendarFetcher {
 public:
  explicit CurlFetcher(FetchPolicy policy);
  FetchResponse fetch(const std::string& url, const std::string& etag,
                      const std::string& last_modified) override;
  std::string accept_url(std::string_view url) const override;

 private:
  FetchPolicy policy_;
};

// The URL to fetch for a subscription URL (webcal:// is https://), or
// ClientError kInvalidInput on "url" when it is not an http(s) URL that
// send_http may call under `policy` (require_callable_url).
std::string normalize_calendar_url(std::string_view url, const HttpClientPolicy& policy);

}  // namespace rdv
