#include "server_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "log_check.h"
#include "support/pg_databases.h"

namespace rdv::testing {
namespace {

std::string read_line(int fd, std::chrono::seconds timeout) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n <= 0) break;
    if (c == '\n') return line;
    line += c;
  }
  throw std::runtime_error("server did not print its listening line; got '" + line + "'");
}

// Starts the binary with `args` and the test environment; returns its pid and
// the first line it prints.
std::pair<pid_t, std::string> spawn(const std::vector<std::string>& args,
                                    const std::map<std::string, std::string>& env,
                                    const std::string& log_file = "") {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    setenv("RDV_BOOTSTRAP_ADMIN_TOKEN", ServerProcess::kAdminToken, 1);
    setenv("RDV_BOOKING_RATE_LIMIT", "0", 1);
    // Metrics stay the administrator's, as from any address but the monitoring one.
    setenv("RDV_METRICS_ALLOW", "192.0.2.1", 1);
    for (auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    if (!log_file.empty()) {
      int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(log, STDERR_FILENO);
    } else if (!getenv("RDV_TEST_SERVER_LOG")) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, STDERR_FILENO);
    }
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string line = read_line(out[0], std::chrono::seconds{20});
  close(out[0]);
  return {pid, line};
}

void stop(pid_t pid, int sig) {
  kill(pid, sig);
  waitpid(pid, nullptr, 0);
}

}  // namespace

bool testing_postgres() {
  const char* store = std::getenv("RDV_TEST_STORE");
  return store && std::string(store) == "postgres";
}

std::string fresh_test_db(const std::string& dir) {
  return testing_postgres() ? fresh_migrated_database() : "sqlite:" + dir + "/rendezvous.db";
}

WorkerProcess::WorkerProcess(const std::string& db, std::map<std::string, std::string> env) {
  std::random_device rd;
  log_ = (std::filesystem::temp_directory_path() / ("rdv-worker-" + std::to_string(rd()) + ".log"))
             .string();
  auto [pid, line] = spawn({RDV_BINARY, "worker", "--db", db}, env, log_);
  pid_ = pid;
  if (line != "worker running") throw std::runtime_error("unexpected first line: " + line);
}

WorkerProcess::~WorkerProcess() {
  stop(pid_, SIGTERM);
  for (const auto& problem : log_problems(log_)) ADD_FAILURE() << problem;
  std::error_code ec;
  std::filesystem::remove(log_, ec);
}

ServerProcess::ServerProcess(ServerOptions options) {
  std::random_device rd;
  dir_ = (std::filesystem::temp_directory_path() / ("rdv-e2e-" + std::to_string(rd()))).string();
  std::filesystem::create_directories(dir_);
  db_ = options.db.empty() ? fresh_test_db(dir_) : options.db;
  // The log is kept and checked when the server goes, unless the test reads
  // its own or asked to see it (RDV_TEST_SERVER_LOG).
  log_ = options.log_file.empty() && !std::getenv("RDV_TEST_SERVER_LOG") ? dir_ + "/server.log"
                                                                         : options.log_file;

  std::vector<std::string> args = {RDV_BINARY, "serve", "--listen", "127.0.0.1:0", "--db", db_};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  auto [pid, line] = spawn(args, options.env, log_);
  pid_ = pid;
  const std::string prefix = "listening on http://127.0.0.1:";
  if (line.rfind(prefix, 0) != 0) throw std::runtime_error("unexpected first line: " + line);
  port_ = std::stoi(line.substr(prefix.size()));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill_hard();
  if (!log_.empty())
    for (const auto& problem : log_problems(log_, {kAdminToken})) ADD_FAILURE() << problem;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

int ServerProcess::terminate() {
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void ServerProcess::kill_hard() {
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::pair<int, std::string> run_binary(const std::vector<std::string>& args) {
  int err[2];
  if (pipe(err) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(err[1], STDERR_FILENO);
    close(err[0]);
    close(err[1]);
    std::vector<std::string> all = {RDV_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(err[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(err[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

}  // namespace rdv::testing
