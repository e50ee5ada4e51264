// What a server's log may hold: every line one JSON object with a time, a
// level and an event; nothing that looks like a mailbox, a phone number, a
// token (a manage link, a feed secret, a session) or a raw path with ids.
// ServerProcess checks the log of every server of the end-to-end suite.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

namespace rdv::testing {

// The problems of one log file, each naming its line; empty when clean.
inline std::vector<std::string> log_problems(const std::string& path,
                                             const std::vector<std::string>& secrets = {}) {
  static const std::regex kMailbox(R"([A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,})");
  static const std::regex kPhone(R"(\+[0-9]{8,}|(^|[^0-9])0[1-9]([ .-]?[0-9]{2}){4}([^0-9]|$))");
  static const std::regex kToken(R"([A-Za-z0-9_+/=-]{32,})");
  static const std::regex kRawPath(R"(/[0-9]+(/|$)|[?&](token|t|secret)=)");
  std::vector<std::string> problems;
  std::ifstream in(path);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    auto where = path + ":" + std::to_string(number) + ": ";
    auto object = nlohmann::json::parse(line, nullptr, false);
    if (object.is_discarded() || !object.is_object()) {
      problems.push_back(where + "not a JSON object: " + line);
      continue;
    }
    for (const char* key : {"time", "level", "event"})
      if (!object.contains(key) || !object[key].is_string())
        problems.push_back(where + "no \"" + key + "\": " + line);
    for (const auto& [key, value] : object.items()) {
      std::string text = value.is_string() ? value.get<std::string>() : value.dump();
      if (key == "time") continue;
      if (std::regex_search(text, kMailbox)) problems.push_back(where + "a mailbox: " + line);
      if (std::regex_search(text, kPhone)) problems.push_back(where + "a phone number: " + line);
      // A route is a template of the router, checked as a path below.
      if (key != "route" && std::regex_search(text, kToken))
        problems.push_back(where + "a token: " + line);
      if (std::regex_search(text, kRawPath)) problems.push_back(where + "a raw path: " + line);
      for (const auto& secret : secrets)
        if (!secret.empty() && text.find(secret) != std::string::npos)
          problems.push_back(where + "a secret: " + line);
    }
  }
  return problems;
}

}  // namespace rdv::testing
