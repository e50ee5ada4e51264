// The one logging path: every line the programs write about their work is
// one JSON object on stderr (journald or the container runtime keeps it),
// with a time stamp, a level and an event name, then the event's fields.
// Logs never hold a raw request path, a secret or personal data: callers
// pass route templates and ids, and every text value goes through scrub().
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace rdv::logging {

enum class Level { kDebug, kInfo, kWarn, kError };
std::optional<Level> parse_level(std::string_view name);  // debug, info, warn, error

// Lines below this level are not written (info by default).
void set_min_level(Level level);
bool enabled(Level level);

using Fields = nlohmann::ordered_json;

// {"time":"2026-12-02T18:40:00.123Z","level":"info","event":"request",...}:
// one write(2) per line, so lines of several threads never mix.
void write(Level level, std::string_view event, const Fields& fields = Fields::object());
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

// A text as it may be logged: lines after the first dropped (PostgreSQL puts
// the row's values in a DETAIL line), and what looks like a mailbox, a phone
// number or a token (a long run of letters and digits) masked. An error's
// message is for the people who run the service, not its users' data.
std::string scrub(std::string_view text);

// The line write() would write, without the time (for tests).
std::string format_line(Level level, std::string_view event, const Fields& fields,
                        std::string_view time);

}  // namespace rdv::logging
