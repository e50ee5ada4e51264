// Errors the client caused. They travel as exceptions from wherever the input is
// found wrong up to the API edge, which maps each code to one HTTP status
// (api/error_status.cpp). Bugs and start-up failures use ordinary exceptions.
#pragma once

#include <stdexcept>
#include <string>

namespace rdv {

enum class ErrorCode {
  kInvalidJson,
  kInvalidInput,
  kInvalidTimezone,
  kInvalidRrule,
  kNonexistentLocalTime,
  kInvalidTimeRange,
  kUnauthenticated,
  kForbidden,
  kNotFound,
  kMethodNotAllowed,
  kSlotUnavailable,
  kAlreadyCancelled,
  kCancellationClosed,
  kIdempotencyKeyReused,
  kInvalidTransition,  // the booking's life cycle does not allow this now (409)
  kTooManyBookings,    // the contact already holds the most open bookings allowed (409)
  kDocumentLimit,      // the booking holds the most documents (count or size) allowed (409)
  kAlreadyAnswered,
  kEmailTaken,  // another staff account has this email (409)
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kRateLimited,
  kUnavailable,
};

// `field` names the input at fault ("resident.phone") when there is one; the
// client gets it beside the message so that a form can show it next to the field.
class ClientError : public std::runtime_error {
 public:
  ClientError(ErrorCode code, const std::string& message, std::string field = "")
      : std::runtime_error(message), code_(code), field_(std::move(field)) {}
  ErrorCode code() const { return code_; }
  const std::string& field() const { return field_; }

 private:
  ErrorCode code_;
  std::string field_;
};

// Bad input in one named field: ClientError kInvalidInput with the message
// "<field> <what>".
[[noreturn]] inline void invalid_field(const std::string& field, const std::string& what) {
  throw ClientError(ErrorCode::kInvalidInput, field + " " + what, field);
}

}  // namespace rdv
