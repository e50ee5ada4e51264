// Running a command of the test machine and reading what it prints: the
// independent readers of the tests (Python's icalendar, hmac, hashlib; khal).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <utility>

namespace rdv::testing {

// Exit status and standard output (standard error too when the command says 2>&1).
inline std::pair<int, std::string> run_command(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// What a Python program (Debian's python3, single-quote free) prints, without
// the final newline; its errors too, so that a failing check shows why.
inline std::string python(const std::string& program) {
  std::string out = run_command("/usr/bin/python3 -c '" + program + "' 2>&1").second;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace rdv::testing
