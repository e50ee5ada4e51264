// Load over real sockets: clients on their own threads, each with one
// keep-alive connection, sending requests one after the other and timing
// each answer whole (headers and body read).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace rdv::bench {

struct HttpRequestSpec {
  std::string method = "GET";
  std::string target;
  std::string body;  // sent as application/json when not empty
  std::map<std::string, std::string> headers;
};

struct LoadResult {
  std::vector<double> latencies_ms;  // one per request answered
  std::map<int, int> statuses;       // how many answers of each status
  size_t bytes = 0;                  // of the bodies
  double seconds = 0;                // wall time of the whole run
  double p(double quantile) const;   // of latencies_ms
  double per_second() const { return seconds > 0 ? latencies_ms.size() / seconds : 0; }
};

// `clients` threads each send `requests` requests from `next(client, i)`;
// they start together, once all are connected.
LoadResult run_load(int port, int clients, int requests,
                    const std::function<HttpRequestSpec(int client, int i)>& next);

// One request on a fresh connection: status and body.
std::pair<int, std::string> http_call(int port, const HttpRequestSpec& request);

// The quantile of a set of times (nearest rank), 0 when empty.
double quantile(std::vector<double> values, double q);

}  // namespace rdv::bench
