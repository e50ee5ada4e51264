// The HTTP request and response as the rest of the service sees them, free of
// the server library.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rdv {

class Staff;

struct HttpRequest {
  std::string method;
  std::string path;                            // decoded path, no query
  std::map<std::string, std::string> query;    // decoded; the first of repeated names
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string client_ip;
  // The staff member whose credentials came with the request (set by
  // App::handle before routing), or null for anonymous requests.
  std::shared_ptr<const Staff> staff;
  std::optional<long long> session_id;  // when the credentials were a session cookie

  const std::string* header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
  const std::string* param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? nullptr : &it->second;
  }
  // The value of a cookie of the Cookie header, or nullopt.
  std::optional<std::string> cookie(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Parses "a=1&b=x%20y" into decoded pairs; malformed escapes are kept as typed.
std::map<std::string, std::string> parse_query(std::string_view query);
// Every value of a field that may come several times (checkboxes), at most 100.
std::vector<std::string> form_values(std::string_view query, const std::string& name);
std::string percent_decode(std::string_view s, bool plus_is_space);

}  // namespace rdv
