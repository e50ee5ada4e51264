// JSON in and out at the edge: typed reading of request bodies with clear
// errors (and unknown fields refused), and the wire shape of every resource.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "availability/free_slots.h"
#include "domain/model.h"
#include "domain/text.h"
#include "http_types.h"

namespace rdv {

using Json = nlohmann::json;

// The body as a JSON object: ClientError kUnsupportedMediaType unless sent as
// application/json, kInvalidJson when it is not a JSON object.
Json parse_json_object(const HttpRequest& request);
bool is_json_media_type(const std::string* content_type);
// Serialises; invalid UTF-8 is replaced rather than failing.
std::string dump(const Json& j);
HttpResponse json_response(int status, const Json& j);

// Reads the fields of one JSON object; done() refuses the fields nobody read.
// Text is checked as it is read (valid UTF-8, no control characters): one line
// unless read with multiline_text_or. Every refusal names the field.
class Fields {
 public:
  Fields(const Json& object, std::string prefix = "");
  std::string text(const char* name, size_t max_len = 200);  // required, non-empty
  std::string text_or(const char* name, std::string fallback, size_t max_len = 2000);
  std::optional<std::string> opt_text(const char* name, size_t max_len = 2000,
                                      TextKind kind = TextKind::kSingleLine);
  // Free text where line breaks belong (notes, descriptions, summaries).
  std::string multiline_text_or(const char* name, std::string fallback, size_t max_len);
  int integer(const char* name, int min, int max);  // required
  int integer_or(const char* name, int fallback, int min, int max);
  // An array of mode names ("in_person", "video", "phone"); `fallback` when absent.
  ModeSet modes_or(const char* name, ModeSet fallback);
  Id id(const char* name);
  std::optional<Id> opt_id(const char* name);
  // An RFC 3339 date-time with its offset, when the field is there.
  std::optional<Instant> opt_instant(const char* name);
  std::optional<bool> opt_bool(const char* name);
  std::optional<double> opt_number(const char* name, double min, double max);
  std::vector<std::string> strings_or(const char* name, std::vector<std::string> fallback,
                                      size_t max_items = 50, size_t max_len = 200);
  std::vector<Id> ids(const char* name, size_t max_items = 100);
  std::vector<int> integers_or(const char* name, std::vector<int> fallback, size_t max_items,
                               int min, int max);
  // A nested object, or nullptr when absent.
  const Json* object(const char* name);
  // An array of objects (empty when absent), each to be read with its own
  // Fields and the prefix "name[i].".
  std::vector<const Json*> objects(const char* name, size_t max_items);
  void done() const;

 private:
  const Json* get(const char* name);
  [[noreturn]] void fail(const char* name, const std::string& what) const;

  const Json& j_;
  std::string prefix_;
  std::set<std::string> read_;
};

// Wire shapes. Times are RFC 3339 with the offset of `zone`.
Json to_json(const Organisation& o);
Json to_json(const Place& p);
Json to_json(const Service& s);
Json to_json(const Opening& o);
Json to_json(const Absence& a);
// A slot as JSON text, appended to `out`: lists of slots are written this way,
// straight into the answer (a search returns up to 2,000 of them, and objects
// built then dumped cost more than the search). Keys are in the order
// nlohmann::json writes them, so both forms read the same.
void append_json(std::string& out, const Slot& s, Zone zone);
Json to_json(const Slot& s, Zone zone);

}  // namespace rdv
