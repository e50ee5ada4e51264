// A small HTTP/1.1 server on Boost.Beast: keep-alive, read timeouts, a body
// limit enforced before the body is read, handlers run on a bounded pool so
// slow storage never stalls the sockets, and a graceful stop that lets
// in-flight requests finish.
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
  size_t worker_threads = 8;
  size_t body_limit = 1 << 20;
  // A larger limit for some requests (uploads), decided from the method and path.
  std::function<size_t(const std::string& method, const std::string& path)> body_limit_for;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds drain_timeout{20};
};

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
