#include "net/http_client.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>

#include "net/call_target.h"
#include "net/special_purpose.h"
#include "observe/log.h"

namespace rdv {
namespace {

using Kind = HttpClientError::Kind;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const char* const kUnreachableMessage = "the server could not be reached";

struct Transfer {
  const HttpClientPolicy* policy;
  const CallTarget* target;
  const std::vector<IpAddress>* checked;  // the only addresses we may connect to
  std::string body, etag, last_modified;
  bool too_large = false;
  std::string refused;  // why a connection was refused
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
  if (line.rfind("HTTP/", 0) == 0) t->etag.clear(), t->last_modified.clear();  // 1xx first
  if (auto v = header_value(line, "etag"); !v.empty()) t->etag = v;
  if (auto v = header_value(line, "last-modified"); !v.empty()) t->last_modified = v;
  return size * n;
}

// The last line of defence, should libcurl ever use an address of its own
// (a resolution we did not pin): it asks for every socket before connecting
// it, and only an address we resolved and checked gets one. Refused here,
// not a single packet reaches the address.
curl_socket_t open_checked_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  auto ip = IpAddress::from_sockaddr(&address->addr, address->addrlen);
  if (purpose != CURLSOCKTYPE_IPCXN || !ip) {
    t->refused = "a socket that is not an IP connection";
    return CURL_SOCKET_BAD;
  }
  if (std::find(t->checked->begin(), t->checked->end(), *ip) == t->checked->end()) {
    t->refused = "a connection to " + ip->text() + ", which was not resolved and checked";
    return CURL_SOCKET_BAD;
  }
  if (is_special_purpose(*ip) && !allows_special(*t->policy, t->target->host, ip)) {
    t->refused = "a connection to " + ip->text();
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

template <class T, auto Free>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Easy = std::unique_ptr<CURL, Deleter<CURL, curl_easy_cleanup>>;
using List = std::unique_ptr<curl_slist, Deleter<curl_slist, curl_slist_free_all>>;

void append(List& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (!grown) throw std::bad_alloc();
  list.release();
  list.reset(grown);
}

// CURLOPT_RESOLVE entries: the host, as libcurl will look it up, is the
// checked addresses and nothing else.
List pinned_resolution(const CallTarget& target, const std::vector<IpAddress>& checked) {
  List list;
  if (target.host.find(':') != std::string::npos) return list;  // an IPv6 literal: no lookup
  std::string addresses;
  for (const IpAddress& a : checked)
    addresses += (addresses.empty() ? "" : ",") + (a.v6 ? "[" + a.text() + "]" : a.text());
  std::string host = target.host;
  append(list, host + ":" + std::to_string(target.port) + ":" + addresses);
  if (host.size() > 1 && host.back() == '.') {  // libcurl may look the name up without it
    host.pop_back();
    append(list, host + ":" + std::to_string(target.port) + ":" + addresses);
  }
  return list;
}

std::string size_text(size_t bytes) {
  return bytes >= (1 << 20) ? std::to_string(bytes >> 20) + " MiB"
                            : std::to_string(bytes) + " bytes";
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Headers that are ours to give to the host we were asked to call, and to no other.
void forget_credentials(std::vector<std::string>& headers) {
  std::erase_if(headers, [](const std::string& h) {
    std::string name = h.substr(0, h.find(':'));
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return name == "authorization" || name == "cookie";
  });
}

}  // namespace

bool is_private_address(const std::string& ip) {
  auto a = IpAddress::parse(ip);
  return !a || is_special_purpose(*a);
}

IncomingResponse call_checked(const HttpClientPolicy& policy, const OutgoingRequest& request,
                              const CallTarget& target, const std::vector<IpAddress>& checked,
                              milliseconds left, std::string* location) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised)
    throw HttpClientError(Kind::kUnreachable, kUnreachableMessage,
                          "libcurl could not be initialised");
  Easy curl(curl_easy_init());
  if (!curl)
    throw HttpClientError(Kind::kUnreachable, kUnreachableMessage, "cannot start a transfer");
  Transfer t{&policy, &target, &checked, {}, {}, {}, false, {}};
  List headers;
  for (const std::string& h : request.headers) append(headers, h);
  List resolve = pinned_resolution(target, checked);
  char error[CURL_ERROR_SIZE] = "";

  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, target.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // send_http checks every hop
  curl_easy_setopt(c, CURLOPT_PROXY, "");           // a proxy would resolve and connect unchecked
  curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
  if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<milliseconds::rep>(left.count(), 10000)));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(policy.max_bytes));
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // the size limit applies after decoding
  curl_easy_setopt(c, CURLOPT_USERAGENT, "rendezvous/1.0");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK && !t.refused.empty())
    throw HttpClientError(Kind::kNotAllowed, "the address is private or local and not allowed",
                          "refused " + t.refused);
  if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED)
    throw HttpClientError(Kind::kTooLarge, "answer larger than " + size_text(policy.max_bytes));
  if (rc != CURLE_OK)  // refused, reset, TLS, timeout...: one message for all
    throw HttpClientError(Kind::kUnreachable, kUnreachableMessage,
                          std::string(curl_easy_strerror(rc)) + (*error ? ": " : "") + error);
  IncomingResponse r;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  char* redirect = nullptr;
  if (location && curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect)
    *location = redirect;
  r.body = std::move(t.body);
  r.etag = std::move(t.etag);
  r.last_modified = std::move(t.last_modified);
  char* type = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) r.content_type = type;
  return r;
}

IncomingResponse send_http(const HttpClientPolicy& policy, const OutgoingRequest& request) {
  const auto deadline = Clock::now() + policy.timeout;
  OutgoingRequest hop = request;
  std::string origin = "a URL that does not parse";  // what the log may say of the target
  long redirects = 0;
  try {
    for (;; ++redirects) {
      // Every hop is parsed, resolved and checked as the first was.
      CallTarget target;
      try {
        target = parse_call_target(hop.url);
      } catch (const HttpClientError&) {
        if (redirects == 0) throw;
        throw HttpClientError(Kind::kRedirect, "redirected to a URL that is not http(s)");
      }
      if (redirects > 0 && loggable_origin(target) != origin) forget_credentials(hop.headers);
      origin = loggable_origin(target);
      check_host_spelling(target, policy);
      std::vector<IpAddress> checked = resolve_checked(target, policy);
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left <= milliseconds{0})
        throw HttpClientError(Kind::kUnreachable, kUnreachableMessage, "timed out");
      std::string location;
      IncomingResponse answer = call_checked(policy, hop, target, checked, left, &location);
      if (hop.method != "GET" || !is_redirect(answer.status) || location.empty()) return answer;
      if (redirects >= policy.max_redirects)
        throw HttpClientError(Kind::kRedirect, "too many redirects");
      hop.url = location;
    }
  } catch (const HttpClientError& e) {
    // The detail is the operator's; the URL's path, query and userinfo stay out.
    logging::warn("outgoing_request_failed", {{"method", request.method},
                                              {"origin", origin},
                                              {"redirects", redirects},
                                              {"error", e.what()},
                                              {"detail", e.detail()}});
    throw;
  }
}

}  // namespace rdv
