#include "observe/log.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace rdv::logging {
namespace {

std::atomic<Level> min_level{Level::kInfo};
std::mutex write_mutex;

const char* level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

// "2026-12-02T18:40:00.123Z"
std::string now_utc() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[64];  // room for any int the compiler imagines in each field
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || u >= 0x80 || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' ||
         c == '@' || c == '/' || c == '=';
}
// What tokens are made of: base64url and base64 (openssl rand -base64).
bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+' ||
         c == '/' || c == '=';
}

// Phone numbers as people and E.164 write them: '+' and 8 digits or more
// (spaces, dots or dashes between them), a French national number (0 and 9
// more digits, in any of those styles), or 9 digits or more in a row or with
// spaces. Dates (2026-12-02 18:40), IPv4 addresses and durations stay.
std::string mask_numbers(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool plus = text[i] == '+' && i + 1 < text.size() && is_digit(text[i + 1]);
    if (!plus && !is_digit(text[i])) {
      out += text[i++];
      continue;
    }
    size_t end = plus ? i + 1 : i, last_digit = end;
    size_t digits = 0, group = 0, longest_group = 0;
    bool dot_or_dash = false;
    while (end < text.size()) {
      char c = text[end];
      if (is_digit(c)) {
        ++digits;
        longest_group = std::max(longest_group, ++group);
        last_digit = ++end;
      } else if ((c == ' ' || c == '.' || c == '-') && end + 1 < text.size() &&
                 is_digit(text[end + 1])) {
        dot_or_dash |= c != ' ';
        group = 0;
        ++end;
      } else {
        break;
      }
    }
    size_t first = plus ? i + 1 : i;
    bool french =
        text[first] == '0' && first + 1 < text.size() && text[first + 1] != '0' && digits == 10;
    bool masked =
        plus ? digits >= 8 : french || longest_group >= 9 || (!dot_or_dash && digits >= 9);
    if (masked)
      out += "[number]";
    else
      out.append(text.substr(i, last_digit - i));
    i = last_digit;
  }
  return out;
}

// Texts in the fields of a line, scrubbed, and cut at kMaxField bytes so
// that a line stays one line for journald (which splits beyond 48 KiB).
constexpr size_t kMaxField = 2048;
Fields scrubbed(const Fields& value) {
  if (value.is_string()) {
    std::string text = scrub(value.get<std::string>());
    if (text.size() > kMaxField) text = text.substr(0, kMaxField) + "...";
    return text;
  }
  if (value.is_array() || value.is_object()) {
    Fields out = value;
    for (auto& item : out) item = scrubbed(item);
    return out;
  }
  return value;
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError})
    if (name == level_name(l)) return l;
  return std::nullopt;
}

void set_min_level(Level level) { min_level = level; }
bool enabled(Level level) { return level >= min_level.load(); }

std::string scrub(std::string_view text) {
  text = text.substr(0, text.find_first_of("\r\n"));
  std::string numbers_masked = mask_numbers(text);
  std::string_view s = numbers_masked;
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (!is_word(s[i])) {
      out += s[i++];
      continue;
    }
    size_t end = i;
    while (end < s.size() && is_word(s[end])) ++end;
    std::string_view word = s.substr(i, end - i);
    size_t at = word.find('@'), at_width = 1;
    if (at == std::string_view::npos) {
      at = word.find("%40");  // percent-encoded, as in a URL
      at_width = 3;
    }
    bool mailbox = at != std::string_view::npos && at > 0 && at + at_width < word.size();
    size_t run = 0, longest = 0;
    bool letters = false, digits = false;
    for (char c : word) {
      run = is_token_char(c) ? run + 1 : 0;
      longest = std::max(longest, run);
      letters |= std::isalpha(static_cast<unsigned char>(c)) != 0;
      digits |= is_digit(c);
    }
    if (mailbox)
      out += "[email]";
    else if (longest >= 24 && letters && digits)
      out += "[token]";
    else
      out.append(word);
    i = end;
  }
  return out;
}

std::string format_line(Level level, std::string_view event, const Fields& fields,
                        std::string_view time) {
  Fields line = Fields::object();
  line["time"] = time;
  line["level"] = level_name(level);
  line["event"] = event;
  for (const auto& [key, value] : fields.items()) {
    if (key == "time" || key == "level" || key == "event") continue;
    // A route is the router's template, never data (and may be long).
    line[key] = key == "route" ? value : scrubbed(value);
  }
  // Invalid UTF-8 (from a library's message) is replaced, never a throw.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void write(Level level, std::string_view event, const Fields& fields) {
  if (!enabled(level)) return;
  std::string line = format_line(level, event, fields, now_utc());
  std::lock_guard lock(write_mutex);
  for (size_t done = 0; done < line.size();) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n <= 0) return;  // nowhere to log to: the work goes on
    done += static_cast<size_t>(n);
  }
}

}  // namespace rdv::logging
