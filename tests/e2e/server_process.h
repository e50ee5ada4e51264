// Runs the built `rendezvous serve` in a child process on a free port, with a
// fresh database, and stops it with SIGTERM (or SIGKILL when asked). The
// store is SQLite, or PostgreSQL when RDV_TEST_STORE=postgres: then every
// server gets a fresh database of one throwaway cluster (tests/support).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace rdv::testing {

struct ServerOptions {
  std::string db;  // a --db value; empty: a fresh database of the store under test
  std::vector<std::string> extra_args;
  std::map<std::string, std::string> env;
  std::string log_file;  // where the server's stderr goes (default: a file checked at the end)
};

class ServerProcess {
 public:
  static constexpr const char* kAdminToken = "test-admin-token-0123456789abcdef";

  explicit ServerProcess(ServerOptions options = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;

  int port() const { return port_; }
  const std::string& db() const { return db_; }
  // Sends SIGTERM and returns the exit status (as from waitpid).
  int terminate();
  void kill_hard();  // SIGKILL, no chance to clean up

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
  std::string db_;
  std::string log_;  // the server's stderr, checked by log_problems() at the end
};

// Whether the end-to-end tests run on PostgreSQL (RDV_TEST_STORE=postgres).
bool testing_postgres();
// A fresh, migrated database of the store under test; `dir` holds SQLite files.
std::string fresh_test_db(const std::string& dir);

// `rendezvous worker` on a database: the background work alone.
class WorkerProcess {
 public:
  WorkerProcess(const std::string& db, std::map<std::string, std::string> env);
  ~WorkerProcess();  // SIGTERM, then its log checked as a server's is
  WorkerProcess(const WorkerProcess&) = delete;

 private:
  pid_t pid_ = -1;
  std::string log_;
};

// Runs the binary with these arguments; returns exit code and stderr.
std::pair<int, std::string> run_binary(const std::vector<std::string>& args);

}  // namespace rdv::testing
