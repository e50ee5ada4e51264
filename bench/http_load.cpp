#include "bench/http_load.h"

#include <algorithm>
#include <barrier>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace rdv::bench {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

class Connection {
 public:
  explicit Connection(int port) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    socket_.set_option(tcp::no_delay(true));
  }
  http::response<http::string_body> send(const HttpRequestSpec& spec) {
    http::request<http::string_body> req{http::string_to_verb(spec.method), spec.target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : spec.headers) req.set(name, value);
    if (!spec.body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = spec.body;
    }
    req.prepare_payload();
    http::write(socket_, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(socket_, buffer_, parser);
    return parser.release();
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

double LoadResult::p(double q) const { return quantile(latencies_ms, q); }

LoadResult run_load(int port, int clients, int requests,
                    const std::function<HttpRequestSpec(int, int)>& next) {
  LoadResult out;
  std::mutex mutex;
  std::barrier start(clients + 1);
  std::vector<std::thread> threads;
  std::string failure;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      std::vector<double> mine;
      std::map<int, int> statuses;
      size_t bytes = 0;
      std::optional<Connection> conn;
      try {
        conn.emplace(port);
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        failure = e.what();
      }
      start.arrive_and_wait();  // every client, connected or not, or the others wait forever
      if (!conn) return;
      try {
        for (int i = 0; i < requests; ++i) {
          HttpRequestSpec spec = next(c, i);
          auto t0 = Clock::now();
          auto res = conn->send(spec);
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          ++statuses[res.result_int()];
          bytes += res.body().size();
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        failure = e.what();
      }
      std::lock_guard lock(mutex);
      out.latencies_ms.insert(out.latencies_ms.end(), mine.begin(), mine.end());
      for (auto [s, n] : statuses) out.statuses[s] += n;
      out.bytes += bytes;
    });
  start.arrive_and_wait();
  auto t0 = Clock::now();
  for (auto& t : threads) t.join();
  out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!failure.empty()) throw std::runtime_error("load client failed: " + failure);
  return out;
}

std::pair<int, std::string> http_call(int port, const HttpRequestSpec& request) {
  Connection conn(port);
  auto res = conn.send(request);
  return {res.result_int(), res.body()};
}

}  // namespace rdv::bench
