// HTTP throughput for the benchmark: wrk run as a child process and its
// report read back, and the servers it measures started as children whose
// port is read from their "listening on HOST:PORT" line.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace rdv::bench {

struct WrkResult {
  double requests_per_second = 0;
  double p50_ms = 0, p99_ms = 0;
  long requests = 0;
  long errors = 0;  // non-2xx/3xx answers + socket errors (connect, read, write, timeout)
};

// Runs `wrk -t threads -c connections -d seconds --latency
// http://127.0.0.1:port target`; throws std::runtime_error when wrk is
// missing, fails, or its output cannot be read.
WrkResult run_wrk(int port, const std::string& target, int threads, int connections, int seconds);

// wrk's report (its stdout) read into a WrkResult; throws std::runtime_error
// without a "Requests/sec:" line.
WrkResult parse_wrk_output(const std::string& output);

struct Child {
  pid_t pid = -1;
  int port = 0;
};

// Starts argv (argv[0] searched in PATH) as a child process, with `env`
// added to this environment, and waits up to 20 s for a line "listening on
// HOST:PORT" (or "listening on http://HOST:PORT") on its stdout. Its stderr
// goes to the same pipe, so its log lines neither flood the terminal nor
// block it; they are in the error when it fails to start. Throws
// std::runtime_error (after killing it) when no such line comes.
Child start_child(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env = {});

// SIGTERM, then waits for it to exit (SIGKILL after 20 s). Idempotent.
void stop_child(Child& c);

}  // namespace rdv::bench
