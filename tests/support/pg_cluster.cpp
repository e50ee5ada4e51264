#include "support/pg_cluster.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace rdv::testing {

namespace {

namespace fs = std::filesystem;

const char* const kBinDir = "/usr/lib/postgresql/15/bin";

// A port nobody listens on now: the kernel's pick for port 0. Another
// process may take it before the server does; the constructor then tries
// another.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("PgCluster: no free TCP port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string tail(const fs::path& file, size_t bytes = 3000) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

}  // namespace

PgCluster::PgCluster(const std::string& database, bool durable)
    : database_(database), durable_(durable) {
  if (!fs::exists(fs::path(kBinDir) / "initdb") || !fs::exists(fs::path(kBinDir) / "pg_ctl"))
    throw std::runtime_error(std::string("PgCluster: no PostgreSQL server programs in ") + kBinDir +
                             ": install the Debian package postgresql-15 " +
                             "(apt-get install postgresql)");
  make_folder();
  try {
    run("initdb", {"-D", folder_ + "/data", "-A", "trust", "-U", "postgres", "--no-sync", "-E",
                   "UTF8", "--locale=C"});
    start_on_free_port();
    create_database(database_);
  } catch (...) {
    if (running_) stop(Shutdown::kImmediate);
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
    throw;
  }
}

PgCluster::PgCluster(StandbyOf standby)
    : database_(standby.primary.database_), durable_(standby.primary.durable_) {
  make_folder();
  try {
    // -R writes primary_conninfo and standby.signal; -X stream copies the WAL
    // written meanwhile; a fast checkpoint starts the copy at once (the
    // default spreads it over minutes).
    run("pg_basebackup",
        {"-D", folder_ + "/data", "-h", "127.0.0.1", "-p", std::to_string(standby.primary.port_),
         "-U", "postgres", "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"});
    start_on_free_port();
  } catch (...) {
    if (running_) stop(Shutdown::kImmediate);
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
    throw;
  }
}

void PgCluster::make_folder() {
  std::string pattern = (fs::temp_directory_path() / "rdv-pg-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("PgCluster: mkdtemp failed");
  folder_ = pattern;
  if (::geteuid() == 0) {
    // PostgreSQL will not run as root: the folder goes to its own user.
    const passwd* pg = ::getpwnam("postgres");
    if (!pg || ::chown(folder_.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
      std::error_code ignored;
      fs::remove_all(folder_, ignored);
      throw std::runtime_error(
          "PgCluster: running as root but cannot give the folder to a `postgres` user to run "
          "PostgreSQL as: install the Debian package postgresql-15");
    }
  }
}

void PgCluster::start_on_free_port() {
  // The port may be taken between free_port() and the server's bind.
  for (int attempt = 1;; ++attempt) {
    port_ = free_port();
    try {
      start();
      return;
    } catch (const std::exception&) {
      if (attempt == 3) throw;
    }
  }
}

void PgCluster::promote() { run("pg_ctl", {"promote", "-w", "-t", "30", "-D", folder_ + "/data"}); }

PgCluster::~PgCluster() {
  try {
    if (running_) stop(Shutdown::kImmediate);
  } catch (...) {
    // The folder goes anyway; a stray server dies when its data is gone.
  }
  std::error_code ignored;
  fs::remove_all(folder_, ignored);
}

std::string PgCluster::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PgCluster::create_database(const std::string& name, const std::string& template_name) {
  std::vector<std::string> args = {"-h", "127.0.0.1", "-p", std::to_string(port_),
                                   "-U", "postgres"};
  if (!template_name.empty()) args.insert(args.end(), {"-T", template_name});
  args.push_back(name);
  run("createdb", args);
  return url(name);
}

void PgCluster::start() {
  // Durability is not the point of a test cluster: no fsync, no waiting
  // for the WAL at commit. The socket lives in our folder, not in
  // /var/run/postgresql, so that several clusters and a system one coexist.
  std::string options =
      "-p " + std::to_string(port_) + " -k " + folder_ + " -c listen_addresses=127.0.0.1";
  if (!durable_) options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  run("pg_ctl", {"start", "-w", "-t", "30", "-D", folder_ + "/data", "-l", folder_ + "/server.log",
                 "-o", options});
  running_ = true;
}

void PgCluster::stop(Shutdown how) {
  run("pg_ctl", {"stop", "-w", "-t", "30", "-D", folder_ + "/data", "-m",
                 how == Shutdown::kFast ? "fast" : "immediate"});
  running_ = false;
}

void PgCluster::run(const std::string& program, const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  if (::geteuid() == 0) argv = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  argv.push_back(std::string(kBinDir) + "/" + program);
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  // posix_spawn rather than fork: safe in a program that runs threads.
  const std::string log = folder_ + "/commands.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // Our working directory may be closed to `postgres`; the folder is its own.
  posix_spawn_file_actions_addchdir_np(&actions, folder_.c_str());
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (rc == 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return;
  std::string command;
  for (auto& a : argv) command += a + " ";
  throw std::runtime_error("PgCluster: " + command + "failed\n" + tail(log) + "\nserver.log:\n" +
                           tail(folder_ + "/server.log"));
}

}  // namespace rdv::testing
