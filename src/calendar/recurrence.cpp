#include "calendar/recurrence.h"

#include <libical/ical.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>

#include "calendar/ical_runtime.h"
#include "domain/error.h"

namespace rdv {
namespace {

using IteratorPtr = std::unique_ptr<icalrecur_iterator, decltype(&icalrecur_iterator_free)>;
using date::local_days;

constexpr size_t kTrialOccurrences = 100;  // libical's first ones, checked against DayFilter

std::string_view strip_prefix(std::string_view rrule) {
  if (rrule.size() >= 6 && (rrule.substr(0, 6) == "RRULE:" || rrule.substr(0, 6) == "rrule:"))
    rrule.remove_prefix(6);
  return rrule;
}

bool is_sub_daily(icalrecurrencetype_frequency f) {
  return f == ICAL_SECONDLY_RECURRENCE || f == ICAL_MINUTELY_RECURRENCE ||
         f == ICAL_HOURLY_RECURRENCE;
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
  // The RSCALE string is ours to free; only the Gregorian calendar is expanded.
  bool other_calendar = rule.rscale && std::string(rule.rscale) != "GREGORIAN";
  icalmemory_free_buffer(rule.rscale);
  rule.rscale = nullptr;
  if (other_calendar || rule.freq == ICAL_NO_RECURRENCE || rule.interval < 1 || rule.count < 0)
    return std::nullopt;
  return rule;
}

template <size_t N>
std::vector<int> values_of(const short (&list)[N]) {
  std::vector<int> out;
  for (size_t i = 0; i < N && list[i] != ICAL_RECURRENCE_ARRAY_MAX; ++i) out.push_back(list[i]);
  return out;
}

struct WeekdayPart {
  int position;      // 0: every such weekday of the period
  unsigned weekday;  // 0 = Sunday, as date::weekday::c_encoding()
};

// The parts of a rule, decoded from libical's arrays.
struct RuleParts {
  icalrecurrencetype_frequency freq;
  int interval;
  std::vector<int> months, weeknos, yeardays, monthdays, setpos;
  std::vector<WeekdayPart> weekdays;
  unsigned week_start;    // 0 = Sunday
  size_t times_in_a_day;  // what BYHOUR, BYMINUTE and BYSECOND make of one day

  explicit RuleParts(const icalrecurrencetype& r)
      : freq(r.freq),
        interval(r.interval),
        months(values_of(r.by_month)),
        weeknos(values_of(r.by_week_no)),
        yeardays(values_of(r.by_year_day)),
        monthdays(values_of(r.by_month_day)),
        setpos(values_of(r.by_set_pos)),
        week_start(r.week_start == ICAL_NO_WEEKDAY ? 1u : static_cast<unsigned>(r.week_start) - 1),
        times_in_a_day(std::max<size_t>(1, values_of(r.by_hour).size()) *
                       std::max<size_t>(1, values_of(r.by_minute).size()) *
                       std::max<size_t>(1, values_of(r.by_second).size())) {
    for (int d : values_of(r.by_day))
      weekdays.push_back(
          {icalrecurrencetype_day_position(static_cast<short>(d)),
           static_cast<unsigned>(icalrecurrencetype_day_day_of_week(static_cast<short>(d))) - 1});
    for (int& m : months) m = icalrecurrencetype_month_month(static_cast<short>(m));
  }
};

// Does a list of BYxxx values (1 first, -1 last) name position `n` of `length`?
bool names_position(const std::vector<int>& values, int n, int length) {
  return std::any_of(values.begin(), values.end(),
                     [&](int v) { return v == n || v == n - length - 1; });
}

struct DayFacts {
  int month, day, month_length, year_day, year_length;
  unsigned weekday;  // 0 = Sunday

  explicit DayFacts(local_days d) {
    date::year_month_day ymd{d};
    month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    month_length = static_cast<int>(static_cast<unsigned>(
        date::year_month_day_last{ymd.year() / ymd.month() / date::last}.day()));
    year_day = static_cast<int>((d - local_days{ymd.year() / 1 / 1}).count()) + 1;
    year_length = ymd.year().is_leap() ? 366 : 365;
    weekday = date::weekday{d}.c_encoding();
  }
};

// Week number of `d` and number of weeks of its week-numbering year, weeks
// starting on `week_start`: week 1 is the first with 4 days in the year.
std::pair<int, int> week_number(local_days d, unsigned week_start) {
  auto week_of = [&](local_days x) {
    return x - date::days{(date::weekday{x}.c_encoding() + 7 - week_start) % 7};
  };
  auto first_week = [&](date::year y) { return week_of(local_days{y / 1 / 4}); };
  date::year year = date::year_month_day{d}.year();
  local_days start = week_of(d);
  if (start >= first_week(year + date::years{1}))
    year += date::years{1};
  else if (start < first_week(year))
    year -= date::years{1};
  auto weeks = (first_week(year + date::years{1}) - first_week(year)).count() / 7;
  return {static_cast<int>((start - first_week(year)).count() / 7 + 1), static_cast<int>(weeks)};
}

// Rules whose days libical gets wrong, or searches for up to the year 20000
// without finding any: a numbered BYDAY with BYWEEKNO (RFC 5545 forbids it),
// BYWEEKNO without BYDAY or with BYSETPOS. validate_rrule refuses them.
bool libical_misreads(const RuleParts& p) {
  bool numbered = std::any_of(p.weekdays.begin(), p.weekdays.end(),
                              [](const WeekdayPart& w) { return w.position != 0; });
  return p.freq == ICAL_YEARLY_RECURRENCE && !p.weeknos.empty() &&
         (p.weekdays.empty() || numbered || !p.setpos.empty());
}

// Which days a rule can select, decided day by day. libical looks for the
// first occurrence up to the year 20000 and for the next one without bound, so
// a rule without occurrence in a window costs it up to a second; this answers
// in microseconds. It reads the rule as RFC 5545 does for rules that select
// whole days and, where libical or the RFC is subtle, says "may match", so
// that it only spares libical searches that would find nothing (or, for the
// rules libical misreads, wrong days).
class DayFilter {
 public:
  DayFilter(RuleParts parts, local_days first_day)
      : p_(std::move(parts)), first_day_(first_day), start_(first_day) {
    bool yearly = p_.freq == ICAL_YEARLY_RECURRENCE, monthly = p_.freq == ICAL_MONTHLY_RECURRENCE;
    period_ = yearly                              ? Period::kYear
              : monthly                           ? Period::kMonth
              : p_.freq == ICAL_WEEKLY_RECURRENCE ? Period::kWeek
                                                  : Period::kDay;
    interval_ = is_sub_daily(p_.freq) ? 1 : p_.interval;
    // What the rule leaves out is taken from DTSTART, as libical does.
    month_from_start_ = yearly && p_.months.empty() && p_.weeknos.empty() && p_.yeardays.empty() &&
                        (p_.weekdays.empty() || !p_.monthdays.empty());
    monthday_from_start_ = (yearly || monthly) && p_.monthdays.empty() && p_.weekdays.empty() &&
                           p_.yeardays.empty() && p_.weeknos.empty();
    weekday_from_start_ = p_.freq == ICAL_WEEKLY_RECURRENCE && p_.weekdays.empty();
    ordinals_ = monthly || (yearly && p_.weeknos.empty());  // WEEKLY: libical ignores them
    ordinals_in_month_ = monthly || !p_.months.empty();
    // libical never matches a numbered BYDAY in a daily rule.
    numbered_never_match_ = p_.freq == ICAL_DAILY_RECURRENCE || is_sub_daily(p_.freq);
    never_ = libical_misreads(p_);
    // libical applies BYSETPOS to monthly and yearly sets only; a week-numbering
    // year is not a calendar year, so INTERVAL is not checked with BYWEEKNO.
    use_setpos_ = !p_.setpos.empty() && (monthly || yearly) && p_.times_in_a_day == 1;
    check_interval_ = !(yearly && !p_.weeknos.empty());
  }

  // First day of [from, to] that may hold an occurrence.
  std::optional<local_days> first_match(local_days from, local_days to) const {
    if (never_) return std::nullopt;
    from = std::max(from, first_day_);
    for (local_days p = period_start(from); p <= to; p = next_period(p))
      if (!check_interval_ || in_interval(p))
        if (auto d = first_in(p, from, to)) return d;
    return std::nullopt;
  }

 private:
  enum class Period { kDay, kWeek, kMonth, kYear };

  local_days period_start(local_days d) const {
    date::year_month_day ymd{d};
    switch (period_) {
      case Period::kDay:
        return d;
      case Period::kWeek:
        return d - date::days{(date::weekday{d}.c_encoding() + 7 - p_.week_start) % 7};
      case Period::kMonth:
        return local_days{ymd.year() / ymd.month() / 1};
      case Period::kYear:
        return local_days{ymd.year() / 1 / 1};
    }
    return d;
  }

  local_days next_period(local_days start) const {
    date::year_month_day ymd{start};
    switch (period_) {
      case Period::kDay:
        return start + date::days{1};
      case Period::kWeek:
        return start + date::days{7};
      case Period::kMonth:
        return local_days{(ymd.year() / ymd.month() + date::months{1}) / 1};
      case Period::kYear:
        return local_days{(ymd.year() + date::years{1}) / 1 / 1};
    }
    return start + date::days{1};
  }

  // Is the period starting at `p` one of those INTERVAL keeps?
  bool in_interval(local_days p) const {
    local_days p0 = period_start(first_day_);
    date::year_month_day a{p0}, b{p};
    long long index = 0;
    switch (period_) {
      case Period::kDay:
        index = (p - p0).count();
        break;
      case Period::kWeek:
        index = (p - p0).count() / 7;
        break;
      case Period::kMonth:
        index = (b.year() / b.month() - a.year() / a.month()).count();
        break;
      case Period::kYear:
        index = (b.year() - a.year()).count();
        break;
    }
    return index >= 0 && index % interval_ == 0;
  }

  std::optional<local_days> first_in(local_days period, local_days from, local_days to) const {
    local_days last = next_period(period) - date::days{1};
    if (!use_setpos_) {
      for (local_days d = std::max(period, from); d <= std::min(last, to); d += date::days{1})
        if (matches_parts(d)) return d;
      return std::nullopt;
    }
    std::vector<local_days> set;  // BYSETPOS picks among the days of the whole period
    for (local_days d = period; d <= last; d += date::days{1})
      if (matches_parts(d)) set.push_back(d);
    int n = static_cast<int>(set.size());
    for (int i = 0; i < n; ++i)
      if (set[i] >= from && set[i] <= to && names_position(p_.setpos, i + 1, n)) return set[i];
    return std::nullopt;
  }

  bool matches_parts(local_days d) const {
    DayFacts f(d);
    if (!p_.months.empty() &&
        std::find(p_.months.begin(), p_.months.end(), f.month) == p_.months.end())
      return false;
    if (!p_.monthdays.empty() && !names_position(p_.monthdays, f.day, f.month_length)) return false;
    if (!p_.yeardays.empty() && !names_position(p_.yeardays, f.year_day, f.year_length))
      return false;
    if (!p_.weeknos.empty() && !matches_week_number(d)) return false;
    if (!p_.weekdays.empty() &&
        std::none_of(p_.weekdays.begin(), p_.weekdays.end(),
                     [&](const WeekdayPart& w) { return matches_weekday(w, f); }))
      return false;
    return (!month_from_start_ || f.month == start_.month) &&
           (!monthday_from_start_ || f.day == start_.day) &&
           (!weekday_from_start_ || f.weekday == start_.weekday);
  }

  bool matches_weekday(const WeekdayPart& w, const DayFacts& f) const {
    if (w.weekday != f.weekday) return false;
    if (w.position != 0 && numbered_never_match_) return false;
    if (w.position == 0 || !ordinals_) return true;
    int index = ordinals_in_month_ ? f.day : f.year_day;
    int length = ordinals_in_month_ ? f.month_length : f.year_length;
    return w.position > 0 ? w.position == (index - 1) / 7 + 1
                          : -w.position == (length - index) / 7 + 1;
  }

  // Either numbering: the rule's WKST, or ISO weeks (Monday), which libical uses in places.
  bool matches_week_number(local_days d) const {
    for (unsigned start : {p_.week_start, 1u}) {
      auto [week, weeks] = week_number(d, start);
      if (names_position(p_.weeknos, week, weeks)) return true;
    }
    return false;
  }

  RuleParts p_;
  local_days first_day_;
  DayFacts start_;
  Period period_;
  int interval_;
  bool month_from_start_, monthday_from_start_, weekday_from_start_;
  bool ordinals_, ordinals_in_month_, numbered_never_match_, use_setpos_, check_interval_, never_;
};

// A UTC UNTIL is compared by libical with our floating (local) times as if
// both were UTC: it is moved to local time so that the last occurrence is right.
// A DATE UNTIL includes its whole day.
void localize_until(icalrecurrencetype& rule, const LocalOf& local_of) {
  if (icaltime_is_null_time(rule.until)) return;
  if (!rule.until.is_date && icaltime_is_utc(rule.until)) {
    Instant until{from_ical(rule.until).value_or(LocalDateTime{}).time_since_epoch()};
    rule.until = to_ical(local_of(until));
  } else if (rule.until.is_date) {
    rule.until =
        to_ical(from_ical(rule.until).value_or(LocalDateTime{}) + std::chrono::seconds{86399});
  }
}

// A COUNT series is walked from its start, and libical's search steps through
// every period even where nothing matches (about 2.5 µs a day): the walk stops
// after this many periods (about 5 ms), as validate_rrule requires of a series.
constexpr long long kMaxCountWalkPeriods = 1800;

std::chrono::seconds count_walk_span(const icalrecurrencetype& rule) {
  using std::chrono::seconds;
  seconds period = rule.freq == ICAL_SECONDLY_RECURRENCE   ? seconds{1}
                   : rule.freq == ICAL_MINUTELY_RECURRENCE ? seconds{60}
                   : rule.freq == ICAL_HOURLY_RECURRENCE   ? seconds{3600}
                   : rule.freq == ICAL_DAILY_RECURRENCE    ? date::days{1}
                   : rule.freq == ICAL_WEEKLY_RECURRENCE   ? date::days{7}
                   : rule.freq == ICAL_MONTHLY_RECURRENCE  ? date::days{28}
                                                           : date::days{365};
  return period * rule.interval * kMaxCountWalkPeriods;
}

// libical's starts of `rule` from `dtstart` in [from, to), DTSTART not added.
std::vector<LocalDateTime> walk(icalrecurrencetype rule, LocalDateTime dtstart, LocalDateTime from,
                                LocalDateTime to, const ExpansionLimits& limits, size_t& steps) {
  std::vector<LocalDateTime> out;
  steps = 0;
  if (rule.count > 0) {
    LocalDateTime walk_end = dtstart + count_walk_span(rule);
    if (from >= walk_end) return out;
    to = std::min(to, walk_end);
  }
  // libical looks for the next match without regard to the window; an UNTIL at
  // its end stops the daily and weekly searches there.
  icaltimetype end = to_ical(to);
  if (icaltime_is_null_time(rule.until) || icaltime_compare(rule.until, end) > 0) rule.until = end;
  // Endless rules start near the window so that old rules stay cheap. (With
  // COUNT the walk from DTSTART is bounded by the count and the limits.)
  // libical's own jump walks step by step for sub-daily rules, so those are
  // re-anchored here: a whole number of periods later, the pattern is the same.
  LocalDateTime anchor = dtstart;
  bool sub_daily = is_sub_daily(rule.freq);
  if (sub_daily && rule.count == 0 && from > dtstart) {
    std::chrono::seconds period{rule.interval * (rule.freq == ICAL_SECONDLY_RECURRENCE   ? 1
                                                 : rule.freq == ICAL_MINUTELY_RECURRENCE ? 60
                                                                                         : 3600)};
    anchor += ((from - dtstart) / period) * period;
  }
  IteratorPtr it(icalrecur_iterator_new(rule, to_ical(anchor)), &icalrecur_iterator_free);
  if (!it) return out;
  if (!sub_daily && rule.count == 0 && from - dtstart > date::days{2})
    icalrecur_iterator_set_start(it.get(), to_ical(from - date::days{1}));
  for (; steps < limits.max_iterations; ++steps) {
    icaltimetype next = icalrecur_iterator_next(it.get());
    if (icaltime_is_null_time(next)) break;
    auto valid = from_ical(next);
    if (!valid || *valid >= to) break;
    if (*valid >= from && *valid >= dtstart) {
      out.push_back(*valid);
      if (out.size() >= limits.max_occurrences) break;
    }
  }
  return out;
}

local_days day_of(LocalDateTime t) { return date::floor<date::days>(t); }

// ---- validation: each check throws ClientError kInvalidRrule ----

[[noreturn]] void refuse(std::string_view rrule, const std::string& why) {
  throw ClientError(ErrorCode::kInvalidRrule,
                    "invalid rrule '" + std::string(rrule.substr(0, 200)) + "': " + why);
}

void check_number(std::string_view rrule, const std::string& name, std::string_view value,
                  int max) {
  bool digits = !value.empty() && value.size() <= 9 &&
                std::all_of(value.begin(), value.end(),
                            [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  int n = digits ? std::stoi(std::string(value)) : 0;
  if (n < 1 || n > max) refuse(rrule, name + " must be a number from 1 to " + std::to_string(max));
}

// What libical reads loosely or not at all: INTERVAL=65537 is 1 to it.
void check_text(std::string_view rrule, std::string_view text) {
  while (!text.empty()) {
    std::string_view part = text.substr(0, text.find(';'));
    text.remove_prefix(std::min(text.size(), part.size() + 1));
    auto eq = part.find('=');
    std::string name(part.substr(0, eq));
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
    if (name == "BYHOUR" || name == "BYMINUTE" || name == "BYSECOND")
      refuse(rrule, name + " is not accepted: the rule repeats whole periods, at most daily");
    if (name == "RSCALE" || name == "SKIP") refuse(rrule, name + " is not supported");
    if (name == "INTERVAL") check_number(rrule, name, value, kMaxRruleInterval);
    if (name == "COUNT") check_number(rrule, name, value, kMaxRruleCount);
    if (name == "BYMONTH" && value.find_first_of("Ll") != std::string_view::npos)
      refuse(rrule, "leap months (BYMONTH=...L) are not supported");
  }
}

void check_range(std::string_view rrule, const char* name, const std::vector<int>& values,
                 int max) {
  for (int v : values)
    if (v == 0 || v > max || v < -max)
      refuse(rrule, std::string(name) + "=" + std::to_string(v) + " is out of range (±1.." +
                        std::to_string(max) + ")");
}

// Parts by frequency and value ranges (RFC 5545, section 3.3.10).
void check_parts(std::string_view rrule, const icalrecurrencetype& rule, const RuleParts& p) {
  if (rule.freq != ICAL_DAILY_RECURRENCE && rule.freq != ICAL_WEEKLY_RECURRENCE &&
      rule.freq != ICAL_MONTHLY_RECURRENCE && rule.freq != ICAL_YEARLY_RECURRENCE)
    refuse(rrule, "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY");
  if (!icaltime_is_null_time(rule.until) && !from_ical(rule.until))
    refuse(rrule, "UNTIL is not a valid date");
  bool yearly = rule.freq == ICAL_YEARLY_RECURRENCE;
  bool monthly = rule.freq == ICAL_MONTHLY_RECURRENCE;
  if (!yearly && (!p.weeknos.empty() || !p.yeardays.empty()))
    refuse(rrule, "BYWEEKNO and BYYEARDAY need FREQ=YEARLY");
  if (rule.freq == ICAL_WEEKLY_RECURRENCE && !p.monthdays.empty())
    refuse(rrule, "BYMONTHDAY cannot be used with FREQ=WEEKLY");
  // Combinations libical does not expand (or expands wrongly).
  if (!p.weeknos.empty() && (p.weekdays.empty() || !p.setpos.empty() || !p.monthdays.empty()))
    refuse(rrule, "BYWEEKNO is supported with BYDAY only, without BYSETPOS or BYMONTHDAY");
  if (!p.yeardays.empty() && (!p.months.empty() || !p.monthdays.empty() || !p.weeknos.empty()))
    refuse(rrule, "BYYEARDAY cannot be combined with BYMONTH, BYMONTHDAY or BYWEEKNO");
  if (!p.setpos.empty() && !monthly && !yearly)
    refuse(rrule, "BYSETPOS needs FREQ=MONTHLY or YEARLY");
  if (!p.setpos.empty() && p.months.empty() && p.weeknos.empty() && p.yeardays.empty() &&
      p.monthdays.empty() && p.weekdays.empty())
    refuse(rrule, "BYSETPOS needs another BYxxx part");
  for (int m : p.months)
    if (m < 1 || m > 12) refuse(rrule, "BYMONTH=" + std::to_string(m) + " is not a month (1..12)");
  check_range(rrule, "BYMONTHDAY", p.monthdays, 31);
  check_range(rrule, "BYYEARDAY", p.yeardays, 366);
  check_range(rrule, "BYWEEKNO", p.weeknos, 53);
  check_range(rrule, "BYSETPOS", p.setpos, monthly ? 31 : 366);
  int max_ordinal = monthly || (yearly && !p.months.empty()) ? 5 : yearly ? 53 : 0;
  for (const WeekdayPart& w : p.weekdays) {
    if (w.position == 0) continue;
    if (max_ordinal == 0 || !p.weeknos.empty())
      refuse(rrule, "a numbered BYDAY (2TU) needs FREQ=MONTHLY, or YEARLY without BYWEEKNO");
    if (std::abs(w.position) > max_ordinal)
      refuse(rrule, "BYDAY position " + std::to_string(w.position) + " is out of range (±1.." +
                        std::to_string(max_ordinal) +
                        (max_ordinal == 5 ? " within a month)" : " within a year)"));
  }
}

// BYMONTH=2;BYMONTHDAY=30 and the like name no day at all.
void check_month_days(std::string_view rrule, const RuleParts& p) {
  if (p.monthdays.empty()) return;
  constexpr int kLongest[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::vector<int> months = p.months;
  if (months.empty())
    for (int m = 1; m <= 12; ++m) months.push_back(m);
  for (int m : months)
    for (int d : p.monthdays)
      if (std::abs(d) <= kLongest[m - 1]) return;
  refuse(rrule, "BYMONTHDAY names no day of the months of the rule");
}

// The rule must match soon after its start, by DayFilter and by libical alike,
// so that the filter can later spare libical its searches on this rule.
void check_matches_soon(std::string_view rrule, icalrecurrencetype rule, const RuleParts& parts,
                        LocalDateTime start) {
  const std::string never =
      "the rule has no occurrence within " + std::to_string(kRruleTrialYears) + " years";
  LocalDateTime horizon = start + date::years{kRruleTrialYears};
  DayFilter filter(parts, day_of(start));
  if (!filter.first_match(day_of(start), day_of(horizon))) refuse(rrule, never);
  rule.count = 0;  // the pattern is tried, whatever its end
  rule.until = icaltime_null_time();
  size_t steps = 0;
  auto found =
      walk(rule, start, start, horizon, {kTrialOccurrences, 20 * kTrialOccurrences}, steps);
  if (found.empty()) refuse(rrule, never);
  for (LocalDateTime t : found)
    if (!filter.first_match(day_of(t), day_of(t)))
      refuse(rrule, "this combination of parts is not supported");
}

// A COUNT series is walked from its start at each expansion: it must end
// within kMaxCountWalkPeriods (UNTIL can end a series later).
void check_count_ends_soon(std::string_view rrule, const icalrecurrencetype& rule,
                           LocalDateTime start) {
  if (rule.count == 0) return;
  auto count = static_cast<size_t>(rule.count);
  size_t steps = 0;
  auto found = walk(rule, start, start, start + count_walk_span(rule), {count, count + 1}, steps);
  if (found.size() < count) {
    const char* unit = rule.freq == ICAL_DAILY_RECURRENCE     ? " days"
                       : rule.freq == ICAL_WEEKLY_RECURRENCE  ? " weeks"
                       : rule.freq == ICAL_MONTHLY_RECURRENCE ? " months"
                                                              : " years";
    refuse(rrule, "a series with COUNT must end within " +
                      std::to_string(kMaxCountWalkPeriods * rule.interval) + unit +
                      " of its start; UNTIL can end it later");
  }
}

}  // namespace

void validate_rrule(std::string_view rrule, std::optional<LocalDateTime> dtstart) {
  std::string_view text = strip_prefix(rrule);
  check_text(rrule, text);
  auto rule = parse_rule(text);
  if (!rule)
    refuse(rrule, "not an RFC 5545 rule (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY and its parts)");
  RuleParts parts(*rule);
  check_parts(rrule, *rule, parts);
  check_month_days(rrule, parts);
  // A leap year's first day: what the rule leaves out is then the most permissive.
  LocalDateTime fallback{local_days{date::year{2028} / 1 / 1}};
  LocalDateTime start = dtstart.value_or(fallback);
  check_matches_soon(rrule, *rule, parts, start);
  check_count_ends_soon(rrule, *rule, start);
}

bool repeats_more_than_daily(std::string_view rrule) {
  auto rule = parse_rule(rrule);
  return rule && (is_sub_daily(rule->freq) || RuleParts(*rule).times_in_a_day > 1);
}

std::vector<LocalDateTime> expand_local_starts(LocalDateTime dtstart, const LocalOf& local_of,
                                               std::string_view rrule, LocalDateTime from,
                                               LocalDateTime to, ExpansionLimits limits,
                                               size_t* iterations) {
  std::vector<LocalDateTime> out;
  size_t steps = 0;
  if (!rrule.empty()) {
    auto rule = parse_rule(rrule);
    if (!rule) return out;  // rules are validated on input; a bad stored one yields nothing
    localize_until(*rule, local_of);
    if (DayFilter(RuleParts(*rule), day_of(dtstart)).first_match(day_of(from), day_of(to)))
      out = walk(*rule, dtstart, from, to, limits, steps);
  }
  if (iterations) *iterations = steps;
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
  // Once per write: room to walk a long series. Cut short, it counts as endless.
  ExpansionLimits limits{5000, 20000};
  size_t steps = 0;
  auto starts = expand_local_starts(
      p.start, [&p](Instant t) { return to_local(t, p.zone); }, p.rrule, p.start,
      p.start + date::years{200}, limits, &steps);
  if (starts.empty() || starts.size() >= limits.max_occurrences || steps >= limits.max_iterations)
    return std::nullopt;
  return to_instant_lenient(starts.back() + length, p.zone);
}

}  // namespace rdv
