// The whole of a file as text (a server's log, a fixture), empty when it
// cannot be read.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace rdv::testing {

inline std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace rdv::testing
