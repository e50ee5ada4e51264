// A throwaway PostgreSQL cluster for tests: initdb in a fresh folder, a
// server on a free port of 127.0.0.1, everything gone with the object. Made
// for speed, not durability (fsync off). Needs Debian's postgresql-15; as
// root, PostgreSQL runs as the `postgres` system user (it refuses root).
// No test framework inside: unit and end-to-end tests both use it.
#pragma once

#include <string>
#include <vector>

namespace rdv::testing {

class PgCluster {
 public:
  enum class Shutdown {
    kFast,       // sessions are told and closed, a checkpoint is written
    kImmediate,  // processes killed, as in a crash: recovery at next start
  };

  // Creates the cluster, starts it, and creates `database` in it. A
  // durable cluster waits for the disk at each commit, as production does,
  // so that a crash (Shutdown::kImmediate) loses nothing acknowledged.
  explicit PgCluster(const std::string& database = "rendezvous", bool durable = false);
  // A streaming-replication standby of a running primary (pg_basebackup -R),
  // on a port of its own, read-only until promote().
  struct StandbyOf {
    const PgCluster& primary;
  };
  explicit PgCluster(StandbyOf standby);
  ~PgCluster();  // stops the server (immediate) and removes the folder
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // postgresql://postgres@127.0.0.1:PORT/NAME, the first database by default.
  std::string url() const { return url(database_); }
  std::string url(const std::string& database) const;
  // Creates another database, empty or a copy of `template_name` (fast: a
  // file copy, no migration to run again), and returns its URL.
  std::string create_database(const std::string& name, const std::string& template_name = "");

  // The same server on the same port and data, down then up again (tests
  // of outages). stop() waits until the server is gone, start() until it
  // accepts connections.
  void stop(Shutdown how = Shutdown::kFast);
  void start();
  void promote();  // pg_ctl promote: the standby becomes a primary
  bool running() const { return running_; }
  int port() const { return port_; }
  const std::string& folder() const { return folder_; }

 private:
  void make_folder();  // a fresh folder, given to `postgres` when we are root
  void start_on_free_port();
  // Runs a PostgreSQL program of the bin folder (as `postgres` when root),
  // its output appended to the folder's commands.log; throws, with the end
  // of the logs, when it fails.
  void run(const std::string& program, const std::vector<std::string>& args) const;

  std::string folder_;  // data/, the server's socket, server.log, commands.log
  std::string database_;
  int port_ = 0;
  bool durable_ = false;
  bool running_ = false;
};

}  // namespace rdv::testing
