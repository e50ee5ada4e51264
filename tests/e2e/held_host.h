// A test server standing for another server that does not answer (a
// calendar host, a sign-in provider, a video service) until the test says.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>

#include "local_server.h"

namespace rdv::testing {

// Keeps every request waiting until released, then answers `body` (an empty
// calendar unless told).
class HeldHost {
 public:
  static constexpr const char* kEmptyCalendar =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n";

  explicit HeldHost(std::string body = kEmptyCalendar)
      : body_(std::move(body)),
        server_(local_server_options(4), [this](HttpRequest&) { return serve(); }) {
    server_.start();
  }
  ~HeldHost() {
    release();
    server_.stop();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }
  // Whether n requests are being held, within a generous delay.
  bool holds(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds{20}, [&] { return held_ >= n; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  HttpResponse serve() {
    std::unique_lock lock(mutex_);
    ++held_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return released_; });
    return {200, "text/plain; charset=utf-8", body_, {}};
  }

  std::string body_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int held_ = 0;
  bool released_ = false;
  HttpServer server_;
};

// The answer of `call` if it comes within 10 s; otherwise the test fails and
// `unblock` lets its held requests go (so that `call` ends too).
template <class T>
T within_seconds(std::future<T>& call, HeldHost& unblock) {
  if (call.wait_for(std::chrono::seconds{10}) != std::future_status::ready) {
    unblock.release();
    ADD_FAILURE() << "the request waited behind the held one";
  }
  return call.get();
}

}  // namespace rdv::testing
