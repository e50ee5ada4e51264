#include "net/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "domain/error.h"

namespace rdv {
namespace {

struct Transfer {
  const HttpClientPolicy* policy;
  CURL* curl;
  std::string body, etag, last_modified;
  bool too_large = false;
  std::string refused;  // why the connection was refused
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (t->body.size() + size * n > t->policy->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  t->body.append(data, size * n);
  return size * n;
}

std::string header_value(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() + 1) return "";
  for (size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return "";
  if (line[name.size()] != ':') return "";
  auto value = line.substr(name.size() + 1);
  auto first = value.find_first_not_of(" \t");
  auto last = value.find_last_not_of(" \t\r\n");
  return first == std::string_view::npos ? "" : std::string(value.substr(first, last - first + 1));
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0)
    t->etag.clear(), t->last_modified.clear();  // a redirect's headers
  if (auto v = header_value(line, "etag"); !v.empty()) t->etag = v;
  if (auto v = header_value(line, "last-modified"); !v.empty()) t->last_modified = v;
  return size * n;
}

std::string current_host(CURL* curl) {
  char* url = nullptr;
  curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &url);
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  char* host = nullptr;
  if (!url || curl_url_set(u.get(), CURLUPART_URL, url, 0) != CURLUE_OK ||
      curl_url_get(u.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK)
    return "";
  std::string out(host);
  curl_free(host);
  if (out.size() > 2 && out.front() == '[') out = out.substr(1, out.size() - 2);
  return out;
}

// Runs once the connection is made, before the request is sent: the address
// actually connected to is checked, so DNS tricks and redirects cannot reach
// private addresses.
int on_connected(void* user, char* ip, char*, int, int) {
  auto* t = static_cast<Transfer*>(user);
  if (!is_private_address(ip)) return CURL_PREREQFUNC_OK;
  const auto& allowed = t->policy->allowed_private_hosts;
  std::string host = current_host(t->curl);
  if (std::find(allowed.begin(), allowed.end(), host) != allowed.end() ||
      std::find(allowed.begin(), allowed.end(), std::string(ip)) != allowed.end())
    return CURL_PREREQFUNC_OK;
  t->refused = "address " + std::string(ip) + " is private or local and not allowed";
  return CURL_PREREQFUNC_ABORT;
}

}  // namespace

bool is_private_address(const std::string& ip) {
  unsigned char a[16];
  if (inet_pton(AF_INET, ip.c_str(), a) == 1) {
    return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
           (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168) ||
           (a[0] == 100 && (a[1] & 0xC0) == 64) || a[0] >= 224;
  }
  if (inet_pton(AF_INET6, ip.c_str(), a) == 1) {
    static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (std::memcmp(a, v4_mapped, 12) == 0) {
      char v4[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, a + 12, v4, sizeof v4);
      return is_private_address(v4);
    }
    bool zero_prefix = std::all_of(a, a + 15, [](unsigned char c) { return c == 0; });
    return zero_prefix ||                              // :: and ::1
           (a[0] & 0xFE) == 0xFC ||                    // fc00::/7 unique local
           (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) ||  // fe80::/10 link local
           a[0] == 0xFF;                               // multicast
  }
  return true;  // not an address we understand: refuse
}

std::string require_http_url(std::string_view url) {
  std::string u(url);
  auto first = u.find_first_not_of(" \t");
  auto last = u.find_last_not_of(" \t");
  u = first == std::string::npos ? "" : u.substr(first, last - first + 1);
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), &curl_url_cleanup);
  char* scheme = nullptr;
  char* host = nullptr;
  bool ok = !u.empty() && u.size() <= 2000 && u.find_first_of("\r\n") == std::string::npos &&
            curl_url_set(parsed.get(), CURLUPART_URL, u.c_str(), 0) == CURLUE_OK &&
            curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
            curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK;
  std::string s = scheme ? scheme : "";
  curl_free(scheme);
  curl_free(host);
  if (!ok || (s != "http" && s != "https"))
    throw ClientError(ErrorCode::kInvalidInput,
                      "url must be an http(s) URL of at most 2000 characters");
  return u;
}

IncomingResponse send_http(const HttpClientPolicy& policy, const OutgoingRequest& request) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) throw HttpClientError("libcurl could not be initialised");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw HttpClientError("cannot start a transfer");
  Transfer t{&policy, curl.get(), {}, {}, {}, false, {}};
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr,
                                                                      &curl_slist_free_all);
  for (const std::string& h : request.headers)
    headers.reset(curl_slist_append(headers.release(), h.c_str()));

  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, policy.max_redirects);
  }
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(policy.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(policy.max_bytes));
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // the size limit applies after decoding
  curl_easy_setopt(c, CURLOPT_USERAGENT, "rendezvous/1.0");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_connected);
  curl_easy_setopt(c, CURLOPT_PREREQDATA, &t);

  CURLcode rc = curl_easy_perform(c);
  if (!t.refused.empty()) throw HttpClientError(t.refused);
  if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED)
    throw HttpClientError("answer larger than " + std::to_string(policy.max_bytes >> 20) + " MiB");
  if (rc != CURLE_OK) throw HttpClientError(curl_easy_strerror(rc));
  IncomingResponse r;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  r.body = std::move(t.body);
  r.etag = std::move(t.etag);
  r.last_modified = std::move(t.last_modified);
  return r;
}

}  // namespace rdv
