// A raw TCP listener for the SSRF tests: it stands for a private service
// (a database, an admin port) and counts the connections it accepts, so that
// a test can assert that nothing reached it, not even a TCP handshake that a
// later check would have cut short. Optionally it answers every connection
// with fixed bytes (an HTTP redirect, an SSH banner) once the request is read;
// "{port}" in them stands for its own port.
// Header-only: the unit and end-to-end tests share it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace rdv::testing {

// A file descriptor that closes itself.
class OwnedFd {
 public:
  explicit OwnedFd(int fd = -1) : fd_(fd) {}
  OwnedFd(OwnedFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  OwnedFd& operator=(OwnedFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~OwnedFd() { reset(); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Binds a listening TCP socket on `address` ("127.0.0.1", "::1") and `port`
// (0: any free one); an invalid descriptor when it cannot.
inline OwnedFd listen_on(const std::string& address, int port) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = address.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET, address.c_str(), &in->sin_addr) != 1) return OwnedFd();
    length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET6, address.c_str(), &in6->sin6_addr) != 1) return OwnedFd();
    length = sizeof(sockaddr_in6);
  }
  OwnedFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return OwnedFd();
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
      ::listen(fd.get(), 16) != 0)
    return OwnedFd();
  return fd;
}

inline int port_of(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  return storage.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port)
                                      : ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

// A port on 127.0.0.1 that nothing listens on (it was free a moment ago).
inline int closed_port() {
  OwnedFd fd = listen_on("127.0.0.1", 0);
  if (fd.get() < 0) throw std::runtime_error("no free port");
  return port_of(fd.get());
}

class CountingListener {
 public:
  // Listens on every address it can of `addresses`, all on one port (`port`,
  // or a free one); throws when it cannot listen on the first.
  explicit CountingListener(const std::vector<std::string>& addresses, std::string answer = "",
                            int port = 0)
      : answer_(std::move(answer)) {
    for (int attempt = 0; attempt < 20 && bound_.empty(); ++attempt) {
      fds_.clear();
      OwnedFd first = listen_on(addresses.at(0), port);
      if (first.get() < 0) throw std::runtime_error("cannot listen on " + addresses[0]);
      port_ = port_of(first.get());
      fds_.push_back(std::move(first));
      std::vector<std::string> bound = {addresses[0]};
      bool all = true;
      for (size_t i = 1; i < addresses.size(); ++i) {
        OwnedFd more = listen_on(addresses[i], port_);
        if (more.get() >= 0) {
          fds_.push_back(std::move(more));
          bound.push_back(addresses[i]);
        } else if (errno == EADDRINUSE) {
          all = false;  // that port is taken there: try another one
        }
      }
      if (all) bound_ = bound;
    }
    if (bound_.empty()) throw std::runtime_error("no port free on every address");
    if (auto at = answer_.find("{port}"); at != std::string::npos)
      answer_.replace(at, 6, std::to_string(port_));
    thread_ = std::thread([this] { run(); });
  }
  ~CountingListener() {
    stop_ = true;
    thread_.join();
  }
  CountingListener(const CountingListener&) = delete;

  int port() const { return port_; }
  // The addresses it listens on (the first always; others when they exist here).
  const std::vector<std::string>& addresses() const { return bound_; }
  bool listens_on(const std::string& address) const {
    for (const auto& a : bound_)
      if (a == address) return true;
    return false;
  }
  // Connections accepted so far; waits a little for connections in flight.
  int accepted() const {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    return accepted_;
  }

 private:
  void run() {
    std::vector<pollfd> polled;
    for (const OwnedFd& fd : fds_) polled.push_back({fd.get(), POLLIN, 0});
    while (!stop_) {
      if (::poll(polled.data(), polled.size(), 20) <= 0) continue;
      for (pollfd& p : polled) {
        if (!(p.revents & POLLIN)) continue;
        OwnedFd client(::accept4(p.fd, nullptr, nullptr, SOCK_CLOEXEC));
        if (client.get() < 0) continue;
        ++accepted_;
        if (!answer_.empty()) answer(client.get());
      }
    }
  }
  // Reads the request head (for at most a second), then writes the answer.
  void answer(int fd) {
    std::string request;
    char buffer[4096];
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds{1};
    while (request.find("\r\n\r\n") == std::string::npos &&
           std::chrono::steady_clock::now() < until) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      request.append(buffer, static_cast<size_t>(n));
    }
    ::send(fd, answer_.data(), answer_.size(), MSG_NOSIGNAL);
  }

  std::string answer_;
  std::vector<OwnedFd> fds_;
  std::vector<std::string> bound_;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace rdv::testing
