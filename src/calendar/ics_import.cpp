#include "calendar/ics_import.h"

#include <libical/ical.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "calendar/ical_runtime.h"
#include "calendar/recurrence.h"
#include "calendar/windows_zones.h"

namespace rdv {
namespace {

using ComponentPtr = std::unique_ptr<icalcomponent, decltype(&icalcomponent_free)>;
constexpr auto kMaxDuration = std::chrono::days{400};

std::string trim(std::string s) {
  auto first = s.find_first_not_of(" \t\"");
  auto last = s.find_last_not_of(" \t\"");
  return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

std::string text_of(const char* s) { return s ? std::string(s) : std::string(); }

// A zone defined only by a VTIMEZONE of the file ("Canberra, Melbourne,
// Sydney", " 1"). libical computes its offsets; it caches lazily, so one call
// at a time.
class FileZone {
 public:
  explicit FileZone(icalcomponent* vtimezone) : zone_(icaltimezone_new()) {
    icaltimezone_set_component(zone_, icalcomponent_new_clone(vtimezone));
  }
  ~FileZone() { icaltimezone_free(zone_, 1); }
  FileZone(const FileZone&) = delete;

  std::chrono::seconds offset_at_local(LocalDateTime t) const {
    std::lock_guard lock(mutex_);
    icaltimetype tt = to_ical(t);
    int dst = 0;
    return std::chrono::seconds{icaltimezone_get_utc_offset(zone_, &tt, &dst)};
  }
  std::chrono::seconds offset_at_utc(Instant t) const {
    std::lock_guard lock(mutex_);
    icaltimetype tt = to_ical(LocalDateTime{t.time_since_epoch()});
    int dst = 0;
    return std::chrono::seconds{icaltimezone_get_utc_offset_of_utc_time(zone_, &tt, &dst)};
  }

 private:
  icaltimezone* zone_;
  mutable std::mutex mutex_;
};

// Where a date-time is read: UTC, an IANA zone, a zone of the file, or
// floating (the agent's zone) when none is set.
struct EventZone {
  bool utc = false;
  Zone iana = nullptr;
  std::shared_ptr<const FileZone> file;
  std::string tzid;  // as written, to compare DTSTART and DTEND
};

struct TimeValue {
  LocalDateTime local;
  bool is_date = false;
  EventZone zone;
};

struct RDate {
  TimeValue start;
  std::optional<TimeValue> end;  // RDATE;VALUE=PERIOD
};

struct Event {
  std::string uid, summary, description, location;
  TimeValue start;
  std::chrono::seconds duration{0};
  bool wall_clock_duration = true;  // end read in the start's zone: keep local length
  std::vector<std::string> rrules;
  std::vector<RDate> rdates;
  std::vector<TimeValue> exdates;
  std::optional<TimeValue> recurrence_id;
  bool this_and_future = false;
  bool transparent = false;
  bool cancelled = false;
};

}  // namespace

struct ImportedCalendar::Impl {
  Zone local_zone = nullptr;
  ImportLimits limits;
  std::vector<Event> events;
  std::map<std::string, std::vector<const Event*>> overrides;  // by UID
  std::set<std::string> with_master;                           // UIDs of series read
  std::vector<std::string> warnings;

  Instant instant(const TimeValue& v) const {
    const EventZone& z = v.zone;
    if (z.utc) return Instant{v.local.time_since_epoch()};
    if (z.file) return Instant{v.local.time_since_epoch() - z.file->offset_at_local(v.local)};
    return to_instant_lenient(v.local, z.iana ? z.iana : local_zone);
  }
  LocalDateTime local_of(Instant t, const EventZone& z) const {
    if (z.utc) return LocalDateTime{t.time_since_epoch()};
    if (z.file) return LocalDateTime{t.time_since_epoch() + z.file->offset_at_utc(t)};
    return to_local(t, z.iana ? z.iana : local_zone);
  }
  TimeRange range_of(const Event& e, const TimeValue& start) const {
    Instant s = instant(start);
    if (e.wall_clock_duration) {
      TimeValue end = start;
      end.local += e.duration;
      return {s, std::max(s, instant(end))};
    }
    return {s, s + e.duration};
  }
  // Does an EXDATE or RECURRENCE-ID `v` name the occurrence starting at `local` / `at`?
  bool names(const TimeValue& v, LocalDateTime local, bool is_date, Instant at) const {
    if (v.is_date || is_date)
      return date::floor<date::days>(v.local) == date::floor<date::days>(local);
    return instant(v) == at;
  }
  // Recurrence steps left for one expansion, and whether a series was cut short.
  struct Budget {
    size_t steps;
    bool spent = false;
  };
  void expand(const Event& e, TimeRange window, Budget& budget, size_t max_out,
              std::vector<CalendarOccurrence>& out) const;
};

namespace {

class Reader {
 public:
  Reader(ImportedCalendar::Impl& impl, icalcomponent* calendar) : impl_(impl), calendar_(calendar) {
    for (icalcomponent* tz = icalcomponent_get_first_component(calendar, ICAL_VTIMEZONE_COMPONENT);
         tz; tz = icalcomponent_get_next_component(calendar, ICAL_VTIMEZONE_COMPONENT)) {
      if (icalproperty* id = icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY))
        vtimezones_.emplace(text_of(icalproperty_get_tzid(id)), tz);
    }
    for (icalproperty* p = icalcomponent_get_first_property(calendar, ICAL_X_PROPERTY); p;
         p = icalcomponent_get_next_property(calendar, ICAL_X_PROPERTY)) {
      if (text_of(icalproperty_get_x_name(p)) == "X-WR-TIMEZONE") {
        std::string name = trim(text_of(icalproperty_get_x(p)));
        if (is_valid_zone_name(name)) calendar_zone_ = date::locate_zone(name);
      }
    }
  }

  void read_events() {
    for (icalcomponent* ev = icalcomponent_get_first_component(calendar_, ICAL_VEVENT_COMPONENT);
         ev; ev = icalcomponent_get_next_component(calendar_, ICAL_VEVENT_COMPONENT)) {
      if (impl_.events.size() >= impl_.limits.max_events) {
        impl_.warnings.push_back("more than " + std::to_string(impl_.limits.max_events) +
                                 " events: the rest is ignored");
        return;
      }
      if (auto e = read_event(ev)) impl_.events.push_back(std::move(*e));
    }
  }

 private:
  void warn(const std::string& w) {
    if (impl_.warnings.size() < 50) impl_.warnings.push_back(w);
  }

  EventZone resolve(const std::string& raw_tzid) {
    EventZone z;
    z.tzid = raw_tzid;
    if (auto it = resolved_.find(raw_tzid); it != resolved_.end()) return it->second;
    std::string tzid = trim(raw_tzid);
    // An IANA name, possibly behind a prefix ("/mozilla.org/20050126_1/Europe/Paris").
    for (size_t pos = 0; pos != std::string::npos && !z.iana; pos = tzid.find('/', pos + 1)) {
      std::string candidate = tzid.substr(pos == 0 ? 0 : pos + 1);
      if (is_valid_zone_name(candidate)) z.iana = date::locate_zone(candidate);
    }
    if (!z.iana)
      if (auto iana = iana_for_windows_zone(tzid)) z.iana = date::locate_zone(*iana);
    if (!z.iana) {
      auto vt = vtimezones_.find(raw_tzid);
      if (vt == vtimezones_.end()) vt = vtimezones_.find(tzid);
      if (vt != vtimezones_.end()) z.file = std::make_shared<FileZone>(vt->second);
    }
    if (!z.iana && !z.file) {
      z.iana = calendar_zone_ ? calendar_zone_ : impl_.local_zone;
      warn("unknown time zone '" + tzid.substr(0, 80) + "', read as " +
           std::string(z.iana->name()));
    }
    resolved_.emplace(raw_tzid, z);
    return z;
  }

  // The DATE or DATE-TIME of a property (for PERIOD values, the start).
  std::optional<TimeValue> time_of(icalproperty* p,
                                   std::optional<TimeValue>* period_end = nullptr) {
    icalvalue* v = icalproperty_get_value(p);
    if (!v) return std::nullopt;
    icaltimetype t = icaltime_null_time();
    switch (icalvalue_isa(v)) {
      case ICAL_DATE_VALUE:
        t = icalvalue_get_date(v);
        break;
      case ICAL_DATETIME_VALUE:
        t = icalvalue_get_datetime(v);
        break;
      case ICAL_DATETIMEPERIOD_VALUE: {
        icaldatetimeperiodtype dp = icalvalue_get_datetimeperiod(v);
        if (!icaltime_is_null_time(dp.time)) {
          t = dp.time;
        } else {
          t = dp.period.start;
          if (period_end && !icaltime_is_null_time(dp.period.end)) {
            if (auto end = with_zone(p, dp.period.end)) *period_end = end;
          } else if (period_end && !icaldurationtype_is_null_duration(dp.period.duration)) {
            icaltimetype e = icaltime_add(dp.period.start, dp.period.duration);
            if (auto end = with_zone(p, e)) *period_end = end;
          }
        }
        break;
      }
      case ICAL_PERIOD_VALUE:
        t = icalvalue_get_period(v).start;
        break;
      default:
        return std::nullopt;
    }
    return with_zone(p, t);
  }

  std::optional<TimeValue> with_zone(icalproperty* p, const icaltimetype& t) {
    auto local = from_ical(t);
    if (!local) return std::nullopt;
    TimeValue value{*local, t.is_date != 0, {}};
    if (value.is_date) return value;  // dates are the agent's local days
    if (icaltime_is_utc(t)) {
      value.zone.utc = true;
      value.zone.tzid = "Z";
    } else if (icalparameter* tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) {
      value.zone = resolve(text_of(icalparameter_get_tzid(tz)));
    }
    return value;
  }

  std::optional<Event> read_event(icalcomponent* ev) {
    Event e;
    e.uid = text_of(icalcomponent_get_uid(ev));
    if (e.uid.empty()) e.uid = "no-uid-" + std::to_string(impl_.events.size());
    e.summary = text_of(icalcomponent_get_summary(ev));
    e.description = text_of(icalcomponent_get_description(ev));
    e.location = text_of(icalcomponent_get_location(ev));
    icalproperty* dtstart = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
    auto start = dtstart ? time_of(dtstart) : std::nullopt;
    if (!start) {
      warn("event '" + e.uid.substr(0, 80) + "' has no usable DTSTART: ignored");
      return std::nullopt;
    }
    e.start = *start;
    if (icalproperty* dtend = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY)) {
      if (auto end = time_of(dtend)) {
        bool same_zone = end->is_date == e.start.is_date && end->zone.tzid == e.start.zone.tzid;
        if (same_zone) {
          e.duration = end->local - e.start.local;
        } else {
          TimeValue s = e.start;
          e.duration = impl_.instant(*end) - impl_.instant(s);
          e.wall_clock_duration = false;
        }
      }
    } else if (icalproperty* dur = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY)) {
      icaldurationtype d = icalproperty_get_duration(dur);
      e.duration = std::chrono::seconds{d.is_neg ? 0 : icaldurationtype_as_int(d)};
      e.wall_clock_duration = d.weeks > 0 || d.days > 0;  // nominal days, exact hours
    } else if (e.start.is_date) {
      e.duration = date::days{1};
    }
    if (e.duration < std::chrono::seconds{0}) e.duration = std::chrono::seconds{0};
    if (e.duration > kMaxDuration) e.duration = kMaxDuration;

    for (icalproperty* p = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_RRULE_PROPERTY))
      if (const char* rule = icalproperty_get_value_as_string(p)) e.rrules.emplace_back(rule);
    for (icalproperty* p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY)) {
      std::optional<TimeValue> end;
      if (auto s = time_of(p, &end)) e.rdates.push_back({*s, end});
    }
    for (icalproperty* p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY))
      if (auto x = time_of(p)) e.exdates.push_back(*x);
    if (icalproperty* rid = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY)) {
      e.recurrence_id = time_of(rid);
      if (icalparameter* range = icalproperty_get_first_parameter(rid, ICAL_RANGE_PARAMETER))
        e.this_and_future = icalparameter_get_range(range) == ICAL_RANGE_THISANDFUTURE;
    }
    if (icalproperty* transp = icalcomponent_get_first_property(ev, ICAL_TRANSP_PROPERTY))
      e.transparent = icalproperty_get_transp(transp) == ICAL_TRANSP_TRANSPARENT;
    e.cancelled = icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED;
    if (!keep_within_a_day(e)) return std::nullopt;
    return e;
  }

  // An event repeating more often than daily keeps no repetition (see SubDailyEvents).
  bool keep_within_a_day(Event& e) {
    auto frequent = std::find_if(e.rrules.begin(), e.rrules.end(), repeats_more_than_daily);
    if (frequent == e.rrules.end()) return true;
    bool skip = impl_.limits.sub_daily == SubDailyEvents::kSkipped;
    warn("event '" + (e.summary.empty() ? e.uid : e.summary).substr(0, 80) + "' (" +
         frequent->substr(0, 60) + ") repeats more often than daily: " +
         (skip ? "ignored" : "only its first occurrence is kept"));
    e.rrules.clear();
    e.rdates.clear();
    return !skip;
  }

  ImportedCalendar::Impl& impl_;
  icalcomponent* calendar_;
  std::map<std::string, icalcomponent*> vtimezones_;
  std::map<std::string, EventZone> resolved_;
  Zone calendar_zone_ = nullptr;
};

}  // namespace

void ImportedCalendar::Impl::expand(const Event& e, TimeRange window, Budget& budget,
                                    size_t max_out, std::vector<CalendarOccurrence>& out) const {
  auto emit = [&](TimeRange r, const Event& from) {
    if (!r.overlaps(window) &&
        !(r.start == r.end && r.start >= window.start && r.start < window.end))
      return;
    if (out.size() >= max_out) return;
    out.push_back({r, from.uid, from.summary, from.description, from.location, from.start.is_date,
                   from.transparent, from.cancelled});
  };
  // An override of a series, or an event that does not repeat: one occurrence.
  // (An override whose series is missing stands for itself, RDATEs included.)
  bool is_override = e.recurrence_id && with_master.count(e.uid);
  if (is_override || (e.rrules.empty() && e.rdates.empty())) {
    bool replaced = false;
    if (!e.recurrence_id)
      if (auto it = overrides.find(e.uid); it != overrides.end())
        for (const Event* o : it->second)
          if (names(*o->recurrence_id, e.start.local, e.start.is_date, instant(e.start)))
            replaced = true;
    if (!replaced) emit(range_of(e, e.start), e);
    return;
  }

  // Start values of every occurrence: DTSTART, the rules, the RDATEs.
  struct Candidate {
    TimeValue start;
    std::optional<TimeValue> end;
  };
  std::vector<Candidate> candidates;
  constexpr size_t kIterationsPerRule = 20000;  // one hostile rule cannot starve the others
  // Local times are within ±14 h of UTC: a margin of 15 h finds every start.
  constexpr std::chrono::hours kMargin{15};
  LocalDateTime from = LocalDateTime{window.start.time_since_epoch()} - e.duration - kMargin;
  LocalDateTime to = LocalDateTime{window.end.time_since_epoch()} + kMargin;
  if (e.start.local >= from && e.start.local < to) candidates.push_back({e.start, std::nullopt});
  auto local_of_start = [&](Instant t) { return local_of(t, e.start.zone); };
  for (const std::string& rule : e.rrules) {
    if (budget.steps == 0) {
      budget.spent = true;
      break;
    }
    ExpansionLimits rule_limits{max_out - std::min(max_out, out.size()),
                                std::min(budget.steps, kIterationsPerRule)};
    size_t used = 0;
    for (LocalDateTime t :
         expand_local_starts(e.start.local, local_of_start, rule, from, to, rule_limits, &used)) {
      TimeValue v = e.start;
      v.local = t;
      candidates.push_back({v, std::nullopt});
    }
    budget.steps -= std::min(budget.steps, used);
    budget.spent = budget.spent || used >= rule_limits.max_iterations;
  }
  for (const RDate& r : e.rdates) candidates.push_back({r.start, r.end});

  const std::vector<const Event*>* moved = nullptr;  // overrides apply to the series only
  if (auto it = overrides.find(e.uid); it != overrides.end() && !e.recurrence_id)
    moved = &it->second;
  // One occurrence per start instant (DTSTART, rules and RDATEs may repeat each other).
  std::vector<std::pair<Instant, const Candidate*>> starts;
  starts.reserve(candidates.size());
  for (const Candidate& c : candidates) starts.emplace_back(instant(c.start), &c);
  std::stable_sort(starts.begin(), starts.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < starts.size(); ++i) {
    if (i > 0 && starts[i].first == starts[i - 1].first) continue;
    const Candidate& c = *starts[i].second;
    Instant at = starts[i].first;
    bool excluded = std::any_of(e.exdates.begin(), e.exdates.end(), [&](const TimeValue& x) {
      return names(x, c.start.local, c.start.is_date, at);
    });
    if (excluded) continue;
    TimeRange r = c.end ? TimeRange{at, std::max(at, instant(*c.end))} : range_of(e, c.start);
    // Overrides: the named occurrence is replaced (the override is emitted on its
    // own); RANGE=THISANDFUTURE also moves the later ones by the same shift.
    const Event* shift_from = nullptr;
    bool replaced = false;
    if (moved)
      for (const Event* o : *moved) {
        if (names(*o->recurrence_id, c.start.local, c.start.is_date, at))
          replaced = true;
        else if (o->this_and_future && instant(*o->recurrence_id) < at &&
                 (!shift_from || instant(*shift_from->recurrence_id) < instant(*o->recurrence_id)))
          shift_from = o;
      }
    if (replaced) continue;
    if (shift_from) {
      auto shift = instant(shift_from->start) - instant(*shift_from->recurrence_id);
      TimeRange o = range_of(*shift_from, shift_from->start);
      r = {at + shift, at + shift + (o.end - o.start)};
    }
    emit(r, e);
  }
}

ImportedCalendar ImportedCalendar::parse(std::string_view text, Zone local_zone,
                                         ImportLimits limits) {
  if (text.size() > limits.max_bytes)
    throw CalendarError("calendar larger than " + std::to_string(limits.max_bytes >> 20) + " MiB");
  if (text.find("BEGIN:VCALENDAR") == std::string_view::npos)
    throw CalendarError("not an iCalendar file (no BEGIN:VCALENDAR)");
  if (text.find("END:VCALENDAR") == std::string_view::npos)
    throw CalendarError("truncated iCalendar file (no END:VCALENDAR)");
  ical_utc();
  std::string copy(text);  // libical wants a NUL-terminated string
  ComponentPtr root(icalparser_parse_string(copy.c_str()), &icalcomponent_free);
  if (!root) throw CalendarError("not an iCalendar file");

  auto impl = std::make_shared<Impl>();
  impl->local_zone = local_zone;
  impl->limits = limits;
  std::vector<icalcomponent*> calendars;
  if (icalcomponent_isa(root.get()) == ICAL_VCALENDAR_COMPONENT) {
    calendars.push_back(root.get());
  } else {
    for (icalcomponent* c = icalcomponent_get_first_component(root.get(), ICAL_VCALENDAR_COMPONENT);
         c; c = icalcomponent_get_next_component(root.get(), ICAL_VCALENDAR_COMPONENT))
      calendars.push_back(c);
  }
  if (calendars.empty()) throw CalendarError("not an iCalendar file (no VCALENDAR)");
  for (icalcomponent* c : calendars) Reader(*impl, c).read_events();
  for (const Event& e : impl->events) {
    if (e.recurrence_id)
      impl->overrides[e.uid].push_back(&e);
    else
      impl->with_master.insert(e.uid);
  }
  return ImportedCalendar(std::move(impl));
}

std::vector<CalendarOccurrence> ImportedCalendar::occurrences(
    TimeRange window, std::vector<std::string>* warnings) const {
  const ImportLimits& limits = impl_->limits;
  if (window.end - window.start > limits.max_window) window.end = window.start + limits.max_window;
  std::vector<CalendarOccurrence> out;
  Impl::Budget budget{limits.max_iterations};
  for (const Event& e : impl_->events) {
    if (out.size() >= limits.max_occurrences) break;
    impl_->expand(e, window, budget, limits.max_occurrences, out);
  }
  if (warnings && out.size() >= limits.max_occurrences)
    warnings->push_back("expansion stopped at " + std::to_string(limits.max_occurrences) +
                        " occurrences: the events after them in the file are ignored");
  if (warnings && budget.spent)
    warnings->push_back("too many repetitions to follow: some series are cut short");
  std::sort(out.begin(), out.end(), [](const CalendarOccurrence& a, const CalendarOccurrence& b) {
    return std::tie(a.range.start, a.range.end, a.uid) <
           std::tie(b.range.start, b.range.end, b.uid);
  });
  return out;
}

size_t ImportedCalendar::event_count() const { return impl_->events.size(); }

const std::vector<std::string>& ImportedCalendar::warnings() const { return impl_->warnings; }

}  // namespace rdv
