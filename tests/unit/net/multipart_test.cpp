#include "net/multipart.h"

#include <gtest/gtest.h>

#include "domain/error.h"

namespace rdv {
namespace {

const std::string kBoundary = "----rdvBoundary7MA4YWxkTrZu0gW";

std::string part(const std::string& headers, const std::string& body) {
  return "--" + kBoundary + "\r\n" + headers + "\r\n\r\n" + body + "\r\n";
}
std::string closing() { return "--" + kBoundary + "--\r\n"; }

// Whether parsing `body` is refused as bad input (never another exception).
bool refused(const std::string& body, const MultipartLimits& limits = {}) {
  try {
    parse_multipart(body, kBoundary, limits);
  } catch (const ClientError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    return true;
  }
  return false;
}

TEST(Multipart, ReadsTheFieldsAndTheFileOfABrowserForm) {
  // Line ends, a NUL and a near-delimiter inside the file are its bytes.
  std::string pdf = std::string("%PDF-1.4\r\n\0binary\r\n--not-the-boundary\r\n", 39);
  std::string body = part("Content-Disposition: form-data; name=\"csrf\"", "c5rf") +
                     part("Content-Disposition: form-data; name=\"token\"", "t0k3n") +
                     part(
                         "Content-Disposition: form-data; name=\"fichier\"; "
                         "filename=\"Avis d'impôt 2025.pdf\"\r\nContent-Type: application/pdf",
                         pdf) +
                     closing();
  auto parts = parse_multipart(body, kBoundary);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].name, "csrf");
  EXPECT_FALSE(parts[0].is_file);
  EXPECT_EQ(parts[0].body, "c5rf");
  EXPECT_EQ(find_part(parts, "token")->body, "t0k3n");
  const MultipartPart* file = find_part(parts, "fichier");
  ASSERT_NE(file, nullptr);
  EXPECT_TRUE(file->is_file);
  EXPECT_EQ(file->filename, "Avis d'impôt 2025.pdf");
  EXPECT_EQ(file->content_type, "application/pdf");
  EXPECT_EQ(file->body, pdf);  // bytes kept, line ends and NUL included
  EXPECT_EQ(find_part(parts, "absent"), nullptr);
}

TEST(Multipart, AcceptsWhatBrowsersVaryOn) {
  // Header names in any case, no closing line end, an empty file input.
  std::string body = "--" + kBoundary +
                     "\r\ncontent-disposition: FORM-DATA; filename=\"\"; name=fichier\r\n"
                     "CONTENT-TYPE: application/octet-stream\r\n\r\n\r\n--" +
                     kBoundary + "--";
  auto parts = parse_multipart(body, kBoundary);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_TRUE(parts[0].is_file);
  EXPECT_EQ(parts[0].filename, "");
  EXPECT_EQ(parts[0].body, "");
}

TEST(Multipart, TheBoundaryComesFromTheContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + kBoundary), kBoundary);
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data;boundary=\"a b:c\""), "a b:c");
  for (const std::string& bad : std::vector<std::string>{
           "", "application/x-www-form-urlencoded", "multipart/form-data",
           "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
           "multipart/mixed; boundary=abc", "multipart/form-data; boundary=" + std::string(71, 'a'),
           "multipart/form-data; boundary=a\r\nX: y", "multipart/form-data; boundary=\"abc",
           "multipart/form-data; boundary=abc; boundary=def",
           "multipart/form-data; boundary=\"ab\\\"c\"", "multipart/form-data; boundary=\"abc \""}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(multipart_boundary(bad), ClientError);
  }
}

TEST(Multipart, MalformedBodiesAreRefused) {
  std::string ok_part = part("Content-Disposition: form-data; name=\"a\"", "1");
  for (const std::string& bad : std::vector<std::string>{
           "",
           "preamble\r\n" + ok_part + closing(),  // no preamble
           ok_part,                               // no closing delimiter
           closing(),                             // no part at all
           ok_part + closing() + "epilogue",      // data after the end
           "--" + kBoundary + "\n" + "Content-Disposition: form-data; name=\"a\"\n\n1\n" +
               closing(),  // bare LF
           "--" + kBoundary + "  \r\n" + "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n" +
               closing(),                                            // padding after the boundary
           part("Content-Type: text/plain", "1") + closing(),        // no Content-Disposition
           part("Content-Disposition: form-data", "1") + closing(),  // no name
           part("Content-Disposition: form-data; name=\"\"", "1") + closing(),  // empty name
           part("Content-Disposition: attachment; name=\"a\"", "1") + closing(),
           part("Content-Disposition: form-data; name=\"a\"; name=\"b\"", "1") + closing(),
           part("Content-Disposition: form-data; name=\"a\"; filename*=UTF-8''x.pdf", "1") +
               closing(),
           part("Content-Disposition: form-data; name=\"a\r\nContent-Disposition: form-data; "
                "name=\"b\"",
                "1") +
               closing(),
           part("Content-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; "
                "name=\"b\"",
                "1") +
               closing(),
           part("Content-Disposition: form-data; name=\"a\"\r\n folded", "1") + closing(),
           part("Content-Disposition: form-data; name=\"a\"\r\nX-Other: 1", "1") + closing(),
           part("Content-Disposition: form-data; name=\"a", "1") + closing(),  // unterminated
           part("Content-Disposition: form-data; name=\"a\"\r\nContent-Type: ", "1") + closing(),
           "--" + kBoundary + "\r\n\r\nno headers\r\n" + closing(),
           "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"a\"",  // cut short
       }) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(refused(bad));
  }
}

TEST(Multipart, LimitsAreKept) {
  MultipartLimits limits;
  limits.max_parts = 2;
  limits.max_field_bytes = 4;
  limits.max_file_bytes = 8;
  limits.max_header_bytes = 100;
  auto field = [](const std::string& v) {
    return part("Content-Disposition: form-data; name=\"a\"", v);
  };
  auto file = [](const std::string& v) {
    return part("Content-Disposition: form-data; name=\"f\"; filename=\"x.pdf\"", v);
  };
  EXPECT_FALSE(refused(field("1234") + file("12345678") + closing(), limits));
  EXPECT_TRUE(refused(field("12345") + closing(), limits));
  EXPECT_TRUE(refused(file("123456789") + closing(), limits));
  EXPECT_TRUE(refused(field("1") + field("2") + field("3") + closing(), limits));
  EXPECT_TRUE(
      refused(part("Content-Disposition: form-data; name=\"" + std::string(120, 'a') + "\"", "1") +
                  closing(),
              limits));
}

TEST(Multipart, HostileBodiesEndQuickly) {
  // Near-delimiters everywhere, and a part that never ends.
  std::string body = "--" + kBoundary +
                     "\r\nContent-Disposition: form-data; name=\"f\"; "
                     "filename=\"x\"\r\n\r\n";
  for (int i = 0; i < 200000; ++i) body += "\r\n--" + kBoundary.substr(0, 20);
  EXPECT_TRUE(refused(body));
}

}  // namespace
}  // namespace rdv
