// An HTTP receiver for the tests (SMS gateway, webhook endpoint): records
// every request and can fail the first ones with 500.
#pragma once

#include <mutex>
#include <vector>

#include "local_server.h"

namespace rdv::testing {

class RecordingServer {
 public:
  // `answer`: the body of every 2xx answer.
  explicit RecordingServer(int failures = 0, std::string answer = R"({"status":"queued"})")
      : failures_left_(failures),
        answer_(std::move(answer)),
        server_(local_server_options(), [this](HttpRequest& r) { return handle(r); }) {
    server_.start();
  }
  ~RecordingServer() { server_.stop(); }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }
  // Requests answered 2xx, in order.
  std::vector<HttpRequest> accepted() {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  int refused() {
    std::lock_guard lock(mutex_);
    return refused_;
  }

 private:
  HttpResponse handle(const HttpRequest& r) {
    std::lock_guard lock(mutex_);
    if (failures_left_ > 0) {
      --failures_left_;
      ++refused_;
      return {500, "text/plain", "down for maintenance", {}};
    }
    accepted_.push_back(r);
    return {200, "application/json", answer_, {}};
  }

  std::mutex mutex_;
  int failures_left_;
  std::string answer_;
  int refused_ = 0;
  std::vector<HttpRequest> accepted_;
  HttpServer server_;
};

}  // namespace rdv::testing
