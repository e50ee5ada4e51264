// The iCalendar we write: folded lines that every client reads back as written.
#include "calendar/ics_export.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "calendar/ics_import.h"

namespace rdv {
namespace {

Instant utc(const char* s) { return *parse_rfc3339(s); }

std::string export_summary(const std::string& summary) {
  IcsEvent e;
  e.uid = "fold@test";
  e.stamp = utc("2026-12-01T08:00:00Z");
  e.range = {utc("2026-12-01T08:00:00Z"), utc("2026-12-01T09:00:00Z")};
  e.summary = summary;
  return write_ics({e}, "PUBLISH", "");
}

// Number of bytes of the UTF-8 sequence led by `c`; 0 for a continuation byte.
size_t sequence_length(unsigned char c) {
  return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
}

// Whole UTF-8 sequences only: none cut at either end.
bool whole_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = sequence_length(static_cast<unsigned char>(s[i]));
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if (sequence_length(static_cast<unsigned char>(s[i + k])) != 0) return false;
    i += n;
  }
  return true;
}

// Checks the physical lines of `text` and returns the content lines they fold.
std::vector<std::string> check_and_unfold(const std::string& text) {
  std::vector<std::string> lines;
  EXPECT_TRUE(text.size() >= 2 && text.compare(text.size() - 2, 2, "\r\n") == 0);
  for (size_t pos = 0; pos < text.size();) {
    size_t lf = text.find('\n', pos);
    if (lf == std::string::npos) lf = text.size();
    std::string physical = text.substr(pos, lf - pos);
    pos = lf + 1;
    EXPECT_TRUE(!physical.empty() && physical.back() == '\r') << "no CRLF: " << physical;
    if (!physical.empty() && physical.back() == '\r') physical.pop_back();
    EXPECT_EQ(physical.find_first_of("\r\n"), std::string::npos) << physical;
    EXPECT_LE(physical.size(), 75u) << physical;
    bool continuation = !physical.empty() && physical[0] == ' ';
    std::string content = continuation ? physical.substr(1) : physical;
    EXPECT_TRUE(whole_utf8(content)) << "UTF-8 sequence cut: " << physical;
    if (continuation && !lines.empty())
      lines.back() += content;
    else
      lines.push_back(content);
  }
  return lines;
}

void expect_round_trip(const std::string& summary) {
  SCOPED_TRACE(std::to_string(summary.size()) + " bytes: " + summary);
  std::string text = export_summary(summary);
  auto lines = check_and_unfold(text);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "SUMMARY:" + summary), 1);
  auto back = ImportedCalendar::parse(text, zone_named("Europe/Paris"))
                  .occurrences({utc("2026-12-01T00:00:00Z"), utc("2026-12-02T00:00:00Z")});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].summary, summary);
}

TEST(IcsExport, FoldsEveryLineLengthIntoCrlfLinesOfAtMost75Octets) {
  // "SUMMARY:" and the text: content lines of 60 to 168 octets, across one and two folds.
  for (size_t n = 52; n <= 160; ++n) expect_round_trip(std::string(n, 'a'));
}

TEST(IcsExport, NeverCutsAUtf8SequenceAtAFold) {
  for (const std::string wide : {"é", "€", "😀"}) {
    for (size_t n = 60; n <= 160; ++n) {
      expect_round_trip(std::string(n, 'a') + wide + "b");  // the sequence slides over the folds
      std::string all_wide;
      while (all_wide.size() < n) all_wide += wide;
      expect_round_trip(all_wide);
    }
  }
}

}  // namespace
}  // namespace rdv
