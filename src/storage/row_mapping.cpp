#include "storage/row_mapping.h"

#include <nlohmann/json.hpp>

#include "calendar/recurrence.h"
#include "domain/text.h"

namespace rdv::rows {

std::string strings_to_json(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

std::vector<std::string> strings_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array())
    for (auto& e : j)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

std::string csv(const std::vector<std::string>& v) {
  std::string out;
  for (auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<std::string> from_csv(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string webhook_events_csv(const std::vector<WebhookEvent>& events) {
  std::vector<std::string> names;
  for (WebhookEvent e : events) names.emplace_back(webhook_event_name(e));
  return csv(names);
}

std::vector<WebhookEvent> webhook_events_from_csv(const std::string& s) {
  std::vector<WebhookEvent> out;
  for (const std::string& name : from_csv(s))
    if (auto e = parse_webhook_event(name)) out.push_back(*e);
  return out;
}

std::string exdates_json(const std::vector<LocalDateTime>& v) {
  std::vector<std::string> s;
  for (auto t : v) s.push_back(format_local(t));
  return strings_to_json(s);
}

std::string reminders_json(const std::vector<int>& minutes) {
  return nlohmann::json(minutes).dump();
}

std::vector<int> reminders_from_json(const std::string& text) {
  std::vector<int> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_array())
    for (auto& m : j)
      if (m.is_number_integer()) out.push_back(m.get<int>());
  return out;
}

std::string video_json(const VideoSettings& v) {
  nlohmann::json j = {{"provider", provider_name(v.provider)},
                      {"url", v.url},
                      {"app_id", v.app_id},
                      {"secret", v.secret},
                      {"open_minutes_before", v.open_minutes_before}};
  return j.dump();
}

VideoSettings video_from_json(const std::string& text) {
  VideoSettings out;
  auto v = nlohmann::json::parse(text, nullptr, false);
  if (v.is_object()) {
    out.provider = parse_provider(v.value("provider", "none")).value_or(VideoProvider::kNone);
    out.url = v.value("url", "");
    out.app_id = v.value("app_id", "");
    out.secret = v.value("secret", "");
    out.open_minutes_before = v.value("open_minutes_before", 15);
  }
  return out;
}

std::optional<std::int64_t> epoch_or_null(const std::optional<Instant>& t) {
  return t ? std::optional<std::int64_t>(to_epoch(*t)) : std::nullopt;
}

std::string service_search_text(const Service& s, const std::string& organisation_name) {
  return " " +
         fold_for_search(s.name + " " + s.description + " " + csv(s.keywords) + " " +
                         organisation_name) +
         " ";
}

RepeatingPeriod period_from(const std::string& start_local, const std::string& end_local,
                            const std::string& timezone, const std::string& rrule,
                            const std::string& exdates) {
  RepeatingPeriod p;
  p.start = parse_local_date_time(start_local).value_or(LocalDateTime{});
  p.end = parse_local_date_time(end_local).value_or(LocalDateTime{});
  p.zone = date::locate_zone(timezone);
  p.rrule = rrule;
  for (auto& s : strings_from_json(exdates))
    if (auto t = parse_local_date_time(s)) p.exdates.push_back(*t);
  return p;
}

std::int64_t period_first_start(const RepeatingPeriod& p) { return to_epoch(first_start(p)); }

std::optional<std::int64_t> period_last_end(const RepeatingPeriod& p) {
  return epoch_or_null(last_end(p));
}

}  // namespace rdv::rows
