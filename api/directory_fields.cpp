#include "directory_fields.h"

#include <algorithm>

#include "domain/error.h"

namespace rdv {
namespace {

const std::vector<std::string> kOrganisationKinds = {
    "commune", "epci", "france_services", "msap", "association", "department", "other"};

std::string zone_field(Fields& f, const std::string& fallback) {
  std::string tz = f.text_or("timezone", fallback, 64);
  zone_named(tz);  // throws kInvalidTimezone
  return tz;
}

}  // namespace

std::string one_of(Fields& f, const char* name, const std::vector<std::string>& allowed,
                   const std::string& fallback) {
  std::string v = f.text_or(name, fallback, 50);
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
    std::string list;
    for (auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw ClientError(ErrorCode::kInvalidInput, std::string(name) + " must be one of " + list);
  }
  return v;
}

void read_organisation_fields(Fields& f, Organisation& o, bool creating) {
  o.name = creating ? f.text("name") : f.text_or("name", o.name, 200);
  if (o.name.empty()) invalid_field("name", "must not be empty");
  o.kind = one_of(f, "kind", kOrganisationKinds, o.kind.empty() ? "commune" : o.kind);
  o.timezone = zone_field(f, o.timezone);
  if (auto see = f.opt_bool("colleagues_see_agendas")) o.colleagues_see_agendas = *see;
}

void read_place_fields(Fields& f, Place& p, bool creating) {
  p.name = creating ? f.text("name") : f.text_or("name", p.name, 200);
  if (p.name.empty()) invalid_field("name", "must not be empty");
  p.address = f.text_or("address", p.address, 300);
  p.postcode = f.text_or("postcode", p.postcode, 10);
  p.city = f.text_or("city", p.city, 100);
  p.accessibility = f.multiline_text_or("accessibility", p.accessibility, 1000);
  p.opening_hours = f.multiline_text_or("opening_hours", p.opening_hours, 1000);
  if (auto lat = f.opt_number("latitude", -90, 90)) p.latitude = lat;
  if (auto lon = f.opt_number("longitude", -180, 180)) p.longitude = lon;
  p.timezone = zone_field(f, p.timezone);
}

void read_service_fields(Fields& f, Service& s, bool creating) {
  s.name = creating ? f.text("name") : f.text_or("name", s.name, 200);
  if (s.name.empty()) invalid_field("name", "must not be empty");
  s.description = f.multiline_text_or("description", s.description, 4000);
  s.keywords = f.strings_or("keywords", s.keywords);
  s.documents_to_bring = f.strings_or("documents_to_bring", s.documents_to_bring, 50, 500);
  s.duration_minutes =
      creating ? f.integer("duration_minutes", 5, kMaxServiceMinutes)
               : f.integer_or("duration_minutes", s.duration_minutes, 5, kMaxServiceMinutes);
  s.slot_step_minutes = f.integer_or("slot_step_minutes", s.slot_step_minutes, 0, 720);
  s.modes = f.modes_or("modes", s.modes);
  if (s.modes.empty()) invalid_field("modes", "must not be empty");
  s.min_notice_minutes = f.integer_or("min_notice_minutes", s.min_notice_minutes, 0, 60 * 24 * 365);
  s.horizon_days = f.integer_or("horizon_days", s.horizon_days, 1, 730);
  s.buffer_before_minutes =
      f.integer_or("buffer_before_minutes", s.buffer_before_minutes, 0, kMaxBufferMinutes);
  s.buffer_after_minutes =
      f.integer_or("buffer_after_minutes", s.buffer_after_minutes, 0, kMaxBufferMinutes);
  s.capacity = f.integer_or("capacity", s.capacity, 1, 500);
  s.cancel_until_minutes =
      f.integer_or("cancel_until_minutes", s.cancel_until_minutes, 0, 60 * 24 * 30);
  s.bookable_by = f.strings_or("bookable_by", s.bookable_by, 3, 10);
  for (auto& who : s.bookable_by)
    if (who != "public" && who != "desk" && who != "agent")
      invalid_field("bookable_by", "must be public, desk or agent");
  if (s.bookable_by.empty()) invalid_field("bookable_by", "must not be empty");
  s.reminders = f.integers_or("reminders_minutes", s.reminders, 5, 1, 60 * 24 * 30);
}

}  // namespace rdv
