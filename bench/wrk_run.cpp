#include "wrk_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace rdv::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct Spawned {
  pid_t pid = -1;
  int out = -1;  // the read end of its stdout and stderr
};

// fork + execvpe with stdout and stderr on one pipe. Everything the child
// needs is built before fork: between fork and exec only async-signal-safe
// calls are allowed (the parent has threads). An exec failure comes back on
// a close-on-exec pipe, so that a missing program is an exception here
// rather than an exit status to guess from.
Spawned spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  if (argv.empty()) throw std::runtime_error("nothing to run");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string_view kv = *e;
    if (!env.contains(std::string(kv.substr(0, kv.find('='))))) env_strings.emplace_back(kv);
  }
  for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& kv : env_strings) envp.push_back(kv.data());
  envp.push_back(nullptr);

  int out[2], exec_error[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (pipe2(exec_error, O_CLOEXEC) != 0) {
    close(out[0]), close(out[1]);
    throw std::runtime_error("pipe failed");
  }
  sigset_t no_signals;
  sigemptyset(&no_signals);
  pid_t pid = fork();
  if (pid == 0) {
    // A mask survives exec: a caller that blocks SIGTERM to sigwait for it
    // would leave the child deaf to stop_child.
    sigprocmask(SIG_SETMASK, &no_signals, nullptr);
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    execvpe(args[0], args.data(), envp.data());
    int error = errno;
    (void)!write(exec_error[1], &error, sizeof error);
    _exit(127);
  }
  close(out[1]), close(exec_error[1]);
  if (pid < 0) {
    close(out[0]), close(exec_error[0]);
    throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
  }
  int error = 0;
  ssize_t n;
  while ((n = read(exec_error[0], &error, sizeof error)) < 0 && errno == EINTR) {
  }
  close(exec_error[0]);
  if (n == sizeof error) {
    close(out[0]);
    waitpid(pid, nullptr, 0);
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(error));
  }
  return {pid, out[0]};
}

// A time as wrk prints it: "812.00us", "1.25ms", "2.00s", "1.00m".
double to_ms(const std::string& text) {
  size_t used = 0;
  double value = std::stod(text, &used);
  std::string unit = text.substr(used);
  if (unit == "us") return value / 1000;
  if (unit == "ms") return value;
  if (unit == "s") return value * 1000;
  if (unit == "m") return value * 60'000;
  if (unit == "h") return value * 3'600'000;
  throw std::runtime_error("unknown time unit in wrk output: " + text);
}

// The value of "Name: value" lines, or empty.
std::string after(const std::string& line, std::string_view label) {
  auto at = line.find(label);
  return at == std::string::npos ? "" : line.substr(at + label.size());
}

}  // namespace

WrkResult parse_wrk_output(const std::string& output) try {
  WrkResult r;
  bool has_rate = false, in_distribution = false;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (line.find("Latency Distribution") != std::string::npos) {
      in_distribution = true;
    } else if (in_distribution && (first == "50%" || first == "99%")) {
      std::string time;
      words >> time;
      (first == "50%" ? r.p50_ms : r.p99_ms) = to_ms(time);
    } else if (auto rate = after(line, "Requests/sec:"); !rate.empty()) {
      r.requests_per_second = std::stod(rate);
      has_rate = true;
    } else if (line.find(" requests in ") != std::string::npos) {
      r.requests = std::stol(first);
    } else if (auto non_2xx = after(line, "Non-2xx or 3xx responses:"); !non_2xx.empty()) {
      r.errors += std::stol(non_2xx);
    } else if (auto socket = after(line, "Socket errors:"); !socket.empty()) {
      // "connect 0, read 0, write 0, timeout 0"
      std::istringstream counts(socket);
      std::string kind;
      long count = 0;
      while (counts >> kind >> count) {
        r.errors += count;
        counts.ignore(1);  // the comma
      }
    }
  }
  if (!has_rate) throw std::runtime_error("wrk output without Requests/sec:\n" + output);
  return r;
} catch (const std::logic_error&) {  // std::stod and friends on a line not as expected
  throw std::runtime_error("cannot read wrk output:\n" + output);
}

WrkResult run_wrk(int port, const std::string& target, int threads, int connections, int seconds) {
  std::string url = "http://127.0.0.1:" + std::to_string(port) + target;
  Spawned wrk = spawn({"wrk", "-t", std::to_string(threads), "-c", std::to_string(connections),
                       "-d", std::to_string(seconds) + "s", "--latency", url},
                      {});
  std::string output;
  char buffer[4096];
  for (;;) {
    ssize_t n = read(wrk.out, buffer, sizeof buffer);
    if (n > 0) {
      output.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(wrk.out);
  int status = 0;
  while (waitpid(wrk.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("wrk failed on " + url + ":\n" + output);
  return parse_wrk_output(output);
}

Child start_child(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env) {
  Spawned child = spawn(argv, env);
  auto deadline = Clock::now() + std::chrono::seconds{20};
  std::string output;
  auto fail = [&](const std::string& why) -> Child {
    close(child.out);
    kill(child.pid, SIGKILL);
    waitpid(child.pid, nullptr, 0);
    throw std::runtime_error(argv[0] + " " + why + ":\n" + output);
  };
  size_t scanned = 0;  // output before this holds no complete line of interest
  for (;;) {
    for (size_t eol; (eol = output.find('\n', scanned)) != std::string::npos; scanned = eol + 1) {
      std::string_view line(output.data() + scanned, eol - scanned);
      if (!line.starts_with("listening on ")) continue;
      auto colon = line.rfind(':');
      int port = colon == std::string_view::npos ? 0 : std::atoi(line.data() + colon + 1);
      if (port <= 0 || port > 65535) return fail("printed no port in '" + std::string(line) + "'");
      // The rest is drained so that the child never blocks on a full pipe;
      // the thread ends with the child (end of file).
      std::thread([fd = child.out] {
        char sink[65536];
        ssize_t n;
        while ((n = read(fd, sink, sizeof sink)) > 0 || (n < 0 && errno == EINTR)) {
        }
        close(fd);
      }).detach();
      return {child.pid, port};
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return fail("did not print 'listening on' within 20 s");
    pollfd p{child.out, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return fail("poll failed");
    if (ready <= 0) continue;
    char buffer[4096];
    ssize_t n = read(child.out, buffer, sizeof buffer);
    if (n == 0) return fail("exited before listening");
    if (n > 0) output.append(buffer, static_cast<size_t>(n));
  }
}

void stop_child(Child& c) {
  if (c.pid <= 0) return;
  kill(c.pid, SIGTERM);
  // Our server lets in-flight requests finish for up to 20 s before it exits.
  auto deadline = Clock::now() + std::chrono::seconds{30};
  while (waitpid(c.pid, nullptr, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      kill(c.pid, SIGKILL);
      waitpid(c.pid, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  c = {};
}

}  // namespace rdv::bench
