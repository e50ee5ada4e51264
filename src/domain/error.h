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
  kAlreadyAnswered,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kRateLimited,
  kUnavailable,
};

class ClientError : public std::runtime_error {
 public:
  ClientError(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace rdv
