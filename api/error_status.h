// One table from error code to wire name and HTTP status, and the error body.
#pragma once

#include <string>

#include "domain/error.h"
#include "http_types.h"

namespace rdv {

struct ErrorWire {
  const char* code;  // snake_case, as in {"error": {"code": ...}}
  int status;
};

ErrorWire error_wire(ErrorCode code);
// `field`, when given, names the input at fault.
HttpResponse error_response(ErrorCode code, const std::string& message,
                            const std::string& field = "");
// For failures that are ours, not the client's: the detail goes to the log only.
HttpResponse internal_error_response();

}  // namespace rdv
