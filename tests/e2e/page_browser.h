// What the page tests share: a browser without JavaScript (cookies kept,
// forms posted), and reading values and links out of the HTML.
#pragma once

#include <cstdio>
#include <cstring>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "http_client.h"

namespace rdv::testing {

// The HTML attribute value as a browser reads it (&amp; and friends).
inline std::string unescape(std::string s) {
  for (auto [from, to] : {std::pair{"&amp;", "&"},
                          {"&quot;", "\""},
                          {"&apos;", "'"},
                          {"&#39;", "'"},
                          {"&lt;", "<"},
                          {"&gt;", ">"}}) {
    for (size_t at; (at = s.find(from)) != std::string::npos;) s.replace(at, strlen(from), to);
  }
  return s;
}

// The value of the input named `name`, or "".
inline std::string input_value(const std::string& html, const std::string& name) {
  std::smatch m;
  std::regex re("<input[^>]*name=\"" + name + "\"[^>]*value=\"([^\"]*)\"");
  return std::regex_search(html, m, re) ? unescape(m[1]) : "";
}

// Every href of the page that starts with `prefix`.
inline std::vector<std::string> links(const std::string& html, const std::string& prefix) {
  std::vector<std::string> out;
  std::regex re("href=\"(" + prefix + "[^\"]*)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), re), end; it != end; ++it)
    out.push_back(unescape((*it)[1]));
  return out;
}

inline std::string form_encode(const std::map<std::string, std::string>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += name + "=";
    for (unsigned char c : value) {
      if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        char buf[4];
        snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
  }
  return out;
}

// A browser: keeps the cookies the server sets.
class Browser {
 public:
  explicit Browser(int port) : http_(port) {}
  Reply get(const std::string& target) { return keep(http_.request("GET", target, "", headers())); }
  Reply post(const std::string& target, const std::map<std::string, std::string>& fields) {
    auto h = headers();
    h["Content-Type"] = "application/x-www-form-urlencoded";
    return keep(http_.request("POST", target, form_encode(fields), h));
  }
  // A form already encoded: fields sent several times (checkboxes).
  Reply post_encoded(const std::string& target, const std::string& body) {
    auto h = headers();
    h["Content-Type"] = "application/x-www-form-urlencoded";
    return keep(http_.request("POST", target, body, h));
  }
  // The path of a redirect's Location.
  static std::string location(const Reply& r) {
    auto it = r.headers.find("location");
    return it == r.headers.end() ? "" : it->second;
  }

 private:
  std::map<std::string, std::string> headers() const {
    std::string cookie;
    for (const auto& [name, value] : cookies_)
      cookie += (cookie.empty() ? "" : "; ") + name + "=" + value;
    if (cookie.empty()) return {};
    return {{"Cookie", cookie}};
  }
  Reply keep(Reply r) {
    auto it = r.headers.find("set-cookie");
    if (it != r.headers.end()) {
      std::string lines = it->second + "\n";
      for (size_t start = 0, end; (end = lines.find('\n', start)) != std::string::npos;
           start = end + 1) {
        std::string line = lines.substr(start, end - start);
        std::string pair = line.substr(0, line.find(';'));
        cookies_[pair.substr(0, pair.find('='))] = pair.substr(pair.find('=') + 1);
      }
    }
    return r;
  }
  HttpClient http_;
  std::map<std::string, std::string> cookies_;
};

// A booking form as sent: its hidden fields from the page, and a resident
// (Léa Dupont, by email).
inline std::map<std::string, std::string> booking_fields(const std::string& form_html) {
  std::map<std::string, std::string> f;
  for (const char* hidden : {"csrf", "start", "agent", "place", "mode", "key"})
    f[hidden] = input_value(form_html, hidden);
  f["first_name"] = "Léa";
  f["last_name"] = "Dupont";
  f["email"] = "lea.dupont@example.fr";
  f["phone"] = "";
  f["notes"] = "";
  return f;
}

// The same sent by a desk: the visitor by phone, with their oral agreement
// (the mandate), identity checked on a passport.
inline void as_desk_visitor(std::map<std::string, std::string>& f) {
  f["email"] = "";
  f["phone"] = "06 12 34 56 78";
  f["mandate_consent"] = "oui";
  f["mandate_kind"] = "oral";
  f["mandate_identity"] = "passport";
  f["mandate_procedures"] = "Carte grise";
}

}  // namespace rdv::testing
