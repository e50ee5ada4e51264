// The ceiling of the HTTP layer first considered: the smallest cpprestsdk
// (Casablanca) http_listener server, with the same CLI and answers as
// minimal_beast.cpp, so that both are measured the same way.
//
//   minimal_cpprest_server --port P --threads N [--body FILE]
//
// GET /healthz answers {"status":"ok"}; any other GET answers the bytes of
// FILE, or 404 without --body. cpprest answers other methods 405 itself.
#include <arpa/inet.h>
#include <cpprest/http_listener.h>
#include <cpprest/rawptrstream.h>
#include <netinet/in.h>
#include <pplx/threadpool.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "ceiling_args.h"

using namespace web;
using namespace web::http;
using web::http::experimental::listener::http_listener;

namespace {

const std::string kHealthz = R"({"status":"ok"})";
const std::string kNotFound = R"({"error":{"code":"not_found","message":"not found"}})";

// cpprest cannot listen on port 0 and tell which port it got: ask the kernel
// for a free one, release it and listen there (another process may take it
// in between; unlikely on a bench machine).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) throw std::runtime_error("cannot find a free port");
  return ntohs(addr.sin_port);
}

// The headers our server sends on every answer (api/http_server.cpp), so
// that both put the same bytes on the wire.
http_response answer(status_code status, const std::string& body) {
  http_response res(status);
  auto& h = res.headers();
  h.add("Server", "rendezvous");
  h.add("Cache-Control", "no-store");
  h.add("X-Content-Type-Options", "nosniff");
  h.add("Referrer-Policy", "same-origin");
  h.add("Content-Security-Policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  // A stream over the bytes in place: no copy of the body per answer. The
  // strings outlive the listener.
  res.set_body(concurrency::streams::rawptr_stream<uint8_t>::open_istream(
                   reinterpret_cast<const uint8_t*>(body.data()), body.size()),
               body.size(), "application/json");
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_ceiling_args("minimal_cpprest_server", argc, argv);
  if (!args) return 2;
  const int threads = args->threads;
  const bool has_body = args->body.has_value();
  const std::string body = args->body.value_or("");
  int port = args->port;
  try {
    if (port == 0) port = free_port();
  } catch (const std::exception& e) {
    std::cerr << "minimal_cpprest_server: " << e.what() << "\n";
    return 1;
  }

  // Blocked before any thread starts, so that every thread inherits the mask
  // and only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Its default is 40 threads, whatever the machine; the listener runs on them.
  crossplat::threadpool::initialize_with_threads(static_cast<size_t>(threads));

  http_listener listener("http://127.0.0.1:" + std::to_string(port));
  listener.support(methods::GET, [&](const http_request& request) {
    // A copy: path() refers into the temporary uri.
    std::string path = request.relative_uri().path();
    auto reply = path == "/healthz" ? answer(status_codes::OK, kHealthz)
                 : has_body         ? answer(status_codes::OK, body)
                                    : answer(status_codes::NotFound, kNotFound);
    // A failed reply (client gone) left unobserved would terminate the
    // process when its task is destroyed.
    request.reply(reply).then([](pplx::task<void> done) {
      try {
        done.get();
      } catch (const std::exception&) {
      }
    });
  });
  try {
    listener.open().wait();
  } catch (const std::exception& e) {
    std::cerr << "minimal_cpprest_server: cannot listen on port " << port << ": " << e.what()
              << "\n";
    return 1;
  }
  std::cout << "listening on 127.0.0.1:" << port << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  listener.close().wait();
  return 0;
}
