// A real SMTP server for the tests (python3-aiosmtpd in a child process) and
// an independent reader of what it received (Python's email package).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "server_process.h"
#include "support/run.h"
#include "support/wait.h"

namespace rdv::testing {

class SmtpSink {
 public:
  // port 0: any free port; `credentials` "user:password" makes AUTH required;
  // `delay_ms` answers each message's end that much later (a send that a
  // killed client leaves unfinished is not taken).
  explicit SmtpSink(int port = 0, const std::string& credentials = "", int delay_ms = 0) {
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() / ("rdv-smtp-" + std::to_string(rd()))).string();
    std::filesystem::create_directories(dir_);
    std::string cmd = "SMTP_SINK_DELAY_MS=" + std::to_string(delay_ms) +
                      " exec /usr/bin/python3 " RDV_SOURCE_DIR "/tests/support/smtp_sink.py " +
                      dir_ + " " + std::to_string(port) +
                      (credentials.empty() ? "" : " " + credentials);
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    if (line.rfind("ready ", 0) != 0) throw std::runtime_error("SMTP sink did not start: " + line);
    port_ = std::stoi(line.substr(6));
  }
  ~SmtpSink() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  size_t count() const {
    size_t n = 0;
    for (auto& e : std::filesystem::directory_iterator(dir_)) n += e.path().extension() == ".eml";
    return n;
  }
  // Waits (for I/O, not for time to pass in the program) until `n` messages arrived.
  bool wait_for(size_t n, std::chrono::seconds limit = std::chrono::seconds{20}) const {
    return wait_until([&] { return count() >= n; }, limit);
  }
  // Every message received, read by tests/support/mail_summary.py.
  nlohmann::json messages() const {
    std::string out =
        run_command("/usr/bin/python3 " RDV_SOURCE_DIR "/tests/support/mail_summary.py " + dir_)
            .second;
    return nlohmann::json::parse(out);
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

// A port nobody listens on (for an SMTP server that is down).
inline int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A server that sends its messages to `smtp` at once (the scheduler looks
// for due messages every 100 ms).
inline ServerOptions mailing_to(const SmtpSink& smtp) {
  ServerOptions o;
  o.env["RDV_SMTP_URL"] = smtp.url();
  o.env["RDV_SMTP_FROM"] = "Rendez-vous <no-reply@rdv.example.fr>";
  o.env["RDV_SCHEDULER_TICK_MS"] = "100";
  return o;
}

}  // namespace rdv::testing
