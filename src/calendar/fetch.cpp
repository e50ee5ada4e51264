#include "calendar/fetch.h"

#include <strings.h>

#include <cstring>
#include <memory>

#include "domain/error.h"

namespace rdv {

std::string normalize_calendar_url(std::string_view url, const HttpClientPolicy& policy) {
  std::string u(url);
  auto first = u.find_first_not_of(" \t");
  u = first == std::string::npos ? "" : u.substr(first);
  for (const char* scheme : {"webcal://", "webcals://"})
    if (u.size() >= std::strlen(scheme) && strncasecmp(u.c_str(), scheme, std::strlen(scheme)) == 0)
      u = "https://" + u.substr(std::strlen(scheme));
  return require_callable_url(u, policy);
}

std::string CalendarFetcher::accept_url(std::string_view url) const {
  return normalize_calendar_url(url, HttpClientPolicy{});
}

CurlFetcher::CurlFetcher(FetchPolicy policy) : policy_(std::move(policy)) {}

std::string CurlFetcher::accept_url(std::string_view url) const {
  return normalize_calendar_url(url, policy_);
}

FetchResponse CurlFetcher::fetch(const std::string& url, const std::string& etag,
                                 const std::string& last_modified) {
  OutgoingRequest request;
  request.url = url;
  request.headers.push_back("Accept: text/calendar, */*;q=0.5");
  if (!etag.empty()) request.headers.push_back("If-None-Match: " + etag);
  if (!last_modified.empty()) request.headers.push_back("If-Modified-Since: " + last_modified);
  IncomingResponse r;
  try {
    r = send_http(policy_, request);
  } catch (const HttpClientError& e) {
    // send_http has logged the detail; the agent gets what they can act on.
    switch (e.kind()) {
      case HttpClientError::Kind::kTooLarge:
        throw FetchError("the calendar is larger than " + std::to_string(policy_.max_bytes >> 20) +
                         " MiB");
      case HttpClientError::Kind::kRedirect:
        throw FetchError(
            "the calendar's server redirects too often or to a URL that is not "
            "http(s)");
      // A name that resolves to a private address reads like one that does
      // not resolve: what agents see must not map the internal network.
      case HttpClientError::Kind::kNotAllowed:
      case HttpClientError::Kind::kBadUrl:
      case HttpClientError::Kind::kUnreachable:
        break;
    }
    throw FetchError("the calendar could not be fetched; check its address, or try again later");
  }
  FetchResponse out;
  if (r.status == 304) {
    out.not_modified = true;
    return out;
  }
  if (r.status != 200)
    throw FetchError("the calendar's server answered HTTP " + std::to_string(r.status));
  out.body = std::move(r.body);
  out.etag = std::move(r.etag);
  out.last_modified = std::move(r.last_modified);
  return out;
}

}  // namespace rdv
