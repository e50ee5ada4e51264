#include "calendar/fetch.h"

#include <cstring>
#include <memory>

#include "domain/error.h"

namespace rdv {

std::string normalize_calendar_url(std::string_view url) {
  std::string u(url);
  for (const char* scheme : {"webcal://", "webcals://"})
    if (u.rfind(scheme, 0) == 0) u = "https://" + u.substr(std::strlen(scheme));
  return require_http_url(u);
}

CurlFetcher::CurlFetcher(FetchPolicy policy) : policy_(std::move(policy)) {}

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
    throw FetchError(e.what());
  }
  FetchResponse out;
  if (r.status == 304) {
    out.not_modified = true;
    return out;
  }
  if (r.status != 200) throw FetchError("HTTP status " + std::to_string(r.status));
  out.body = std::move(r.body);
  out.etag = std::move(r.etag);
  out.last_modified = std::move(r.last_modified);
  return out;
}

}  // namespace rdv
