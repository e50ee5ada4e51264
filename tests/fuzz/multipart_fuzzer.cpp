// libFuzzer target for the multipart/form-data reader of the upload form: any
// Content-Type and body must give parts within the limits or a ClientError,
// without memory errors (built with ASan and UBSan). The first line of the
// input is the Content-Type, the rest the body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "domain/error.h"
#include "net/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view type = input.substr(0, newline);
  std::string_view body = newline == std::string_view::npos ? "" : input.substr(newline + 1);
  rdv::MultipartLimits limits;
  limits.max_parts = 4;
  limits.max_field_bytes = 64;
  limits.max_file_bytes = 256;
  try {
    auto parts = rdv::parse_multipart(body, rdv::multipart_boundary(type), limits);
    if (parts.empty() || parts.size() > limits.max_parts) __builtin_trap();
    for (const auto& p : parts) {
      if (p.name.empty() || p.body.size() > body.size()) __builtin_trap();
      if (p.body.size() > (p.is_file ? limits.max_file_bytes : limits.max_field_bytes))
        __builtin_trap();
    }
  } catch (const rdv::ClientError&) {
  }
  return 0;
}
