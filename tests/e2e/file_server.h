// A small HTTP server for the tests, standing for the agents' calendar hosts:
// serves what the test puts, answers conditional requests, counts requests.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "local_server.h"

namespace rdv::testing {

class FileServer {
 public:
  FileServer()
      : server_(local_server_options(), [this](const HttpRequest& r) { return serve(r); }) {
    server_.start();
  }
  ~FileServer() { server_.stop(); }

  void put(const std::string& path, std::string body, int status = 200) {
    std::lock_guard lock(mutex_);
    files_[path] = {std::move(body), status};
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }
  int hits(const std::string& path) {
    std::lock_guard lock(mutex_);
    return hits_[path];
  }
  int not_modified(const std::string& path) {
    std::lock_guard lock(mutex_);
    return not_modified_[path];
  }

 private:
  struct File {
    std::string body;
    int status = 200;
  };
  HttpResponse serve(const HttpRequest& r) {
    std::lock_guard lock(mutex_);
    ++hits_[r.path];
    auto it = files_.find(r.path);
    if (it == files_.end()) return {404, "text/plain", "not found", {}};
    std::string etag = "\"" + std::to_string(std::hash<std::string>{}(it->second.body)) + "\"";
    if (const std::string* since = r.header("if-none-match"); since && *since == etag) {
      ++not_modified_[r.path];
      return {304, "text/calendar", "", {{"ETag", etag}}};
    }
    return {it->second.status, "text/calendar; charset=utf-8", it->second.body, {{"ETag", etag}}};
  }

  std::mutex mutex_;
  std::map<std::string, File> files_;
  std::map<std::string, int> hits_, not_modified_;
  HttpServer server_;
};

}  // namespace rdv::testing
