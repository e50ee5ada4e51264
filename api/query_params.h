// Query-string parameters read by their kind; a malformed one is a 400 naming it.
#pragma once

#include <optional>

#include "domain/model.h"
#include "domain/time.h"
#include "http_types.h"

namespace rdv {

Instant instant_param(const HttpRequest& r, const char* name, Instant fallback);
std::optional<Id> id_param(const HttpRequest& r, const char* name);
int int_param(const HttpRequest& r, const char* name, int fallback, int min, int max);

}  // namespace rdv
