// The ceiling of the HTTP layer we use: the smallest Boost.Beast server a
// competent engineer would write for throughput. Async accept, one strand per
// connection, keep-alive, N threads on one io_context and no worker pool, so
// whatever our server does beyond this (worker pool, routing, logging) shows
// up as the distance to this one.
//
//   minimal_beast_server --port P --threads N [--body FILE]
//
// GET /healthz answers {"status":"ok"}; any other GET answers the bytes of
// FILE (a slot search answer computed beforehand), or 404 without --body.
// Boost 1.74's coroutine support uses std::exchange without including
// <utility> (an error in C++20 with g++ 12); this server has no coroutines.
#define BOOST_ASIO_DISABLE_CO_AWAIT

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ceiling_args.h"

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kHealthz = R"({"status":"ok"})";
constexpr std::string_view kNotFound = R"({"error":{"code":"not_found","message":"not found"}})";
constexpr std::string_view kNotAllowed =
    R"({"error":{"code":"method_not_allowed","message":"method not allowed"}})";

struct Content {
  std::string body;  // FILE's bytes
  bool has_body = false;
};

// Zero-copy: every answer points into a body that lives as long as the server.
using Response = http::response<http::span_body<const char>>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Content& content)
      : stream_(std::move(socket)), content_(content) {}

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    request_ = {};
    stream_.expires_after(std::chrono::seconds{30});  // as ours: idle clients do not stay forever
    http::async_read(stream_, buffer_, request_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec) return close();
    std::string_view body = kNotFound;
    auto status = http::status::not_found;
    if (request_.method() != http::verb::get) {
      body = kNotAllowed, status = http::status::method_not_allowed;
    } else if (request_.target() == "/healthz") {
      body = kHealthz, status = http::status::ok;
    } else if (content_.has_body) {
      body = content_.body, status = http::status::ok;
    }
    response_ = Response(status, request_.version());
    // The headers our server sends on every answer (api/http_server.cpp),
    // so that both put the same bytes on the wire.
    response_.set(http::field::server, "rendezvous");
    response_.set(http::field::content_type, "application/json");
    response_.set(http::field::cache_control, "no-store");
    response_.set("X-Content-Type-Options", "nosniff");
    response_.set("Referrer-Policy", "same-origin");
    response_.set("Content-Security-Policy",
                  "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
                  "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri "
                  "'none'");
    response_.body() = {body.data(), body.size()};
    response_.keep_alive(request_.keep_alive());
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec || !self->response_.keep_alive()) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  const Content& content_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  Response response_;
};

void accept(net::io_context& ioc, tcp::acceptor& acceptor, const Content& content) {
  acceptor.async_accept(net::make_strand(ioc), [&](beast::error_code ec, tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (!ec) std::make_shared<Session>(std::move(socket), content)->start();
    accept(ioc, acceptor, content);
  });
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_ceiling_args("minimal_beast_server", argc, argv);
  if (!args) return 2;
  const int port = args->port, threads = args->threads;
  const Content content{args->body.value_or(""), args->body.has_value()};

  net::io_context ioc(threads);
  tcp::acceptor acceptor(ioc);
  try {
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
  } catch (const std::exception& e) {
    std::cerr << "minimal_beast_server: cannot listen on port " << port << ": " << e.what() << "\n";
    return 1;
  }
  std::cout << "listening on 127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) {
    beast::error_code ignored;
    acceptor.close(ignored);
    ioc.stop();  // open connections are dropped: nothing here is worth draining
  });
  accept(ioc, acceptor, content);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}
