#include "net/multipart.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <functional>

#include "domain/error.h"

namespace rdv {
namespace {

[[noreturn]] void malformed(const std::string& why) {
  throw ClientError(ErrorCode::kInvalidInput, "malformed multipart body: " + why);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool boundary_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Parameters after the first ';' of a header value: name=token or
// name="quoted" (browsers escape '"' and line ends in names as %22, %0D%0A;
// a backslash is a plain character there). Names lower-cased; no repeats.
std::vector<std::pair<std::string, std::string>> parameters(std::string_view rest) {
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    rest = trim(rest);
    if (rest.empty()) return out;
    if (rest.front() != ';') malformed("parameters must be separated by ';'");
    rest = trim(rest.substr(1));
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos || eq == 0) malformed("a parameter without a value");
    std::string name = lower(trim(rest.substr(0, eq)));
    for (char c : name)
      if (!token_char(c)) malformed("a parameter name with odd characters");
    for (auto& p : out)
      if (p.first == name) malformed("a parameter given twice");
    rest = trim(rest.substr(eq + 1));
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      size_t close = rest.find('"', 1);
      if (close == std::string_view::npos) malformed("an unterminated quoted value");
      value = std::string(rest.substr(1, close - 1));
      rest = rest.substr(close + 1);
    } else {
      size_t end = 0;
      while (end < rest.size() && token_char(rest[end])) ++end;
      if (end == 0) malformed("an empty parameter value");
      value = std::string(rest.substr(0, end));
      rest = rest.substr(end);
    }
    for (char c : value)
      if (c == '\r' || c == '\n' || c == '\0') malformed("a control character in a parameter");
    out.emplace_back(std::move(name), std::move(value));
  }
}

// Reads the header block of one part into `part`.
void read_headers(std::string_view block, MultipartPart& part) {
  bool disposition = false, type = false;
  size_t at = 0;
  while (at < block.size()) {
    size_t end = block.find("\r\n", at);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(at, end - at);
    at = end + 2;
    if (line.empty()) malformed("an empty header line");
    if (line.front() == ' ' || line.front() == '\t') malformed("a folded header");
    for (char c : line)
      if (c == '\r' || c == '\n' || c == '\0') malformed("a bare line end in a header");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) malformed("a header without a name");
    std::string name = lower(line.substr(0, colon));
    for (char c : name)
      if (!token_char(c)) malformed("a header name with odd characters");
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      if (disposition) malformed("Content-Disposition given twice");
      disposition = true;
      size_t semi = value.find(';');
      if (lower(trim(value.substr(0, semi))) != "form-data")
        malformed("a part that is not form-data");
      bool has_name = false;
      for (auto& [key, v] : parameters(semi == std::string_view::npos ? "" : value.substr(semi))) {
        if (key == "name") {
          has_name = true;
          part.name = v;
        } else if (key == "filename") {
          part.is_file = true;
          part.filename = v;
        } else {
          malformed("an unknown Content-Disposition parameter");
        }
      }
      if (!has_name || part.name.empty()) malformed("a part without a name");
    } else if (name == "content-type") {
      if (type) malformed("Content-Type given twice");
      type = true;
      if (value.empty() || value.size() > 200) malformed("an odd Content-Type");
      part.content_type = std::string(value);
    } else {
      malformed("an unexpected part header");
    }
  }
  if (!disposition) malformed("a part without Content-Disposition");
}

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
  size_t semi = content_type.find(';');
  if (lower(trim(content_type.substr(0, semi))) != "multipart/form-data")
    malformed("the form is not multipart/form-data");
  if (semi == std::string_view::npos) malformed("no boundary");
  std::string boundary;
  bool found = false;
  for (auto& [key, value] : parameters(content_type.substr(semi))) {
    if (key != "boundary") continue;
    boundary = value;
    found = true;
  }
  if (!found || boundary.empty() || boundary.size() > 70) malformed("no usable boundary");
  for (char c : boundary)
    if (!boundary_char(c)) malformed("a boundary with odd characters");
  if (boundary.back() == ' ') malformed("a boundary ending with a space");
  return boundary;
}

std::vector<MultipartPart> parse_multipart(std::string_view body, std::string_view boundary,
                                           const MultipartLimits& limits) {
  if (boundary.empty()) malformed("no boundary");
  const std::string dash = "--" + std::string(boundary);
  const std::string delimiter = "\r\n" + dash;
  // No preamble: the body starts with the first delimiter line.
  if (body.substr(0, dash.size()) != dash) malformed("the body does not start with the boundary");
  size_t at = dash.size();
  std::vector<MultipartPart> parts;
  while (true) {
    std::string_view after = body.substr(at);
    if (after.substr(0, 2) == "--") {
      // The closing delimiter, then at most one line end.
      std::string_view rest = after.substr(2);
      if (!rest.empty() && rest != "\r\n") malformed("data after the closing boundary");
      if (parts.empty()) malformed("no part");
      return parts;
    }
    if (after.substr(0, 2) != "\r\n") malformed("a boundary not followed by a line end");
    at += 2;
    if (parts.size() == limits.max_parts) malformed("too many parts");
    if (body.substr(at, 2) == "\r\n") malformed("a part without headers");
    size_t headers_end = body.find("\r\n\r\n", at);
    if (headers_end == std::string_view::npos || headers_end - at > limits.max_header_bytes)
      malformed("part headers missing or too long");
    MultipartPart part;
    read_headers(body.substr(at, headers_end - at), part);
    at = headers_end + 4;
    // glibc's memmem (two-way) stays linear on hostile bodies full of
    // near-delimiters, whatever boundary the sender chose.
    const void* found =
        memmem(body.data() + at, body.size() - at, delimiter.data(), delimiter.size());
    if (!found) malformed("a part without its closing boundary");
    size_t next = static_cast<size_t>(static_cast<const char*>(found) - body.data());
    size_t size = next - at;
    if (size > (part.is_file ? limits.max_file_bytes : limits.max_field_bytes))
      malformed("a part larger than allowed");
    part.body = std::string(body.substr(at, size));
    parts.push_back(std::move(part));
    at = next + delimiter.size();
  }
}

const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name) {
  for (const MultipartPart& p : parts)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace rdv
