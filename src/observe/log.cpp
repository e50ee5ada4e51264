#include "observe/log.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <system_error>
#include <thread>

namespace rdv::logging {
namespace {

std::atomic<Level> min_level{Level::kInfo};

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

// "2026-12-02T18:40:00.123Z". The text up to the second is kept per thread:
// formatting it for every line showed in the profile of a loaded server.
std::string now_utc() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  thread_local std::time_t cached_second = -1;
  thread_local char cached[48];  // "2026-12-02T18:40:00", room for any int in each field
  if (seconds != cached_second) {
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_second = seconds;
  }
  int milli = static_cast<int>(ms % 1000);
  std::string out = cached;
  out += '.';
  out += static_cast<char>('0' + milli / 100);
  out += static_cast<char>('0' + milli / 10 % 10);
  out += static_cast<char>('0' + milli % 10);
  out += 'Z';
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
std::string scrubbed_text(std::string_view key, std::string_view text) {
  // A route is the router's template, never data (and may be long).
  if (key == "route") return std::string(text);
  std::string out = scrub(text);
  if (out.size() > kMaxField) out = out.substr(0, kMaxField) + "...";
  return out;
}
Fields scrubbed(const Fields& value) {
  if (value.is_string()) return scrubbed_text("", value.get_ref<const std::string&>());
  if (value.is_array() || value.is_object()) {
    Fields out = value;
    for (auto& item : out) item = scrubbed(item);
    return out;
  }
  return value;
}

std::string dump(const Fields& value) {
  // Invalid UTF-8 (from a library's message) is replaced, never a throw.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A JSON string as nlohmann::json writes it (two-character escapes, \u00XX
// for the other control characters, the rest as is); texts with bytes beyond
// ASCII go through nlohmann::json itself, which replaces invalid UTF-8.
void append_string(std::string& out, std::string_view text) {
  bool ascii = std::all_of(text.begin(), text.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii) {
    out += dump(Fields(text));
    return;
  }
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// {"time":...,"level":...,"event":... : what every line starts with.
std::string line_start(Level level, std::string_view event, std::string_view time) {
  std::string line;
  line.reserve(256);
  line += R"({"time":)";
  append_string(line, time);
  line += R"(,"level":")";
  line += level_name(level);
  line += R"(","event":)";
  append_string(line, event);
  return line;
}

bool is_reserved(std::string_view key) { return key == "time" || key == "level" || key == "event"; }

void append_value(std::string& line, std::string_view key, const Value& value) {
  if (auto* text = std::get_if<std::string_view>(&value)) {
    append_string(line, scrubbed_text(key, *text));
  } else if (auto* n = std::get_if<std::int64_t>(&value)) {
    char digits[24];
    line.append(digits, std::to_chars(digits, digits + sizeof digits, *n).ptr);
  } else if (auto* x = std::get_if<double>(&value); x && std::isfinite(*x)) {
    // nlohmann::json's own formatting (shortest form, always with a point or
    // an exponent), so that both kinds of line write numbers alike.
    char digits[64];
    line.append(digits, nlohmann::detail::to_chars(digits, digits + sizeof digits, *x));
  } else {
    line += "null";  // null, or a number that JSON cannot hold
  }
}

// Lines go to stderr from one thread, in batches: under load a request then
// costs a copy into memory rather than a write(2) under a contended lock.
class Sink {
 public:
  Sink() {
    pthread_atfork([] { instance().mutex_.lock(); }, [] { instance().mutex_.unlock(); },
                   [] { instance().after_fork_in_child(); });
  }

  static Sink& instance() {
    static Sink* sink = new Sink;  // never destroyed: static destructors may still log
    return *sink;
  }

  void append(std::string_view line, bool wait_written) {
    std::unique_lock lock(mutex_);
    if (!started_) start();
    if (!running_) return write_all(line);  // at exit: the writer is gone
    room_.wait(lock, [&] { return pending_.size() < kMaxPendingBytes || !running_; });
    if (!running_) return write_all(line);
    bool was_empty = pending_.empty();
    pending_.append(line);
    appended_ += line.size();
    if (wait_written) {
      urgent_ = true;
      wake_.notify_one();
      std::uint64_t mine = appended_;
      written_cv_.wait(lock, [&] { return written_ >= mine || !running_; });
    } else if (was_empty || pending_.size() >= kBatchBytes) {
      wake_.notify_one();  // no system call unless the writer waits
    }
  }

  // Writes what is waiting and stops the writer; later lines are written directly.
  void stop() {
    std::unique_lock lock(mutex_);
    if (!running_ || stopping_) return;
    stopping_ = true;
    wake_.notify_one();
    lock.unlock();
    writer_.join();
  }

 private:
  // Batches of up to kBatchBytes, gathered for up to kGather.
  static constexpr size_t kBatchBytes = 64 << 10;
  static constexpr auto kGather = std::chrono::milliseconds{10};

  void start() {
    started_ = true;
    try {
      writer_ = std::thread([this] { run(); });
    } catch (const std::system_error&) {
      return;  // no thread to spare: lines are written by their callers
    }
    running_ = true;
    std::atexit([] { instance().stop(); });
  }

  void run() {
    std::string batch;
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return !pending_.empty() || stopping_; });
      wake_.wait_for(lock, kGather,
                     [&] { return urgent_ || stopping_ || pending_.size() >= kBatchBytes; });
      if (pending_.empty() && stopping_) {
        // Under the lock that saw the last line out: later lines are written
        // by their callers, after every earlier one.
        running_ = false;
        room_.notify_all();
        written_cv_.notify_all();
        return;
      }
      batch.swap(pending_);
      urgent_ = false;
      room_.notify_all();
      lock.unlock();
      write_all(batch);
      lock.lock();
      written_ += batch.size();
      batch.clear();
      written_cv_.notify_all();
    }
  }

  static void write_all(std::string_view text) {
    for (size_t done = 0; done < text.size();) {
      ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // nowhere to log to: the work goes on
      done += static_cast<size_t>(n);
    }
  }

  // The writer thread was not copied: a child writes its own lines directly,
  // and leaves the waiting ones to the parent, which writes them.
  void after_fork_in_child() {
    pending_.clear();
    running_ = false;
    mutex_.unlock();
  }

  std::mutex mutex_;
  std::condition_variable wake_;        // the writer: lines to write, or stop
  std::condition_variable room_;        // callers: the pending lines went out
  std::condition_variable written_cv_;  // callers of warn and error: their line is out
  std::string pending_;
  std::uint64_t appended_ = 0, written_ = 0;  // bytes since the start
  bool started_ = false, running_ = false, stopping_ = false, urgent_ = false;
  std::thread writer_;
};

void emit(Level level, const std::string& line) {
  Sink::instance().append(line, level >= Level::kWarn);
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
  std::string line = line_start(level, event, time);
  for (const auto& [key, value] : fields.items()) {
    if (is_reserved(key)) continue;
    line += ',';
    append_string(line, key);
    line += ':';
    if (value.is_string())
      append_string(line, scrubbed_text(key, value.get_ref<const std::string&>()));
    else
      line += dump(key == "route" ? value : scrubbed(value));
  }
  return line += "}\n";
}

std::string format_fields(Level level, std::string_view event, std::initializer_list<Field> fields,
                          std::string_view time) {
  std::string line = line_start(level, event, time);
  for (const Field& field : fields) {
    if (is_reserved(field.key)) continue;
    line += ',';
    append_string(line, field.key);
    line += ':';
    append_value(line, field.key, field.value);
  }
  return line += "}\n";
}

void write(Level level, std::string_view event, const Fields& fields) {
  if (enabled(level)) emit(level, format_line(level, event, fields, now_utc()));
}

void write_fields(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (enabled(level)) emit(level, format_fields(level, event, fields, now_utc()));
}

}  // namespace rdv::logging
