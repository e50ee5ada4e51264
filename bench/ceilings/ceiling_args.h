// The command line both ceiling servers take:
//   NAME --port P --threads N [--body FILE]
// Port 0 asks for any free port.
#pragma once

#include <algorithm>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

struct CeilingArgs {
  int port = 0, threads = 2;
  std::optional<std::string> body;  // FILE's bytes, answered to any GET but /healthz
};

// nullopt after printing the usage (or what was wrong) on stderr.
inline std::optional<CeilingArgs> parse_ceiling_args(const char* name, int argc, char** argv) {
  CeilingArgs a;
  try {
    bool ok = argc % 2 == 1;
    for (int i = 1; ok && i + 1 < argc; i += 2) {
      std::string flag = argv[i], value = argv[i + 1];
      if (flag == "--port") {
        a.port = std::stoi(value);
      } else if (flag == "--threads") {
        a.threads = std::max(1, std::stoi(value));
      } else if (flag == "--body") {
        std::ifstream in(value, std::ios::binary);
        if (!in) throw std::runtime_error("cannot read " + value);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        a.body = bytes.str();
      } else {
        ok = false;
      }
    }
    if (ok && a.port >= 0 && a.port <= 65535) return a;
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << "\n";
  }
  std::cerr << "usage: " << name << " --port P --threads N [--body FILE]\n";
  return std::nullopt;
}
