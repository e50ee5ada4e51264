// Fetching agents' calendars over HTTP(S) with libcurl, as a careful client of
// URLs that users typed: http and https only, bounded size and time, no
// private or loopback addresses unless the configuration allows the host.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rdv {

struct FetchPolicy {
  std::vector<std::string> allowed_private_hosts;  // RDV_FETCH_ALLOW: for tests and intranets
  std::chrono::seconds timeout{20};
  size_t max_bytes = 5 << 20;
  long max_redirects = 3;
};

struct FetchResponse {
  bool not_modified = false;  // 304: the copy we have is current
  std::string body, etag, last_modified;
};

// The fetch failed; the message is for the subscription's last_error.
struct FetchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class CalendarFetcher {
 public:
  virtual ~CalendarFetcher() = default;
  // Conditional GET when `etag` or `last_modified` is known.
  virtual FetchResponse fetch(const std::string& url, const std::string& etag,
                              const std::string& last_modified) = 0;
};

class CurlFetcher final : public CalendarFetcher {
 public:
  explicit CurlFetcher(FetchPolicy policy);
  FetchResponse fetch(const std::string& url, const std::string& etag,
                      const std::string& last_modified) override;

 private:
  FetchPolicy policy_;
};

// The URL to fetch for a subscription URL (webcal:// is https://), or
// ClientError kInvalidInput when it is not an http(s) URL.
std::string normalize_calendar_url(std::string_view url);

// Whether an IP address (text) is loopback, private, link-local or otherwise
// not a public unicast address.
bool is_private_address(const std::string& ip);

}  // namespace rdv
