// A small HTTP/1.1 server on Boost.Beast: keep-alive, read timeouts, a body
// limit enforced before the body is read, handlers run on bounded pools (one
// for reads, one for what may wait) so slow storage never stalls the sockets,
// and a graceful stop that lets in-flight requests finish.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http_types.h"

namespace rdv {

using HttpHandler = std::function<HttpResponse(HttpRequest&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port
  size_t io_threads = 2;
  // Threads for the handlers that may wait: on a commit, on another server.
  size_t worker_threads = 8;
  // When set, the requests it says only read (searches, pages) run on threads
  // of their own, read_threads of them (0: one per usable core): reads never queue
  // behind writes, and work that only needs the CPU is not time-sliced across
  // more threads than cores, which is what made the tail of the slot search
  // under load (BENCHMARKS.md). Called on the io threads: it must be quick.
  std::function<bool(const HttpRequest&)> only_reads;
  size_t read_threads = 0;
  size_t body_limit = 1 << 20;
  // A larger limit for some requests (uploads), decided from the method and path.
  std::function<size_t(const std::string& method, const std::string& path)> body_limit_for;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds drain_timeout{20};
};

// The read threads a server runs when asked for `asked` (0: one per core the
// process may use, see usable_cores.h).
size_t read_threads_or_cores(size_t asked);

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();

  // Binds the port; throws std::runtime_error when it cannot.
  void bind();
  std::uint16_t port() const;  // known once bound
  // Starts serving (binding first if needed).
  void start();
  // Stops accepting, waits for in-flight requests (up to drain_timeout), stops.
  void stop();

  struct Impl;  // public so that connections (in the .cpp) can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rdv
