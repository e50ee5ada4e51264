#include "http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "observe/log.h"
#include "usable_cores.h"

namespace rdv {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

const char* kErrorTooLarge =
    R"({"error":{"code":"payload_too_large","message":"request body larger than the limit"}})";
const char* kErrorBadRequest =
    R"({"error":{"code":"bad_request","message":"malformed HTTP request"}})";
const char* kErrorBadFraming =
    R"({"error":{"code":"bad_request","message":)"
    R"("Transfer-Encoding must be chunked alone, without Content-Length"}})";
const char* kErrorUnknownCoding =
    R"({"error":{"code":"not_implemented","message":"unsupported Transfer-Encoding"}})";

// RFC 9112 §6.1/6.3: the only transfer coding we read is "chunked", alone and
// without Content-Length. Anything else is refused rather than guessed: a
// proxy in front might frame the same bytes otherwise (request smuggling).
// Returns 0 when the framing is acceptable, else the status to answer.
int framing_problem(const http::request_parser<http::string_body>& parser) {
  const auto& h = parser.get();
  auto te = h.find(http::field::transfer_encoding);
  if (te == h.end()) return 0;
  if (h.count(http::field::transfer_encoding) > 1 || h.count(http::field::content_length) > 0)
    return 400;
  std::string value(te->value());
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto first = value.find_first_not_of(" \t"), last = value.find_last_not_of(" \t");
  if (first != std::string::npos) value = value.substr(first, last - first + 1);
  if (value == "chunked") return 0;
  return value.find("chunked") != std::string::npos ? 400 : 501;
}

// Pages load nothing from elsewhere, run no inline script, post only to us.
const char* kContentSecurityPolicy =
    "default-src 'none'; style-src 'self'; img-src 'self'; "
    "script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri "
    "'none'";

bool is_header_safe(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7F;
  });
}

}  // namespace

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    std::string name = percent_decode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
    if (!name.empty()) out.emplace(std::move(name), std::move(value));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::vector<std::string> form_values(std::string_view query, const std::string& name) {
  std::vector<std::string> out;
  while (!query.empty() && out.size() < 100) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && percent_decode(pair.substr(0, eq), true) == name)
      out.push_back(percent_decode(pair.substr(eq + 1), true));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::optional<std::string> HttpRequest::cookie(std::string_view name) const {
  const std::string* header = this->header("cookie");
  if (!header) return std::nullopt;
  std::string_view rest(*header);
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name)
      return std::string(pair.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

namespace {

// The threads that run the handlers. A job wakes one sleeping thread, and
// only when no thread already woken will take it; the thread woken is the
// last one to have gone to sleep, so that a loaded server keeps a few warm
// threads busy. (Asio's thread_pool also wakes one more thread for every
// job taken while others wait, and wakes the longest asleep: on a loaded
// server most of those wake-ups find nothing and cost two context switches.)
class HandlerPool {
 public:
  explicit HandlerPool(size_t threads) : workers_(std::max<size_t>(1, threads)) {
    for (Worker& w : workers_) w.thread = std::thread([this, &w] { run(w); });
  }
  ~HandlerPool() { join(); }

  void post(std::function<void()> job) {
    std::unique_lock lock(mutex_);
    jobs_.push_back(std::move(job));
    if (idle_.empty()) return;  // every thread is busy or already woken: the first free takes it
    Worker* w = idle_.back();
    idle_.pop_back();
    w->woken = true;
    lock.unlock();
    w->wake.notify_one();
  }

  // Runs the jobs already posted, then ends the threads.
  void join() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    for (Worker& w : workers_) w.wake.notify_one();
    for (Worker& w : workers_)
      if (w.thread.joinable()) w.thread.join();
  }

 private:
  struct Worker {
    std::thread thread;
    std::condition_variable wake;
    bool woken = false;  // taken off idle_ by post()
  };

  void run(Worker& w) {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (jobs_.empty() && !stopping_) {
        w.woken = false;
        idle_.push_back(&w);
        w.wake.wait(lock, [&] { return w.woken || stopping_; });
        if (!w.woken) std::erase(idle_, &w);  // stopping
      }
      if (jobs_.empty()) {
        if (stopping_) return;
        continue;
      }
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      job = nullptr;  // what it holds goes before the lock is taken again
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::deque<std::function<void()>> jobs_;
  std::vector<Worker*> idle_;  // sleeping threads, the last to sleep at the back
  bool stopping_ = false;
  std::deque<Worker> workers_;  // not moved once made: threads refer to theirs
};

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  HandlerPool workers;
  std::unique_ptr<HandlerPool> reads;  // when options.only_reads is set
  std::vector<std::thread> io_threads;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  std::uint16_t bound_port = 0;

  Impl(HttpServerOptions o, HttpHandler h)
      : options(std::move(o)), handler(std::move(h)), workers(options.worker_threads) {
    if (options.only_reads)
      reads = std::make_unique<HandlerPool>(read_threads_or_cores(options.read_threads));
  }

  HandlerPool& pool_for(const HttpRequest& request) {
    return reads && options.only_reads(request) ? *reads : workers;
  }

  void accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server), client_ip_(peer_address(stream_.socket())) {}

  void start() {
    beast::error_code ignored;
    stream_.socket().non_blocking(true, ignored);  // see send()
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    if (server_.stopping) return close();
    parser_.emplace();
    // The route's limit is checked against Content-Length once the header is
    // read; until then a ceiling above every route's. (Not boost::none: Beast
    // 1.74 compares the length with the optional, and none is below everything.)
    parser_->body_limit(std::uint64_t{64} << 20);
    parser_->header_limit(32 * 1024);
    stream_.expires_after(server_.options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, size_t) {
    if (ec) return on_read(ec, 0);
    if (int status = framing_problem(*parser_))
      return reply_and_close(status, status == 501 ? kErrorUnknownCoding : kErrorBadFraming);
    size_t limit = server_.options.body_limit;
    // A larger limit only matters to a body beyond the default one.
    auto length = parser_->content_length();
    bool beyond_default = parser_->chunked() || (length && *length > limit);
    if (beyond_default && server_.options.body_limit_for) {
      std::string_view target(parser_->get().target().data(), parser_->get().target().size());
      std::string path = percent_decode(target.substr(0, target.find('?')), false);
      limit = std::max(
          limit, server_.options.body_limit_for(std::string(parser_->get().method_string()), path));
    }
    if (length && *length > limit) return reply_and_close(413, kErrorTooLarge);
    parser_->body_limit(limit);  // for chunked bodies
    if (auto ec = parse_buffered_body(); ec || parser_->is_done()) return on_read(ec, 0);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  // Parses what the buffer holds of the body: a small body comes with its
  // header, and async_read would find it there but answer through one more
  // turn of the io threads (80 us of a POST here). need_more is no error:
  // the rest is read from the socket.
  beast::error_code parse_buffered_body() {
    beast::error_code ec;
    while (!parser_->is_done() && buffer_.size() > 0) {
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) return {};
      if (ec || used == 0) break;
    }
    return ec;
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) return reply_and_close(413, kErrorTooLarge);
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset)
      return close();
    if (ec) {  // a parse error gets an answer; a broken connection does not
      if (ec.category() == http::make_error_code(http::error::bad_target).category())
        return reply_and_close(400, kErrorBadRequest);
      return close();
    }
    auto req = parser_->release();
    keep_alive_ = req.keep_alive();
    HttpRequest request;
    request.method = std::string(req.method_string());
    std::string_view target(req.target().data(), req.target().size());
    auto q = target.find('?');
    request.path = percent_decode(target.substr(0, q), false);
    if (q != std::string_view::npos) request.query = parse_query(target.substr(q + 1));
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace(std::move(name), std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.client_ip = client_ip_;

    HandlerPool& pool = server_.pool_for(request);
    ++server_.in_flight;
    stream_.expires_never();
    pool.post([self = shared_from_this(), request = std::move(request)]() mutable {
      HttpResponse response;
      try {
        response = self->server_.handler(request);
      } catch (const std::exception& e) {
        logging::error("handler_failed", {{"error", e.what()}});
        response = {500,
                    "application/json",
                    R"({"error":{"code":"internal_error","message":"internal error"}})",
                    {}};
      }
      self->send(std::move(response));
    });
  }

  // The peer's address, once per connection (a system call each time).
  static std::string peer_address(const tcp::socket& socket) {
    beast::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (ec) return "";
    // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d: the
    // address is a.b.c.d, for the logs, rate limits and trusted proxies.
    auto address = ep.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
      address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
    return address.to_string();
  }

  // Sends a handler's answer from the handler's thread, then reads the next
  // request: a small answer fits in the socket's buffer, so the connection
  // goes back to waiting for its client without waking an io thread. Safe
  // off the io threads: until the next read starts here, nothing else runs
  // for this session (its read is over, its timer cancelled), and the socket
  // never blocks (what does not fit is sent by the io threads).
  void send(HttpResponse response) {
    // A header value built from stored data must not split the answer
    // (values are checked where they enter; this is the last line).
    for (auto& [name, value] : response.headers)
      if (!is_header_safe(name) || !is_header_safe(value)) {
        logging::error("unsafe_header_refused", {{"header", is_header_safe(name) ? name : "?"}});
        response = {500,
                    "application/json",
                    R"({"error":{"code":"internal_error","message":"internal error"}})",
                    {}};
        break;
      }
    auto& res = answer(response.status, response.content_type);
    // A handler's header replaces the default of the same name, except
    // Set-Cookie, which may come several times (one cookie each).
    for (auto& [name, value] : response.headers) {
      if (beast::iequals(name, "Set-Cookie"))
        res.insert(name, value);
      else
        res.set(name, value);
    }
    res.body() = std::move(response.body);
    res.keep_alive(keep_alive_ && !server_.stopping);
    res.prepare_payload();
    serializer_.emplace(res);
    beast::error_code ec;
    http::write(stream_.socket(), *serializer_, ec);  // the socket is non-blocking
    if (ec == net::error::would_block) {
      stream_.expires_after(server_.options.read_timeout);
      return http::async_write(
          stream_, *serializer_,
          [self = shared_from_this()](beast::error_code ec, size_t) { self->sent(ec); });
    }
    sent(ec);
  }

  void sent(beast::error_code ec) {
    --server_.in_flight;
    if (ec || !res_.keep_alive()) return close();
    read();
  }

  // The answer to send, with the headers every answer carries. One per
  // session: a connection sends one answer at a time.
  http::response<http::string_body>& answer(int status, const std::string& type) {
    serializer_.reset();  // it refers to the previous answer
    res_ = {static_cast<http::status>(status), 11};
    res_.set(http::field::server, "rendezvous");
    res_.set(http::field::content_type, type);
    res_.set(http::field::cache_control, "no-store");
    res_.set("X-Content-Type-Options", "nosniff");
    // Links hold tokens: no other site learns them through Referer. Our own
    // pages' forms then carry a real Origin (with no-referrer, "null").
    res_.set("Referrer-Policy", "same-origin");
    res_.set("Content-Security-Policy", kContentSecurityPolicy);
    return res_;
  }

  // Answers an unreadable request, then stops sending and drains what the
  // client still sends for a moment, so that it gets to read the answer.
  void reply_and_close(int status, const char* body) {
    keep_alive_ = false;
    auto& res = answer(status, "application/json");
    res.body() = body;
    res.keep_alive(false);
    res.prepare_payload();
    stream_.expires_after(std::chrono::seconds{5});
    http::async_write(stream_, res, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->close();
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      self->drain();
    });
  }

  void drain() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > (16u << 20)) return self->close();
                              self->drain();
                            });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  const std::string client_ip_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  bool keep_alive_ = false;
  std::array<char, 16384> drain_buffer_{};
  size_t drained_ = 0;
};

}  // namespace

size_t read_threads_or_cores(size_t asked) { return asked ? asked : usable_cores(); }

void HttpServer::Impl::accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) std::make_shared<Session>(std::move(socket), *this)->start();
    accept();
  });
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
  if (!impl_->io_threads.empty()) stop();
}

void HttpServer::bind() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) throw std::runtime_error("invalid listen address " + impl_->options.host);
  tcp::endpoint endpoint{address, impl_->options.port};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + impl_->options.host + ":" +
                             std::to_string(impl_->options.port) + ": " + ec.message());
  impl_->bound_port = acceptor.local_endpoint().port();
}

void HttpServer::start() {
  if (!impl_->acceptor.is_open()) bind();
  impl_->accept();
  for (size_t i = 0; i < std::max<size_t>(1, impl_->options.io_threads); ++i)
    impl_->io_threads.emplace_back([this] { impl_->ioc.run(); });
}

std::uint16_t HttpServer::port() const { return impl_->bound_port; }

void HttpServer::stop() {
  impl_->stopping = true;
  net::post(impl_->ioc, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  auto deadline = std::chrono::steady_clock::now() + impl_->options.drain_timeout;
  while (impl_->in_flight > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  impl_->ioc.stop();
  for (auto& t : impl_->io_threads) t.join();
  impl_->io_threads.clear();
  impl_->workers.join();
  if (impl_->reads) impl_->reads->join();
}

}  // namespace rdv
