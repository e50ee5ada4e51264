#include "domain/text.h"

#include <cstdint>

#include "domain/error.h"

namespace rdv {
namespace {

// Decodes one UTF-8 code point at `i`, advancing it; invalid bytes give U+FFFD.
char32_t next_code_point(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = (b >= 0xF0 && b < 0xF8) ? 3 : (b >= 0xE0) ? 2 : (b >= 0xC2 && b < 0xE0) ? 1 : -1;
  if (extra < 0) return 0xFFFD;
  char32_t cp = b & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  return cp;
}

// The ASCII spelling of a Latin letter with diacritics, or nullptr.
const char* latin_base(char32_t cp) {
  // U+00C0..U+00FF, lower-cased; "" for characters that are not letters.
  static const char* const kLatin1[64] = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};
  if (cp >= 0xC0 && cp <= 0xFF) return kLatin1[cp - 0xC0];
  switch (cp) {
    case 0x152:
    case 0x153:
      return "oe";
    case 0x178:
      return "y";
    case 0x100:
    case 0x101:
    case 0x102:
    case 0x103:
    case 0x104:
    case 0x105:
      return "a";
    case 0x106:
    case 0x107:
    case 0x10C:
    case 0x10D:
      return "c";
    case 0x112:
    case 0x113:
    case 0x116:
    case 0x117:
    case 0x118:
    case 0x119:
    case 0x11A:
    case 0x11B:
      return "e";
    case 0x12A:
    case 0x12B:
    case 0x130:
    case 0x131:
      return "i";
    case 0x141:
    case 0x142:
      return "l";
    case 0x143:
    case 0x144:
    case 0x147:
    case 0x148:
      return "n";
    case 0x14C:
    case 0x14D:
    case 0x150:
    case 0x151:
      return "o";
    case 0x158:
    case 0x159:
      return "r";
    case 0x15A:
    case 0x15B:
    case 0x15E:
    case 0x15F:
    case 0x160:
    case 0x161:
      return "s";
    case 0x162:
    case 0x163:
    case 0x164:
    case 0x165:
      return "t";
    case 0x16A:
    case 0x16B:
    case 0x16E:
    case 0x16F:
    case 0x170:
    case 0x171:
      return "u";
    case 0x179:
    case 0x17A:
    case 0x17B:
    case 0x17C:
    case 0x17D:
    case 0x17E:
      return "z";
    default:
      return nullptr;
  }
}

}  // namespace

std::string fold_for_search(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  auto append = [&](std::string_view piece) {
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += piece;
  };
  for (size_t i = 0; i < s.size();) {
    char32_t cp = next_code_point(s, i);
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        append(std::string_view(&c, 1));
      } else {
        pending_space = true;
      }
      continue;
    }
    const char* base = latin_base(cp);
    if (base && *base) {
      append(base);
    } else {
      pending_space = true;  // punctuation, symbols, scripts we do not fold
    }
  }
  return out;
}

std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<std::string> search_terms(std::string_view s) {
  std::vector<std::string> terms;
  std::string folded = fold_for_search(s);
  size_t start = 0;
  while (start < folded.size()) {
    size_t end = folded.find(' ', start);
    if (end == std::string::npos) end = folded.size();
    if (end > start) terms.emplace_back(folded.substr(start, end - start));
    start = end + 1;
  }
  return terms;
}

namespace {

// The code point at `i` of strictly valid UTF-8, advancing `i`; -1 when invalid.
long strict_code_point(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = (b >= 0xC2 && b <= 0xDF)   ? 1
              : (b >= 0xE0 && b <= 0xEF) ? 2
              : (b >= 0xF0 && b <= 0xF4) ? 3
                                         : -1;
  if (extra < 0 || i + extra > s.size()) return -1;
  long cp = b & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    auto c = static_cast<unsigned char>(s[i++]);
    if ((c & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (c & 0x3F);
  }
  static const long kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  return cp;
}

}  // namespace

namespace {

// Windows-1252's characters for 0x80..0x9F; U+FFFD for its five holes.
constexpr char16_t kCp1252High[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string utf8_from_legacy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    size_t at = i;
    long cp = strict_code_point(bytes, i);
    if (cp == 0) continue;
    if (cp > 0) {
      out.append(bytes.substr(at, i - at));
      continue;
    }
    // Not UTF-8 here: this one byte is Windows-1252, and the next is read afresh.
    auto b = static_cast<unsigned char>(bytes[at]);
    i = at + 1;
    append_utf8(out, b >= 0xA0 ? char32_t(b) : char32_t(kCp1252High[b - 0x80]));
  }
  return out;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void check_text(std::string_view text, TextKind kind, const std::string& field) {
  for (size_t i = 0; i < text.size();) {
    size_t at = i;
    long cp = strict_code_point(text, i);
    if (cp < 0) invalid_field(field, "is not valid UTF-8 text");
    bool line_break =
        cp == '\n' || cp == '\t' || (cp == '\r' && at + 1 < text.size() && text[at + 1] == '\n');
    bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
    if (control && !(kind == TextKind::kMultiLine && line_break))
      invalid_field(field, kind == TextKind::kSingleLine
                               ? "must be one line of text without control characters"
                               : "must not hold control characters");
    // Direction overrides make a name read otherwise than it is written
    // (in subjects, feeds, the agent's calendar); invisible characters make
    // two names that look the same differ. Joiners (U+200C, U+200D) stay:
    // some scripts and emoji need them.
    bool bidi = cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
                (cp >= 0x2066 && cp <= 0x2069) || cp == 0x061C;
    bool invisible = cp == 0x200B || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF ||
                     cp == 0x00AD || cp == 0x180E;
    if (bidi || (invisible && kind == TextKind::kSingleLine))
      invalid_field(field, "must not hold invisible or text-direction characters");
  }
}

}  // namespace rdv
