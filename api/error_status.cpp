#include "error_status.h"

#include <nlohmann/json.hpp>

namespace rdv {

ErrorWire error_wire(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidJson:
      return {"invalid_json", 400};
    case ErrorCode::kInvalidInput:
      return {"invalid_input", 400};
    case ErrorCode::kInvalidTimezone:
      return {"invalid_timezone", 400};
    case ErrorCode::kInvalidRrule:
      return {"invalid_rrule", 400};
    case ErrorCode::kNonexistentLocalTime:
      return {"nonexistent_local_time", 400};
    case ErrorCode::kInvalidTimeRange:
      return {"invalid_time_range", 400};
    case ErrorCode::kUnauthenticated:
      return {"unauthenticated", 401};
    case ErrorCode::kForbidden:
      return {"forbidden", 403};
    case ErrorCode::kNotFound:
      return {"not_found", 404};
    case ErrorCode::kMethodNotAllowed:
      return {"method_not_allowed", 405};
    case ErrorCode::kSlotUnavailable:
      return {"slot_unavailable", 409};
    case ErrorCode::kAlreadyCancelled:
      return {"already_cancelled", 409};
    case ErrorCode::kCancellationClosed:
      return {"cancellation_closed", 409};
    case ErrorCode::kIdempotencyKeyReused:
      return {"idempotency_key_reused", 409};
    case ErrorCode::kInvalidTransition:
      return {"invalid_transition", 409};
    case ErrorCode::kTooManyBookings:
      return {"too_many_bookings", 409};
    case ErrorCode::kDocumentLimit:
      return {"document_limit", 409};
    case ErrorCode::kAlreadyAnswered:
      return {"already_answered", 409};
    case ErrorCode::kEmailTaken:
      return {"email_taken", 409};
    case ErrorCode::kPayloadTooLarge:
      return {"payload_too_large", 413};
    case ErrorCode::kUnsupportedMediaType:
      return {"unsupported_media_type", 415};
    case ErrorCode::kRateLimited:
      return {"rate_limited", 429};
    case ErrorCode::kUnavailable:
      return {"unavailable", 503};
  }
  return {"invalid_input", 400};
}

HttpResponse error_response(ErrorCode code, const std::string& message, const std::string& field) {
  ErrorWire wire = error_wire(code);
  nlohmann::json body = {{"error", {{"code", wire.code}, {"message", message}}}};
  if (!field.empty()) body["error"]["field"] = field;
  return {wire.status,
          "application/json",
          body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          {}};
}

HttpResponse internal_error_response() {
  return {500,
          "application/json",
          R"({"error":{"code":"internal_error","message":"internal error, please retry later"}})",
          {}};
}

}  // namespace rdv
