#include "json_io.h"

#include <set>
#include <vector>

#include "domain/error.h"

namespace rdv {

bool is_json_media_type(const std::string* content_type) {
  if (!content_type) return false;
  std::string type = content_type->substr(0, content_type->find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "application/json";
}

Json parse_json_object(const HttpRequest& request) {
  // Browsers send text/plain and forms to other sites without asking (no
  // CORS preflight); requiring application/json keeps other sites out.
  if (!is_json_media_type(request.header("content-type")))
    throw ClientError(ErrorCode::kUnsupportedMediaType,
                      "the body must be sent with Content-Type: application/json");
  // A key given twice is refused: a filter in front reading the first one
  // and we reading the last would not see the same request.
  std::vector<std::set<std::string>> keys;  // of each open object
  bool duplicate = false;
  Json::parser_callback_t track = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) keys.emplace_back();
    if (event == Json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (event == Json::parse_event_t::key && !keys.empty() &&
        !keys.back().insert(parsed.get<std::string>()).second)
      duplicate = true;
    return true;
  };
  Json j = Json::parse(request.body, track, false);
  if (j.is_discarded()) throw ClientError(ErrorCode::kInvalidJson, "the body is not valid JSON");
  if (duplicate)
    throw ClientError(ErrorCode::kInvalidJson, "the body gives the same key twice in one object");
  if (!j.is_object()) throw ClientError(ErrorCode::kInvalidJson, "the body must be a JSON object");
  return j;
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

HttpResponse json_response(int status, const Json& j) {
  return {status, "application/json", dump(j), {}};
}

Fields::Fields(const Json& object, std::string prefix) : j_(object), prefix_(std::move(prefix)) {}

void Fields::fail(const char* name, const std::string& what) const {
  invalid_field(prefix_ + name, what);
}

const Json* Fields::get(const char* name) {
  read_.insert(name);
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> Fields::opt_text(const char* name, size_t max_len, TextKind kind) {
  const Json* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) fail(name, "must be a string");
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max_len) fail(name, "is too long (at most " + std::to_string(max_len) + " bytes)");
  check_text(s, kind, prefix_ + name);
  return s;
}

std::string Fields::multiline_text_or(const char* name, std::string fallback, size_t max_len) {
  auto v = opt_text(name, max_len, TextKind::kMultiLine);
  return v ? *v : fallback;
}

std::string Fields::text(const char* name, size_t max_len) {
  auto v = opt_text(name, max_len);
  if (!v || v->empty()) fail(name, "is required");
  return *v;
}

std::string Fields::text_or(const char* name, std::string fallback, size_t max_len) {
  auto v = opt_text(name, max_len);
  return v ? *v : fallback;
}

int Fields::integer(const char* name, int min, int max) {
  if (!get(name)) fail(name, "is required");
  return integer_or(name, min, min, max);
}

ModeSet Fields::modes_or(const char* name, ModeSet fallback) {
  const Json* v = get(name);
  if (!v) return fallback;
  ModeSet set;
  for (const auto& m : strings_or(name, {}, 3, 20)) {
    auto mode = parse_mode(m);
    if (!mode) fail(name, "must hold in_person, video or phone");
    set.add(*mode);
  }
  return set;
}

int Fields::integer_or(const char* name, int fallback, int min, int max) {
  const Json* v = get(name);
  if (!v) return fallback;
  if (!v->is_number_integer()) fail(name, "must be an integer");
  auto n = v->get<std::int64_t>();
  if (n < min || n > max)
    fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return static_cast<int>(n);
}

std::optional<Instant> Fields::opt_instant(const char* name) {
  auto text = opt_text(name, 40);
  if (!text) return std::nullopt;
  auto t = parse_rfc3339(*text);
  if (!t) fail(name, "must be an RFC 3339 date-time with offset");
  return t;
}

std::optional<Id> Fields::opt_id(const char* name) {
  const Json* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_number_integer() || v->get<std::int64_t>() <= 0) fail(name, "must be a positive id");
  return v->get<Id>();
}

Id Fields::id(const char* name) {
  auto v = opt_id(name);
  if (!v) fail(name, "is required");
  return *v;
}

std::optional<bool> Fields::opt_bool(const char* name) {
  const Json* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) fail(name, "must be true or false");
  return v->get<bool>();
}

std::optional<double> Fields::opt_number(const char* name, double min, double max) {
  const Json* v = get(name);
  if (!v) return std::nullopt;
  if (!v->is_number()) fail(name, "must be a number");
  double d = v->get<double>();
  if (!(d >= min && d <= max)) fail(name, "is out of range");
  return d;
}

std::vector<std::string> Fields::strings_or(const char* name, std::vector<std::string> fallback,
                                            size_t max_items, size_t max_len) {
  const Json* v = get(name);
  if (!v) return fallback;
  if (!v->is_array()) fail(name, "must be an array of strings");
  if (v->size() > max_items) fail(name, "has too many items");
  std::vector<std::string> out;
  for (const auto& e : *v) {
    if (!e.is_string()) fail(name, "must be an array of strings");
    if (e.get_ref<const std::string&>().size() > max_len) fail(name, "has a too long item");
    check_text(e.get_ref<const std::string&>(), TextKind::kSingleLine, prefix_ + name);
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::vector<Id> Fields::ids(const char* name, size_t max_items) {
  const Json* v = get(name);
  if (!v || !v->is_array() || v->empty()) fail(name, "must be a non-empty array of ids");
  if (v->size() > max_items) fail(name, "has too many items");
  std::vector<Id> out;
  for (const auto& e : *v) {
    if (!e.is_number_integer() || e.get<std::int64_t>() <= 0) fail(name, "must contain ids");
    out.push_back(e.get<Id>());
  }
  return out;
}

std::vector<int> Fields::integers_or(const char* name, std::vector<int> fallback, size_t max_items,
                                     int min, int max) {
  const Json* v = get(name);
  if (!v) return fallback;
  if (!v->is_array() || v->size() > max_items)
    fail(name, "must be an array of at most " + std::to_string(max_items) + " integers");
  std::vector<int> out;
  for (const auto& e : *v) {
    if (!e.is_number_integer() || e.get<std::int64_t>() < min || e.get<std::int64_t>() > max)
      fail(name,
           "must hold integers between " + std::to_string(min) + " and " + std::to_string(max));
    out.push_back(e.get<int>());
  }
  return out;
}

const Json* Fields::object(const char* name) {
  const Json* v = get(name);
  if (v && !v->is_object()) fail(name, "must be an object");
  return v;
}

std::vector<const Json*> Fields::objects(const char* name, size_t max_items) {
  std::vector<const Json*> out;
  const Json* v = get(name);
  if (!v) return out;
  if (!v->is_array() || v->size() > max_items)
    fail(name, "must be an array of at most " + std::to_string(max_items) + " objects");
  for (const Json& item : *v) {
    if (!item.is_object()) fail(name, "must be an array of objects");
    out.push_back(&item);
  }
  return out;
}

void Fields::done() const {
  for (auto it = j_.begin(); it != j_.end(); ++it)
    if (!read_.count(it.key()))
      throw ClientError(ErrorCode::kInvalidInput, "unknown field " + prefix_ + it.key(),
                        prefix_ + it.key());
}

Json to_json(const Organisation& o) {
  return {{"id", o.id},
          {"name", o.name},
          {"kind", o.kind},
          {"timezone", o.timezone},
          {"territory_id", o.territory_id ? Json(*o.territory_id) : Json(nullptr)},
          {"colleagues_see_agendas", o.colleagues_see_agendas},
          {"archived", o.archived}};
}

Json to_json(const Place& p) {
  Json j = {{"id", p.id},
            {"organisation_id", p.organisation_id},
            {"name", p.name},
            {"address", p.address},
            {"postcode", p.postcode},
            {"city", p.city},
            {"accessibility", p.accessibility},
            {"opening_hours", p.opening_hours},
            {"timezone", p.timezone}};
  j["latitude"] = p.latitude ? Json(*p.latitude) : Json(nullptr);
  j["longitude"] = p.longitude ? Json(*p.longitude) : Json(nullptr);
  return j;
}

Json to_json(const Service& s) {
  Json modes = Json::array();
  for (Mode m : s.modes.list()) modes.push_back(mode_name(m));
  return {{"id", s.id},
          {"organisation_id", s.organisation_id},
          {"name", s.name},
          {"description", s.description},
          {"keywords", s.keywords},
          {"documents_to_bring", s.documents_to_bring},
          {"duration_minutes", s.duration_minutes},
          {"slot_step_minutes", s.slot_step_minutes > 0 ? s.slot_step_minutes : s.duration_minutes},
          {"modes", modes},
          {"min_notice_minutes", s.min_notice_minutes},
          {"horizon_days", s.horizon_days},
          {"buffer_before_minutes", s.buffer_before_minutes},
          {"buffer_after_minutes", s.buffer_after_minutes},
          {"capacity", s.capacity},
          {"cancel_until_minutes", s.cancel_until_minutes},
          {"bookable_by", s.bookable_by},
          {"reminders_minutes", s.reminders},
          {"archived", s.archived}};
}

Json to_json(const Opening& o) {
  Json modes = Json::array();
  for (Mode m : o.modes.list()) modes.push_back(mode_name(m));
  Json exdates = Json::array();
  for (auto t : o.period.exdates) exdates.push_back(format_local(t));
  return {{"id", o.id},
          {"agent_id", o.agent_id},
          {"place_id", o.place_id},
          {"service_ids", o.service_ids},
          {"modes", modes},
          {"start", format_local(o.period.start)},
          {"end", format_local(o.period.end)},
          {"timezone", o.period.zone->name()},
          {"rrule", o.period.rrule},
          {"exdates", exdates}};
}

Json to_json(const Absence& a) {
  return {{"id", a.id},
          {"agent_id", a.agent_id},
          {"start", format_local(a.period.start)},
          {"end", format_local(a.period.end)},
          {"timezone", a.period.zone->name()},
          {"rrule", a.period.rrule},
          {"reason", a.reason}};
}

void append_json(std::string& out, const Slot& s, Zone zone) {
  out += R"({"agent_id":)";
  out += std::to_string(s.agent_id);
  out += R"(,"end":")";
  out += format_rfc3339(s.end, zone);
  out += R"(","mode":")";
  out += mode_name(s.mode);
  out += R"(","place_id":)";
  out += std::to_string(s.place_id);
  out += R"(,"remaining":)";
  out += std::to_string(s.remaining);
  out += R"(,"start":")";
  out += format_rfc3339(s.start, zone);
  out += R"("})";
}

Json to_json(const Slot& s, Zone zone) {
  std::string text;
  append_json(text, s, zone);
  return Json::parse(text);
}

}  // namespace rdv
