// Maps "METHOD /path/{param}/..." to handlers; unknown paths give 404, known
// paths with another method 405.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/model.h"
#include "http_types.h"

namespace rdv {

// Values of the {name} segments of the matched pattern, in order.
class PathParams {
 public:
  explicit PathParams(std::vector<std::string> values) : values_(std::move(values)) {}
  const std::string& text(size_t i) const { return values_.at(i); }
  // The i-th value as an id; a malformed id is a 404 (no such resource).
  Id id(size_t i) const;

 private:
  std::vector<std::string> values_;
};

// The ids a path gives to the {name} segments of its route's pattern, as
// "org:3 agent:12", leaving out the segments that hold secrets ({token},
// {secret}): what an audit line may say of the target.
std::string route_ids(const std::string& pattern, const std::string& path);

using RouteHandler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

class Router {
 public:
  // Patterns have at most kMaxSegments segments.
  static constexpr size_t kMaxSegments = 16;
  void add(std::string method, const std::string& pattern, RouteHandler handler);
  // A GET whose handler waits on another server (a sign-in provider, a video
  // service): it runs with the writes, not on the threads kept for reads
  // (see waits()).
  // A GET that only adds a row on the way (an audit line, a session) need
  // not: its commit is short and bounded, a provider's answer is not.
  void add_waiting(std::string method, const std::string& pattern, RouteHandler handler);
  // Whether the request's handler may wait on something else than this
  // machine's CPU and database reads: a commit (every method but GET and
  // HEAD) or another server. Unknown routes do not (they answer at once).
  bool waits(const HttpRequest& request) const;
  // Throws ClientError kNotFound or kMethodNotAllowed. `pattern` gets the
  // matched route's pattern ("/visio/{token}"): what logs may show of a path,
  // since paths carry secrets; "-" when no route matched.
  HttpResponse route(const HttpRequest& request, std::string& pattern) const;
  // Every route as "METHOD /pattern", in the order they were added.
  std::vector<std::string> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{}" marks a parameter
    RouteHandler handler;
    bool waits = false;
  };
  struct Match {
    const Route* route = nullptr;      // of the path and method (HEAD takes GET's)
    const Route* same_path = nullptr;  // of the path, whatever its method
    std::array<std::string_view, kMaxSegments> segments;  // the path's, views of it
    size_t count = 0;
  };
  Match match(const HttpRequest& request) const;
  std::vector<Route> routes_;
};

}  // namespace rdv
