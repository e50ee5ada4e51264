#include "query_params.h"

#include <string>

#include "domain/error.h"

namespace rdv {

Instant instant_param(const HttpRequest& r, const char* name, Instant fallback) {
  const std::string* v = r.param(name);
  if (!v) return fallback;
  auto t = parse_rfc3339(*v);
  if (!t) invalid_field(name, "must be an RFC 3339 date-time with offset");
  return *t;
}

std::optional<Id> id_param(const HttpRequest& r, const char* name) {
  const std::string* v = r.param(name);
  if (!v) return std::nullopt;
  try {
    size_t used = 0;
    long long id = std::stoll(*v, &used);
    if (used == v->size() && id > 0) return id;
  } catch (const std::exception&) {
  }
  invalid_field(name, "must be an id");
}

int int_param(const HttpRequest& r, const char* name, int fallback, int min, int max) {
  const std::string* v = r.param(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    int n = std::stoi(*v, &used);
    if (used == v->size() && n >= min && n <= max) return n;
  } catch (const std::exception&) {
  }
  invalid_field(
      name, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
}

}  // namespace rdv
