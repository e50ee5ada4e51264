#include "sync/calendar_sync.h"

#include <algorithm>

#include "calendar/ics_import.h"
#include "calendar/recurrence.h"
#include "domain/error.h"
#include "domain/text.h"
#include "observe/metrics.h"
#include "storage/require.h"

namespace rdv {
namespace {

constexpr auto kOpeningsFuture = std::chrono::days{366};

bool contains_words(const std::string& folded_text, const std::string& phrase) {
  std::string folded = fold_for_search(phrase);
  return !folded.empty() && (" " + folded_text + " ").find(" " + folded + " ") != std::string::npos;
}

ImportLimits import_limits(CalendarPurpose purpose) {
  ImportLimits limits;
  // An availability event repeating more often than daily is dropped whole: an
  // opening the agent did not mean is worse than a missing one. A busy one keeps
  // its first occurrence: the agent did mark that time busy, and it is one range.
  if (purpose == CalendarPurpose::kAvailability) limits.sub_daily = SubDailyEvents::kSkipped;
  return limits;
}

}  // namespace

std::vector<CalendarOccurrence> busy_occurrences(const ImportedCalendar& cal, TimeRange window,
                                                 size_t max, std::vector<std::string>* warnings) {
  std::vector<CalendarOccurrence> out;
  for (auto& o : cal.occurrences(window, warnings)) {
    if (!o.busy()) continue;
    if (out.size() == max) {
      if (warnings)
        warnings->push_back("more than " + std::to_string(max) +
                            " busy periods: the later ones are ignored");
      break;
    }
    out.push_back(std::move(o));
  }
  return out;
}

Zone agent_zone(StoreReader& r, const Agent& agent) {
  for (Id org : agent.organisation_ids)
    if (auto o = r.organisation(org)) return date::locate_zone(o->timezone);
  return date::locate_zone("Europe/Paris");
}

CalendarSync::CalendarSync(Store& store, const Clock& clock, CalendarFetcher& fetcher,
                           CalendarSyncOptions options)
    : store_(store), clock_(clock), fetcher_(fetcher), options_(std::move(options)) {}

ExternalCalendar CalendarSync::subscribe(Id agent_id, const std::string& url,
                                         CalendarPurpose purpose) {
  ExternalCalendar c;
  c.agent_id = agent_id;
  c.url = fetcher_.accept_url(url);  // a literal private address is refused here, with 400
  c.purpose = purpose;
  c.created_at = c.next_fetch_at = clock_.now();
  store_.write([&](StoreWriter& tx) {
    require_agent(tx, agent_id);
    // Each calendar adds its openings and busy time to every search.
    if (tx.calendars().of_agent(agent_id).size() >= options_.max_calendars_per_agent)
      invalid_field("url", "cannot be added: an agent has at most " +
                               std::to_string(options_.max_calendars_per_agent) +
                               " calendars; remove one first");
    c.id = tx.calendars().insert(c);
  });
  return refresh(c.id);
}

ExternalCalendar CalendarSync::change(Id calendar_id, const std::optional<std::string>& url,
                                      std::optional<CalendarPurpose> purpose) {
  std::string checked = url ? fetcher_.accept_url(*url) : "";
  bool had_openings = false;
  store_.write([&](StoreWriter& tx) {
    auto c = tx.calendars().find(calendar_id);
    if (!c) throw ClientError(ErrorCode::kNotFound, "calendar not found");
    had_openings = c->purpose == CalendarPurpose::kAvailability;
    if (url) c->url = checked;
    if (purpose) c->purpose = *purpose;
    tx.calendars().replace_busy(c->id, c->agent_id, {});
    tx.calendars().replace_openings(c->id, {});
    tx.calendars().update_source(*c);
  });
  ExternalCalendar c = refresh(calendar_id);
  // Openings read for the old purpose are gone; a refresh for availability
  // tells the agent itself.
  if (had_openings && c.purpose != CalendarPurpose::kAvailability)
    store_.write([&](StoreWriter& tx) { tell_of_bookings_without_opening(tx, c.agent_id); });
  return c;
}

ExternalCalendar CalendarSync::refresh(Id calendar_id) {
  ExternalCalendar c;
  Zone zone = nullptr;
  store_.read([&](StoreReader& r) {
    auto found = r.calendars().find(calendar_id);
    if (!found) throw ClientError(ErrorCode::kNotFound, "calendar not found");
    c = *found;
    zone = agent_zone(r, require_agent(r, c.agent_id));
  });
  Instant now = clock_.now();
  c.last_attempt_at = now;
  c.next_fetch_at = now + options_.refresh_every;

  // The network is used outside any transaction.
  FetchResponse response;
  try {
    response = fetcher_.fetch(c.url, c.content.empty() ? "" : c.etag,
                              c.content.empty() ? "" : c.last_modified);
  } catch (const FetchError& e) {
    c.last_error = e.what();  // written for the agent: nothing of how the network answered
    metrics::record_calendar_sync_failure();
    store_.write([&](StoreWriter& tx) { tx.calendars().save_fetch(c); });
    return c;
  }
  response.body = utf8_from_legacy(response.body);  // what is stored and parsed is text
  // Not modified: the copy we have is current; it is applied again all the
  // same, since the span of busy time kept moves with the clock.
  if (response.not_modified) {
    response.body = c.content;
    response.etag = c.etag;
    response.last_modified = c.last_modified;
  }
  // Parsing and expanding (possibly long for big files) happen before the
  // write transaction, which only stores what they gave: bookings are not
  // held up by a calendar.
  std::vector<std::string> warnings;
  std::vector<TimeRange> busy;
  std::vector<Opening> openings;
  try {
    auto cal = ImportedCalendar::parse(response.body, zone, import_limits(c.purpose));
    warnings = cal.warnings();
    if (c.purpose == CalendarPurpose::kAvailability) {
      store_.read([&](StoreReader& r) { openings = openings_from(r, c, cal, warnings); });
    } else {
      for (const auto& o : busy_occurrences(cal, {now - kBusyPast, now + kBusyFuture},
                                            options_.max_busy_per_calendar, &warnings))
        busy.push_back(o.range);
    }
  } catch (const CalendarError& e) {
    c.last_error = std::string("unusable calendar: ") + e.what();
    metrics::record_calendar_sync_failure();
    store_.write(
        [&](StoreWriter& tx) { tx.calendars().save_fetch(c); });  // the last good data stays
    return c;
  }
  store_.write([&](StoreWriter& tx) {
    if (c.purpose == CalendarPurpose::kAvailability) {
      tx.calendars().replace_openings(c.id, openings);
      tell_of_bookings_without_opening(tx, c.agent_id);
    } else {
      tx.calendars().replace_busy(c.id, c.agent_id, busy);
    }
    c.content = std::move(response.body);
    c.etag = response.etag;
    c.last_modified = response.last_modified;
    c.last_success_at = now;
    c.last_error.clear();
    c.warnings = warnings;
    tx.calendars().save_fetch(c);
  });
  return c;
}

std::vector<Opening> CalendarSync::openings_from(StoreReader& r, const ExternalCalendar& c,
                                                 const ImportedCalendar& cal,
                                                 std::vector<std::string>& warnings) {
  Agent agent = require_agent(r, c.agent_id);
  auto services = r.directory().services_of(agent.organisation_ids);
  auto places = r.directory().places_of(agent.organisation_ids);
  if (places.empty()) {
    warnings.push_back("the agent's organisations have no place to receive people");
    return {};
  }
  Instant now = clock_.now();
  std::vector<Opening> out;
  for (const auto& occ :
       cal.occurrences({now - std::chrono::days{1}, now + kOpeningsFuture}, &warnings)) {
    std::string title = fold_for_search(occ.summary);
    bool is_opening =
        std::any_of(options_.availability_keywords.begin(), options_.availability_keywords.end(),
                    [&](const std::string& k) { return contains_words(title, k); });
    if (!is_opening || occ.cancelled) continue;
    std::string text_folded = fold_for_search(occ.summary + " " + occ.description);
    Opening o;
    o.agent_id = c.agent_id;
    for (const Service& s : services)
      if (contains_words(text_folded, s.name)) {
        o.service_ids.push_back(s.id);
        for (Mode m : s.modes.list()) o.modes.add(m);
      }
    if (o.service_ids.empty()) {
      if (warnings.size() < 50)
        warnings.push_back("event '" + occ.summary.substr(0, 80) + "' names no service");
      continue;
    }
    std::string where = fold_for_search(occ.location + " " + occ.summary + " " + occ.description);
    const Place* place = &places.front();
    for (const Place& p : places)
      if (contains_words(where, p.name)) place = &p;
    if (occ.range.end - occ.range.start > std::chrono::hours{24} ||
        occ.range.end <= occ.range.start)
      continue;
    if (out.size() == options_.max_openings_per_calendar) {
      warnings.push_back("more than " + std::to_string(out.size()) +
                         " openings: the later ones are ignored");
      break;
    }
    o.place_id = place->id;
    Zone place_zone = date::locate_zone(place->timezone);
    o.period = {to_local(occ.range.start, place_zone),
                to_local(occ.range.end, place_zone),
                place_zone,
                "",
                {}};
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<Id> CalendarSync::tell_of_bookings_without_opening(StoreWriter& tx, Id agent_id) {
  Instant now = clock_.now();
  std::vector<Id> outside;
  // As far ahead as any service takes bookings (horizons up to two years).
  for (const Booking& b :
       tx.bookings().of_agent(agent_id, {now, now + std::chrono::days{731}}, false)) {
    bool covered = false;
    // Covered: an occurrence holds the whole visit, at its place, in its mode.
    for (const Opening& o :
         tx.agenda().openings_for_service(b.service_id, {b.start, b.end}, agent_id)) {
      if (o.place_id != b.place_id || !o.modes.has(b.mode)) continue;
      for (TimeRange t : occurrences(o.period, {b.start, b.end}))
        covered = covered || (t.start <= b.start && t.end >= b.end);
    }
    // The booking stays; its agent is told (once for this booking and time).
    if (covered) continue;
    plan_notifications(tx, options_.notifications, b, require_service(tx, b.service_id),
                       BookingEvent::kOpeningLost, now);
    outside.push_back(b.id);
  }
  return outside;
}

size_t CalendarSync::refresh_due(size_t max) {
  std::vector<Id> due;
  store_.read([&](StoreReader& r) { due = r.calendars().due(clock_.now(), max); });
  for (Id id : due) refresh(id);
  return due.size();
}

std::vector<BusyInterval> CalendarSync::busy(Id agent_id, TimeRange window) {
  std::vector<BusyInterval> out;
  store_.read([&](StoreReader& r) { out = busy(r, agent_id, window); });
  return out;
}

std::vector<BusyInterval> CalendarSync::busy(StoreReader& r, Id agent_id, TimeRange window) const {
  std::vector<BusyInterval> out;
  Agent agent = require_agent(r, agent_id);
  Zone zone = agent_zone(r, agent);
  // Bookings last less than two days: start the scan that much earlier.
  for (const Booking& b :
       r.bookings().of_agent(agent_id, {window.start - std::chrono::days{2}, window.end}, false))
    if (TimeRange{b.start, b.end}.overlaps(window))
      out.push_back({{b.start, b.end}, "booking", "booking-" + std::to_string(b.id)});
  for (const Absence& a : r.agenda().absences_of({agent_id}, window))
    for (TimeRange t : occurrences(a.period, window))
      out.push_back({t, "absence", "absence-" + std::to_string(a.id)});
  for (const ExternalCalendar& c : r.calendars().of_agent(agent_id)) {
    if (c.purpose != CalendarPurpose::kBusy || c.content.empty()) continue;
    try {
      auto cal = ImportedCalendar::parse(c.content, zone, import_limits(c.purpose));
      for (auto& o : busy_occurrences(cal, window, options_.max_busy_per_calendar, nullptr))
        out.push_back({o.range, "calendar", o.uid});
    } catch (const CalendarError&) {
      // content is only saved after a good parse
    }
  }
  std::sort(out.begin(), out.end(), [](const BusyInterval& a, const BusyInterval& b) {
    return std::tie(a.range.start, a.range.end, a.source, a.uid) <
           std::tie(b.range.start, b.range.end, b.source, b.uid);
  });
  return out;
}

}  // namespace rdv
