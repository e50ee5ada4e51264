// The API in process, without a socket, on a real SQLite file and a clock the
// test moves: for what depends on time (expiries, windows) and for tests that
// call every route many times.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "app.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/offline_fetcher.h"
#include "support/temp_dir.h"

namespace rdv::testing {

struct Call {
  nlohmann::json body = nullptr;  // sent as application/json unless null
  std::string token;              // Authorization: Bearer
  std::string cookie;             // Cookie header
  std::string client_ip = "127.0.0.1";
  std::string form;  // sent as application/x-www-form-urlencoded when not empty
};

class InProcessApp {
 public:
  explicit InProcessApp(Instant now, AppOptions options = {})
      : store_(dir_.file("db.sqlite")),
        clock(now),
        links(std::string(64, 'k')),
        sync(store_, clock, offline_),
        app(store_, clock, random, links, sync, std::move(options)) {}

  // "PATH?query" as a client would send it.
  HttpResponse call(const std::string& method, const std::string& target, const Call& c = {}) {
    HttpRequest r;
    r.method = method;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = parse_query(target.substr(q + 1));
    if (!c.body.is_null()) {
      r.body = c.body.dump();
      r.headers["content-type"] = "application/json";
    }
    if (!c.form.empty()) {
      r.body = c.form;
      r.headers["content-type"] = "application/x-www-form-urlencoded";
    }
    if (!c.token.empty()) r.headers["authorization"] = "Bearer " + c.token;
    if (!c.cookie.empty()) r.headers["cookie"] = c.cookie;
    r.client_ip = c.client_ip;
    return app.handle(std::move(r));
  }
  Store& store() { return store_; }
  std::string file(const std::string& name) const { return dir_.file(name); }

 private:
  TempDir dir_;
  SqliteStore store_;
  OfflineFetcher offline_;

 public:
  ManualClock clock;
  SystemRandom random;
  LinkSigner links;
  CalendarSync sync;
  App app;
};

}  // namespace rdv::testing
