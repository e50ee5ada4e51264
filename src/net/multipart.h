// multipart/form-data (RFC 7578), as browsers send a form with a file: a
// small and strict reader. Anything it does not plainly understand (a
// missing or odd boundary, bare LF line ends, folded or unknown part
// headers, a part without a name, a missing closing delimiter, too many or
// too large parts) is refused with ClientError kInvalidInput (400).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rdv {

struct MultipartLimits {
  size_t max_parts = 8;
  size_t max_header_bytes = 1024;  // the header block of one part
  size_t max_field_bytes = 4096;   // a part without a filename (a text field)
  size_t max_file_bytes = 32 << 20;
};

struct MultipartPart {
  std::string name;
  bool is_file = false;  // it had a filename parameter (maybe empty: no file chosen)
  std::string filename;
  std::string content_type;  // as sent, "" when absent
  std::string body;
};

// The boundary of a Content-Type "multipart/form-data; boundary=..." (maybe
// quoted): 1 to 70 characters of RFC 2046's set. ClientError otherwise.
std::string multipart_boundary(std::string_view content_type);

// The parts of `body`, in order.
std::vector<MultipartPart> parse_multipart(std::string_view body, std::string_view boundary,
                                           const MultipartLimits& limits = {});

// The first part named `name`, or nullptr.
const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name);

}  // namespace rdv
