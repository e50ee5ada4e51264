// The one logging path: every line the programs write about their work is
// one JSON object on stderr (journald or the container runtime keeps it),
// with a time stamp, a level and an event name, then the event's fields.
// Logs never hold a raw request path, a secret or personal data: callers
// pass route templates and ids, and every text value goes through scrub().
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace rdv::logging {

enum class Level { kDebug, kInfo, kWarn, kError };
std::optional<Level> parse_level(std::string_view name);  // debug, info, warn, error

// Lines below this level are not written (info by default).
void set_min_level(Level level);
bool enabled(Level level);

using Fields = nlohmann::ordered_json;

// {"time":"2026-12-02T18:40:00.123Z","level":"info","event":"request",...}:
// whole lines, in the order they were written. Debug and info lines go out
// in batches from a writer thread, up to 10 ms late (one write(2) for many
// lines instead of one each under a shared lock); warn and error lines are on
// stderr when write() returns. At most kMaxPendingBytes of lines wait (plus
// the batch being written): when full, write() waits for room, as a write(2)
// to a stalled stderr would, and no line is ever dropped. What waits is
// written when the process exits (main's return, std::exit); a crash loses
// at most the last 10 ms of debug and info lines.
void write(Level level, std::string_view event, const Fields& fields = Fields::object());
inline constexpr size_t kMaxPendingBytes = 1 << 20;
inline void debug(std::string_view event, const Fields& fields = Fields::object()) {
  write(Level::kDebug, event, fields);
}
inline void info(std::string_view event, const Fields& fields = Fields::object()) {
  write(Level::kInfo, event, fields);
}
inline void warn(std::string_view event, const Fields& fields = Fields::object()) {
  write(Level::kWarn, event, fields);
}
inline void error(std::string_view event, const Fields& fields = Fields::object()) {
  write(Level::kError, event, fields);
}

// The same line from fields given without building a JSON object, for the
// lines written on every request (the access log). Keys are distinct; texts
// are scrubbed as in write().
using Value = std::variant<std::nullptr_t, std::string_view, std::int64_t, double>;
struct Field {
  std::string_view key;
  Value value;
};
void write_fields(Level level, std::string_view event, std::initializer_list<Field> fields);

// A text as it may be logged: lines after the first dropped (PostgreSQL puts
// the row's values in a DETAIL line), and what looks like a mailbox, a phone
// number or a token (a long run of letters and digits) masked. An error's
// message is for the people who run the service, not its users' data.
std::string scrub(std::string_view text);

// The line write() would write, without the time (for tests).
std::string format_line(Level level, std::string_view event, const Fields& fields,
                        std::string_view time);
// The line write_fields() would write: the same as format_line() for the same fields.
std::string format_fields(Level level, std::string_view event, std::initializer_list<Field> fields,
                          std::string_view time);

}  // namespace rdv::logging
