// A blocking HTTP/1.1 client for the end-to-end tests (one connection per call).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rdv::testing {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated: one per line
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string error_code() const;   // error.code of a JSON error body, or ""
  std::string error_field() const;  // error.field: the input it names, or ""
};

class HttpClient {
 public:
  explicit HttpClient(int port) : port_(port) {}
  Reply get(const std::string& target, const std::string& token = "") const;
  Reply post(const std::string& target, const nlohmann::json& body, const std::string& token = "",
             const std::map<std::string, std::string>& headers = {}) const;
  Reply request(const std::string& method, const std::string& target, const std::string& body,
                const std::map<std::string, std::string>& headers = {}) const;
  // Writes raw bytes and reads whatever comes back until the server closes.
  std::string raw(const std::string& bytes) const { return raw_parts({bytes}); }
  // The same, written in parts, one write each (the server may read them apart).
  std::string raw_parts(const std::vector<std::string>& parts) const;

 private:
  int port_;
};

}  // namespace rdv::testing
