#include "calendar/recurrence.h"

#include <libical/ical.h>

#include <algorithm>
#include <memory>
#include <string>

#include "calendar/ical_runtime.h"
#include "domain/error.h"

namespace rdv {
namespace {

using IteratorPtr = std::unique_ptr<icalrecur_iterator, decltype(&icalrecur_iterator_free)>;

std::string_view strip_prefix(std::string_view rrule) {
  if (rrule.size() >= 6 && (rrule.substr(0, 6) == "RRULE:" || rrule.substr(0, 6) == "rrule:"))
    rrule.remove_prefix(6);
  return rrule;
}

// Parses a rule; nullopt when libical refuses it.
std::optional<icalrecurrencetype> parse_rule(std::string_view rrule) {
  std::string text(strip_prefix(rrule));
  if (text.empty() || text.size() > 1000) return std::nullopt;
  ical_utc();
  icalerror_clear_errno();
  icalrecurrencetype rule = icalrecurrencetype_from_string(text.c_str());
  if (icalerrno != ICAL_NO_ERROR) {
    icalerror_clear_errno();
    return std::nullopt;
  }
  if (rule.freq == ICAL_NO_RECURRENCE || rule.interval < 1 || rule.count < 0) return std::nullopt;
  return rule;
}

}  // namespace

void validate_rrule(std::string_view rrule) {
  auto rule = parse_rule(rrule);
  bool daily_or_less =
      rule && (rule->freq == ICAL_DAILY_RECURRENCE || rule->freq == ICAL_WEEKLY_RECURRENCE ||
               rule->freq == ICAL_MONTHLY_RECURRENCE || rule->freq == ICAL_YEARLY_RECURRENCE);
  if (!daily_or_less)
    throw ClientError(ErrorCode::kInvalidRrule,
                      "invalid rrule '" + std::string(rrule.substr(0, 200)) +
                          "' (RFC 5545, FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)");
}

std::vector<LocalDateTime> expand_local_starts(LocalDateTime dtstart, const LocalOf& local_of,
                                               std::string_view rrule, LocalDateTime from,
                                               LocalDateTime to, ExpansionLimits limits,
                                               size_t* iterations) {
  std::vector<LocalDateTime> out;
  if (rrule.empty()) {
    if (dtstart >= from && dtstart < to) out.push_back(dtstart);
    return out;
  }
  auto rule = parse_rule(rrule);
  if (!rule) return out;  // rules are validated on input; a bad stored one yields nothing
  // A UTC UNTIL is compared by libical with our floating (local) times as if both
  // were UTC; move it to local time first so the last occurrence is right.
  if (!icaltime_is_null_time(rule->until) && !rule->until.is_date && icaltime_is_utc(rule->until)) {
    Instant until{from_ical(rule->until).value_or(LocalDateTime{}).time_since_epoch()};
    rule->until = to_ical(local_of(until));
  } else if (!icaltime_is_null_time(rule->until) && rule->until.is_date) {
    // A DATE UNTIL includes its whole day.
    rule->until =
        to_ical(from_ical(rule->until).value_or(LocalDateTime{}) + std::chrono::seconds{86399});
  }
  // Endless rules start near the window so that old rules stay cheap. (With
  // COUNT the walk from DTSTART is bounded by the count and the limits.)
  // libical's own jump walks step by step for sub-daily rules, so those are
  // re-anchored here: a whole number of periods later, the pattern is the same.
  LocalDateTime anchor = dtstart;
  bool sub_daily = rule->freq == ICAL_SECONDLY_RECURRENCE ||
                   rule->freq == ICAL_MINUTELY_RECURRENCE || rule->freq == ICAL_HOURLY_RECURRENCE;
  if (sub_daily && rule->count == 0 && from > dtstart) {
    std::chrono::seconds period{rule->interval * (rule->freq == ICAL_SECONDLY_RECURRENCE   ? 1
                                                  : rule->freq == ICAL_MINUTELY_RECURRENCE ? 60
                                                                                           : 3600)};
    anchor += ((from - dtstart) / period) * period;
  }
  IteratorPtr it(icalrecur_iterator_new(*rule, to_ical(anchor)), &icalrecur_iterator_free);
  if (!it) return out;
  if (!sub_daily && rule->count == 0 && from - dtstart > date::days{2})
    icalrecur_iterator_set_start(it.get(), to_ical(from - date::days{1}));
  size_t step = 0;
  for (; step < limits.max_iterations; ++step) {
    icaltimetype next = icalrecur_iterator_next(it.get());
    if (icaltime_is_null_time(next)) break;
    auto valid = from_ical(next);
    if (!valid) break;
    LocalDateTime t = *valid;
    if (t >= to) break;
    if (t >= from && t >= dtstart) {
      out.push_back(t);
      if (out.size() >= limits.max_occurrences) break;
    }
  }
  if (iterations) *iterations = step;
  // RFC 5545 counts DTSTART as the first occurrence even when the rule does not match it.
  if (dtstart >= from && dtstart < to && !std::binary_search(out.begin(), out.end(), dtstart))
    out.insert(std::lower_bound(out.begin(), out.end(), dtstart), dtstart);
  return out;
}

std::vector<TimeRange> occurrences(const RepeatingPeriod& p, TimeRange window,
                                   ExpansionLimits limits) {
  std::vector<TimeRange> out;
  auto length = p.end - p.start;
  // Local window wide enough for any offset (±14 h) and for occurrences that
  // started before the window but still run into it.
  LocalDateTime from = to_local(window.start, p.zone) - length - date::days{1};
  LocalDateTime to = to_local(window.end, p.zone) + date::days{1};
  auto local_of = [&p](Instant t) { return to_local(t, p.zone); };
  for (LocalDateTime s : expand_local_starts(p.start, local_of, p.rrule, from, to, limits)) {
    if (std::find(p.exdates.begin(), p.exdates.end(), s) != p.exdates.end()) continue;
    TimeRange r{to_instant_lenient(s, p.zone), to_instant_lenient(s + length, p.zone)};
    if (r.end > r.start && r.overlaps(window)) out.push_back(r);
  }
  return out;
}

Instant first_start(const RepeatingPeriod& p) { return to_instant_lenient(p.start, p.zone); }

std::optional<Instant> last_end(const RepeatingPeriod& p) {
  auto length = p.end - p.start;
  if (p.rrule.empty()) return to_instant_lenient(p.end, p.zone);
  auto rule = parse_rule(p.rrule);
  if (!rule) return to_instant_lenient(p.end, p.zone);
  if (rule->count == 0 && icaltime_is_null_time(rule->until)) return std::nullopt;
  ExpansionLimits limits;
  auto starts = expand_local_starts(
      p.start, [&p](Instant t) { return to_local(t, p.zone); }, p.rrule, p.start,
      p.start + date::years{200}, limits);
  if (starts.empty() || starts.size() >= limits.max_occurrences) return std::nullopt;
  return to_instant_lenient(starts.back() + length, p.zone);
}

}  // namespace rdv
