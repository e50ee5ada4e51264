#include "router.h"

#include <array>
#include <charconv>
#include <span>
#include <stdexcept>
#include <string_view>

#include "domain/error.h"

namespace rdv {
namespace {

// Calls f with each segment of a path, empty ones skipped, until f returns
// false; returns whether every segment was given.
template <class F>
bool for_each_segment(std::string_view path, F&& f) {
  size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (!f(path.substr(start, end - start))) return false;
    start = end;
  }
  return true;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  for_each_segment(path, [&](std::string_view segment) {
    out.emplace_back(segment);
    return true;
  });
  return out;
}

// A path's segments as views of it; false when there are more than `out`
// holds.
bool split_views(std::string_view path, std::span<std::string_view> out, size_t& count) {
  count = 0;
  return for_each_segment(path, [&](std::string_view segment) {
    if (count == out.size()) return false;
    out[count++] = segment;
    return true;
  });
}

}  // namespace

std::string route_ids(const std::string& pattern, const std::string& path) {
  auto names = split_path(pattern), values = split_path(path);
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    const std::string& n = names[i];
    if (n.size() < 3 || n.front() != '{' || n.back() != '}') continue;
    std::string name = n.substr(1, n.size() - 2);
    if (name == "token" || name == "secret") continue;
    bool digits = !values[i].empty() && values[i].size() <= 19 &&
                  values[i].find_first_not_of("0123456789") == std::string::npos;
    out += (out.empty() ? "" : " ") + name + ":" + (digits ? values[i] : "?");
  }
  return out;
}

Id PathParams::id(size_t i) const {
  const std::string& s = text(i);
  Id v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || v <= 0)
    throw ClientError(ErrorCode::kNotFound, "not found");
  return v;
}

void Router::add(std::string method, const std::string& pattern, RouteHandler handler) {
  auto segments = split_path(pattern);
  if (segments.size() > kMaxSegments)
    throw std::logic_error("route with more than " + std::to_string(kMaxSegments) + " segments");
  for (auto& s : segments)
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = "{}";
  bool waits = method != "GET";
  routes_.push_back({std::move(method), pattern, std::move(segments), std::move(handler), waits});
}

void Router::add_waiting(std::string method, const std::string& pattern, RouteHandler handler) {
  add(std::move(method), pattern, std::move(handler));
  routes_.back().waits = true;
}

std::vector<std::string> Router::routes() const {
  std::vector<std::string> out;
  for (const Route& r : routes_) out.push_back(r.method + " " + r.pattern);
  return out;
}

Router::Match Router::match(const HttpRequest& request) const {
  // Matched on views of the path: a request allocates nothing until its route is found.
  Match m;
  if (!split_views(request.path, m.segments, m.count)) return m;  // longer than any route
  for (const Route& r : routes_) {
    if (r.segments.size() != m.count) continue;
    bool same = true;
    for (size_t i = 0; i < m.count && same; ++i)
      same = r.segments[i] == "{}" || r.segments[i] == m.segments[i];
    if (!same) continue;
    m.same_path = &r;
    if (r.method == request.method || (r.method == "GET" && request.method == "HEAD")) {
      m.route = &r;
      return m;
    }
  }
  return m;
}

bool Router::waits(const HttpRequest& request) const {
  const Route* r = match(request).route;
  return r && r->waits;
}

HttpResponse Router::route(const HttpRequest& request, std::string& pattern) const {
  Match m = match(request);
  pattern = m.same_path ? m.same_path->pattern : "-";
  if (!m.route) {
    if (m.same_path) throw ClientError(ErrorCode::kMethodNotAllowed, "method not allowed");
    throw ClientError(ErrorCode::kNotFound, "no such endpoint");
  }
  std::vector<std::string> params;
  for (size_t i = 0; i < m.count; ++i)
    if (m.route->segments[i] == "{}") params.emplace_back(m.segments[i]);
  return m.route->handler(request, PathParams(std::move(params)));
}

}  // namespace rdv
