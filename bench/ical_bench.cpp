#include "ical_bench.h"

#include <libical/ical.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include "calendar/ics_export.h"
#include "calendar/ics_import.h"
#include "crypto/link_tokens.h"
#include "domain/text.h"
#include "storage/sqlite/sqlite_store.h"
#include "sync/calendar_sync.h"
#include "sync/feeds.h"

namespace rdv::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::days;
using std::chrono::minutes;

constexpr const char* kSection = "6 iCal";
constexpr const char* kPublicUrl = "https://rdv.example.fr";

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Peak RSS (MiB) of a forked child doing `work`. A child starts with the
// parent's resident pages counted, so the children compared are forked from
// the same state; `malloc_trim` first, so that they fault in what they use
// instead of reusing the parent's free heap.
double child_peak_mib(const std::function<void()>& work) {
  std::fflush(nullptr);  // nothing buffered is written twice
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("ical bench: fork failed");
  if (pid == 0) {
    int code = 0;
    try {
      work();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ical bench child: %s\n", e.what());
      code = 1;
    }
    _exit(code);  // no destructors or atexit handlers of the parent's objects
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("ical bench: a measuring child failed");
  return static_cast<double>(usage.ru_maxrss) / 1024;  // KiB on Linux
}

// ---------------------------------------------------------------------------
// The feed to import: what Google Calendar publishes for a busy agent.

std::string ics_local(LocalDateTime t) { return date::format("%Y%m%dT%H%M%S", t); }
std::string ics_utc(Instant t) { return date::format("%Y%m%dT%H%M%SZ", t); }
std::string ics_date(date::local_days d) { return date::format("%Y%m%d", d); }

// TEXT values: backslash, semicolon, comma and line feed escaped (RFC 5545, 3.3.11).
std::string escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\\' || c == ';' || c == ',') out += '\\';
    out += c;
  }
  return out;
}

// One content line, folded at 75 octets (continuations begin with a space),
// never inside a UTF-8 sequence, as producers that fold well do.
void put(std::string& out, std::string_view line) {
  size_t room = 75;
  while (line.size() > room) {
    size_t cut = room;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    room = 74;
  }
  out.append(line);
  out += "\r\n";
}

const char* const kSummaries[] = {"Réunion d'équipe",
                                  "Point hebdomadaire — pôle solidarités",
                                  "Entretien individuel",
                                  "Comité de pilotage France Services",
                                  "Formation « Accueil du public »",
                                  "Visite à domicile",
                                  "Déjeuner avec l'équipe de la mairie",
                                  "Permanence juridique, tribunal de Muret",
                                  "Rendez-vous médecin",
                                  "Atelier numérique : démarches en ligne",
                                  "Séminaire départemental",
                                  "Réunion partenaires CAF / CPAM",
                                  "Préparation du conseil municipal",
                                  "Échange avec la sous-préfecture",
                                  "Bilan trimestriel"};
const char* const kAllDay[] = {"Congés", "Télétravail", "Formation extérieure — Toulouse",
                               "Anniversaire de Zoé", "Séminaire des agents d'accueil"};
const char* const kLocations[] = {"Salle du conseil, Mairie de Muret",
                                  "Maison France Services, 12 place de la République, 31600 Muret",
                                  "Visio (Teams)", "Bureau 204 — 2e étage",
                                  "CAF de la Haute-Garonne, 24 rue Riquet, Toulouse"};
const char* const kPeople[] = {"Marie-Hélène Dupré", "François Lefèvre", "Zoé Garçon",
                               "Jérôme Bénard", "Agnès Müller"};
const char* const kAgenda[] = {
    "Point sur les dossiers en cours (RSA, APL, prime d'activité) et sur les délais de "
    "traitement constatés depuis le début du trimestre.",
    "Organisation des permanences d'été : qui assure l'accueil du public à Muret, à "
    "Carbonne et à Rieux-Volvestre ?",
    "Retour sur la formation « Accueil des publics éloignés du numérique » ; pistes "
    "d'amélioration proposées par les agents.",
    "Questions diverses. Merci d'apporter vos tableaux de suivi à jour.",
    "Lien de la visio : https://visio.example.fr/r/f3a9c1d2e4b5a6978877665544332211?pwd=Zx81"};

struct GeneratedFeed {
  std::string text;
  int vevents = 0, series = 0, overrides = 0, all_day = 0;
  size_t expected_busy = 0;  // busy occurrences in the window, as the file says
};

class FeedWriter {
 public:
  FeedWriter(Instant now, TimeRange window) : now_(now), window_(window) {}

  GeneratedFeed write(int events) {
    std::string& out = feed_.text;
    out.reserve(static_cast<size_t>(events) * 700);
    out +=
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n";
    put(out, "X-WR-CALNAME:Agenda de Marie-Hélène Dupré");
    out +=
        "X-WR-TIMEZONE:Europe/Paris\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"
        "X-LIC-LOCATION:Europe/Paris\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\n"
        "TZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\n"
        "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
    while (feed_.vevents < events) {
      int kind = pick(0, 99);
      if (kind < 19)
        series(events - feed_.vevents >= 2);
      else if (kind < 27)
        all_day();
      else
        single(kind < 35, kind >= 35 && kind < 37);
    }
    out += "END:VCALENDAR\r\n";
    return std::move(feed_);
  }

 private:
  int pick(int lo, int hi) {
    return lo + static_cast<int>(rng_() % static_cast<unsigned>(hi - lo + 1));
  }
  bool chance(int percent) { return pick(0, 99) < percent; }
  template <size_t N>
  const char* any(const char* const (&list)[N]) {
    return list[rng_() % N];
  }

  std::string uid() {
    static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string id;
    for (int i = 0; i < 26; ++i) id += kChars[rng_() % 36];
    return id + "@google.com";
  }
  // A day of the two years around now; a weekday when `weekday`.
  date::local_days day(bool weekday) {
    auto d = date::floor<days>(to_local(now_, paris_)) + days{pick(-365, 364)};
    date::weekday wd{d};
    if (weekday && wd == date::Saturday) d += days{2};
    if (weekday && wd == date::Sunday) d += days{1};
    return d;
  }
  LocalDateTime start_on(date::local_days d) {
    return LocalDateTime{d} + minutes{8 * 60 + 15 * pick(0, 38)};  // 08:00 to 17:30
  }
  minutes duration() {
    static constexpr int kLengths[] = {30, 45, 60, 60, 90, 120};
    return minutes{kLengths[rng_() % 6]};
  }
  void count(TimeRange r, bool busy) {
    if (busy && r.overlaps(window_)) ++feed_.expected_busy;
  }
  TimeRange range(LocalDateTime start, minutes length) const {
    return {to_instant(start, paris_), to_instant(start + length, paris_)};
  }

  // What every event of this producer carries, then its own lines.
  void begin(const std::string& id, const std::string& summary, int sequence) {
    std::string& out = feed_.text;
    ++feed_.vevents;
    out += "BEGIN:VEVENT\r\n";
    out += "DTSTAMP:" + ics_utc(now_ - days{1}) + "\r\n";
    put(out, "UID:" + id);
    auto created = now_ - days{pick(400, 800)};
    out += "CREATED:" + ics_utc(created) + "\r\n";
    out += "LAST-MODIFIED:" + ics_utc(created + days{pick(0, 300)}) + "\r\n";
    out += "SEQUENCE:" + std::to_string(sequence) + "\r\n";
    put(out, "SUMMARY:" + escaped(summary));
    if (chance(60)) put(out, "LOCATION:" + escaped(any(kLocations)));
    if (chance(40)) {
      std::string description = "Ordre du jour :\n";
      for (int i = pick(1, 4); i > 0; --i) description += std::string("- ") + any(kAgenda) + "\n";
      put(out, "DESCRIPTION:" + escaped(description));
    }
    if (chance(30)) {
      put(out, std::string("ORGANIZER;CN=") + kPeople[0] +
                   ":mailto:marie-helene.dupre@services.example.fr");
      for (int i = pick(1, 3); i > 0; --i)
        put(out,
            std::string("ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=") +
                any(kPeople) + ";X-NUM-GUESTS=0:mailto:agent" + std::to_string(pick(1, 400)) +
                "@services.example.fr");
    }
  }
  void end() {
    if (chance(10))
      feed_.text +=
          "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:This is an event reminder\r\n"
          "TRIGGER:-P0DT0H15M0S\r\nEND:VALARM\r\n";
    feed_.text += "END:VEVENT\r\n";
  }
  void transp(bool transparent) {
    feed_.text += transparent ? "TRANSP:TRANSPARENT\r\n" : "TRANSP:OPAQUE\r\n";
  }

  // A meeting: in UTC or in Paris time, as Google writes either.
  void single(bool transparent, bool cancelled) {
    LocalDateTime start = start_on(day(true));
    minutes length = duration();
    TimeRange r = range(start, length);
    begin(uid(), any(kSummaries), 0);
    std::string& out = feed_.text;
    if (chance(35)) {
      out += "DTSTART:" + ics_utc(r.start) + "\r\nDTEND:" + ics_utc(r.end) + "\r\n";
    } else {
      out += "DTSTART;TZID=Europe/Paris:" + ics_local(start) + "\r\n";
      out += "DTEND;TZID=Europe/Paris:" + ics_local(start + length) + "\r\n";
    }
    out += cancelled ? "STATUS:CANCELLED\r\n" : "STATUS:CONFIRMED\r\n";
    transp(transparent);
    end();
    count(r, !transparent && !cancelled);
  }

  // Days off, training away, birthdays: read in the agent's zone.
  void all_day() {
    auto first = day(false);
    int length = chance(70) ? 1 : pick(2, 5);
    bool transparent = chance(60);
    begin(uid(), any(kAllDay), 0);
    feed_.text += "DTSTART;VALUE=DATE:" + ics_date(first) +
                  "\r\nDTEND;VALUE=DATE:" + ics_date(first + days{length}) +
                  "\r\nSTATUS:CONFIRMED\r\n";
    transp(transparent);
    end();
    ++feed_.all_day;
    count({to_instant(LocalDateTime{first}, paris_),
           to_instant(LocalDateTime{first + days{length}}, paris_)},
          !transparent);
  }

  // A daily or weekly series ending by COUNT or UNTIL, a few EXDATEs, and
  // sometimes one occurrence moved (RECURRENCE-ID) in a VEVENT of its own.
  void series(bool room_for_override) {
    bool daily = chance(30);
    int interval = !daily && chance(20) ? 2 : 1;
    // Short enough that the busy time stays under the sync's cap (5,000).
    int n = daily ? pick(2, 6) : pick(3, 8);
    days step{daily ? 1 : 7 * interval};
    LocalDateTime first = start_on(day(true));
    minutes length = duration();
    auto at = [&](int k) { return first + step * k; };
    std::vector<int> excluded;
    if (chance(35))
      for (int i = pick(1, 2); i > 0; --i) excluded.push_back(pick(1, n - 1));
    int moved = -1;
    if (room_for_override && chance(35)) {
      moved = pick(1, n - 1);
      std::erase(excluded, moved);
    }
    bool transparent = chance(10);

    static constexpr const char* kDays[] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
    std::string rule = daily ? "FREQ=DAILY" : "FREQ=WEEKLY";
    if (chance(50)) {
      rule += ";COUNT=" + std::to_string(n);
    } else {
      // Outlook ends at the last start, Google at the end of its day; both in UTC.
      Instant until = chance(50) ? to_instant(at(n - 1), paris_)
                                 : to_instant(LocalDateTime{date::floor<days>(at(n - 1))} +
                                                  std::chrono::seconds{86399},
                                              paris_);
      rule += ";UNTIL=" + ics_utc(until);
    }
    if (interval > 1) rule += ";INTERVAL=" + std::to_string(interval);
    if (!daily)
      rule += std::string(";BYDAY=") + kDays[date::weekday{date::floor<days>(first)}.c_encoding()] +
              ";WKST=MO";

    std::string id = uid();
    std::string summary = any(kSummaries);
    begin(id, summary, 0);
    std::string& out = feed_.text;
    out += "DTSTART;TZID=Europe/Paris:" + ics_local(first) + "\r\n";
    out += "DTEND;TZID=Europe/Paris:" + ics_local(first + length) + "\r\n";
    out += "RRULE:" + rule + "\r\n";
    if (!excluded.empty()) {
      std::string line = "EXDATE;TZID=Europe/Paris:";
      for (size_t i = 0; i < excluded.size(); ++i)
        line += (i ? "," : "") + ics_local(at(excluded[i]));
      put(out, line);
    }
    out += "STATUS:CONFIRMED\r\n";
    transp(transparent);
    end();
    ++feed_.series;
    for (int k = 0; k < n; ++k)
      if (k != moved && std::find(excluded.begin(), excluded.end(), k) == excluded.end())
        count(range(at(k), length), !transparent);

    if (moved < 0) return;
    static constexpr int kShifts[] = {60, 120, -30, 24 * 60};
    LocalDateTime start = at(moved) + minutes{kShifts[rng_() % 4]};
    begin(id, summary + " (déplacé)", 1);
    out += "DTSTART;TZID=Europe/Paris:" + ics_local(start) + "\r\n";
    out += "DTEND;TZID=Europe/Paris:" + ics_local(start + length) + "\r\n";
    out += "RECURRENCE-ID;TZID=Europe/Paris:" + ics_local(at(moved)) + "\r\n";
    out += "STATUS:CONFIRMED\r\n";
    transp(false);
    end();
    ++feed_.overrides;
    count(range(start, length), true);
  }

  Instant now_;
  TimeRange window_;
  Zone paris_ = zone_named("Europe/Paris");
  std::mt19937 rng_{2027};
  GeneratedFeed feed_;
};

// ---------------------------------------------------------------------------
// The import, as CalendarSync::refresh does it for a busy calendar.

struct Imported {
  size_t busy = 0;
  std::vector<std::string> warnings;
  double parse_ms = 0, expand_ms = 0;
};

Imported import_as_refresh(const std::string& body, Zone zone, TimeRange window) {
  Imported result;
  auto t0 = Clock::now();
  std::string text = utf8_from_legacy(body);  // what the refresh stores and parses
  auto cal = ImportedCalendar::parse(text, zone, ImportLimits{});  // a busy calendar's limits
  result.parse_ms = ms_since(t0);
  t0 = Clock::now();
  std::vector<std::string> warnings = cal.warnings();
  auto kept = busy_occurrences(cal, window, CalendarSyncOptions{}.max_busy_per_calendar, &warnings);
  std::vector<TimeRange> busy;
  for (const auto& o : kept) busy.push_back(o.range);
  result.expand_ms = ms_since(t0);
  result.busy = busy.size();
  result.warnings = std::move(warnings);
  return result;
}

// The floor of any import with libical: its parse of the text, and freeing it.
void parse_with_libical(const std::string& text) {
  icalcomponent* root = icalparser_parse_string(text.c_str());
  if (!root) throw std::runtime_error("ical bench: libical read no calendar");
  icalcomponent_free(root);
}

std::vector<Figure> import_figures(int events, int runs, Instant now) {
  Zone paris = zone_named("Europe/Paris");  // agent_zone's default
  TimeRange window{now - kBusyPast, now + kBusyFuture};
  GeneratedFeed feed = FeedWriter(now, window).write(events);
  size_t expected = std::min(feed.expected_busy, CalendarSyncOptions{}.max_busy_per_calendar);

  // One import first: it checks the work and loads the zones and libical's tables.
  Imported first = import_as_refresh(feed.text, paris, window);
  if (first.busy == 0)
    throw std::runtime_error("ical bench: the import found no busy time in the feed");
  if (first.busy != expected)
    throw std::runtime_error("ical bench: the import found " + std::to_string(first.busy) +
                             " busy occurrences, the feed holds " + std::to_string(expected) +
                             (first.warnings.empty() ? "" : " (" + first.warnings.front() + ")"));

  malloc_trim(0);
  double idle_mib = child_peak_mib([] {});
  double libical_mib = child_peak_mib([&] { parse_with_libical(feed.text); });
  double import_mib = child_peak_mib([&] {
    if (import_as_refresh(feed.text, paris, window).busy != expected)
      throw std::runtime_error("the import found other busy time");
  });

  // Interleaved, so that both see the same state of a shared machine.
  std::vector<double> import_ms, parse_ms, expand_ms, libical_ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    Imported r = import_as_refresh(feed.text, paris, window);
    import_ms.push_back(ms_since(t0));
    parse_ms.push_back(r.parse_ms);
    expand_ms.push_back(r.expand_ms);
    t0 = Clock::now();
    parse_with_libical(feed.text);
    libical_ms.push_back(ms_since(t0));
  }

  std::string what = "import of a " + std::to_string(events) +
                     "-event feed with recurrences (parse + busy time over the sync's window)";
  std::string shape = std::to_string(feed.vevents) + " VEVENTs (" + std::to_string(feed.series) +
                      " series, " + std::to_string(feed.overrides) + " moved occurrences, " +
                      std::to_string(feed.all_day) + " all-day), " +
                      fixed(static_cast<double>(feed.text.size()) / (1 << 20), 2) + " MiB of text";
  std::vector<Figure> out;
  out.push_back({kSection,
                 {what, median(import_ms), "ms"},
                 Measure{"libical alone parsing the same text", median(libical_ms), "ms"},
                 std::nullopt,
                 shape + "; " + std::to_string(feed.expected_busy) +
                     " busy occurrences over [now - 31 d, now + 731 d], " +
                     std::to_string(first.busy) + " kept (the sync keeps at most " +
                     std::to_string(CalendarSyncOptions{}.max_busy_per_calendar) + "); parse " +
                     fixed(median(parse_ms)) + " ms + expansion " + fixed(median(expand_ms)) +
                     " ms; median of " + std::to_string(runs)});
  out.push_back({kSection,
                 {"import: peak RSS of a forked child importing the feed", import_mib, "MiB"},
                 Measure{"forked child parsing it with bare libical", libical_mib, "MiB"},
                 std::nullopt,
                 "a forked child doing nothing peaks at " + fixed(idle_mib) +
                     " MiB (the parent's pages, the text among them)"});
  return out;
}

// ---------------------------------------------------------------------------
// The agent's feed, as the server makes it: agent_feed on a store's read.

const char* const kFirstNames[] = {"Hélène", "François", "Zoé",  "Noël",   "Inès",
                                   "Loïc",   "Bérénice", "Jean", "Maëlle", "Karim"};
const char* const kLastNames[] = {"Lefèvre", "Garçon", "Dupré",    "Martin", "Benoît",
                                  "Nguyen",  "Müller", "Da Silva", "Élie",   "Petit"};

// One organisation, two places, three services and an agent with `count`
// bookings spread over the weekdays of the feed's span, as residents, desks
// and staff made them.
Agent fill_store(Store& store, int count, Instant now) {
  Zone paris = zone_named("Europe/Paris");
  Agent agent;
  store.write([&](StoreWriter& tx) {
    auto& dir = tx.directory();
    Organisation org;
    org.name = "Commune de Muret";
    org.kind = "commune";
    Id org_id = dir.insert_organisation(org);
    std::vector<Id> places;
    for (const char* name : {"Maison France Services de Muret", "Mairie annexe d'Estantens"}) {
      Place p;
      p.organisation_id = org_id;
      p.name = name;
      p.address = "12 place de la République";
      p.postcode = "31600";
      p.city = "Muret";
      p.timezone = "Europe/Paris";
      places.push_back(dir.insert_place(p));
    }
    std::vector<Id> services;
    for (const char* name :
         {"Accompagnement aux démarches en ligne", "Retraite : constituer son dossier",
          "Permanence CAF : prestations familiales"}) {
      Service s;
      s.organisation_id = org_id;
      s.name = name;
      s.modes.add(Mode::kInPerson);
      s.modes.add(Mode::kPhone);
      s.modes.add(Mode::kVideo);
      if (services.size() != 0)
        s.documents_to_bring = {"Pièce d'identité", "Justificatif de domicile de moins de 3 mois",
                                "Dernier avis d'imposition"};
      services.push_back(dir.insert_service(s));
    }
    agent.name = "Marie-Hélène Dupré";
    agent.email = "marie-helene.dupre@services.example.fr";
    agent.ics_secret = "ical-bench-secret-0123456789abcdef0123456789abcdef";
    agent.organisation_ids = {org_id};
    agent.id = dir.insert_agent(agent);

    std::vector<date::local_days> weekdays;
    auto from = date::floor<days>(to_local(now - kFeedPast, paris)) + days{1};
    auto to = date::floor<days>(to_local(now + kFeedFuture, paris)) - days{1};
    for (auto d = from; d <= to; d += days{1})
      if (date::weekday{d}.iso_encoding() <= 5) weekdays.push_back(d);
    int per_day =
        (count + static_cast<int>(weekdays.size()) - 1) / static_cast<int>(weekdays.size());
    int slot = std::max(1, std::min(30, 7 * 60 / per_day));
    for (int i = 0; i < count; ++i) {
      int in_day = i % per_day;
      LocalDateTime start = LocalDateTime{weekdays[static_cast<size_t>(i / per_day)]} +
                            minutes{9 * 60 + slot * in_day + (slot * in_day >= 3 * 60 ? 90 : 0)};
      Booking b;
      b.service_id = services[static_cast<size_t>(i % 3)];
      b.agent_id = agent.id;
      b.place_id = places[static_cast<size_t>(i % 7 == 0)];
      b.mode = i % 10 < 7 ? Mode::kInPerson : i % 10 < 9 ? Mode::kPhone : Mode::kVideo;
      b.start = to_instant(start, paris);
      b.end = b.start + minutes{slot};
      b.resident = {kFirstNames[i % 10], kLastNames[(i / 10) % 10],
                    "usager" + std::to_string(i) + "@example.org",
                    "+3361" + std::to_string(1000000 + i)};
      if (i % 5 == 0) b.notes = "Dossier incomplet : rapporter l'attestation de la CAF.";
      if (i % 10 == 3) b.booked_by = BookedBy::kDesk;
      b.created_at = std::min(b.start, now) - days{1 + i % 30};
      b.updated_at = b.created_at;
      bool past = b.start < now;
      b.status = !past         ? BookingStatus::kConfirmed
                 : i % 12 == 0 ? BookingStatus::kNoShow
                               : BookingStatus::kDone;
      if (i % 33 == 0) {  // cancelled lately: still in the feed, as STATUS:CANCELLED
        b.status = BookingStatus::kCancelled;
        b.updated_at = now - days{i % 20};
        b.cancel_reason = "Empêchement de l'usager";
        b.sequence = 1;
      }
      tx.bookings().insert(b);
    }
  });
  return agent;
}

// The floor of producing that many bytes: the same events' lines appended to
// a string reserved once, times and numbers by snprintf, without the escaping
// and folding a valid file needs.
std::string plain_feed(const std::vector<IcsEvent>& events) {
  size_t size = 128;
  for (const IcsEvent& e : events)
    size += 240 + e.uid.size() + e.summary.size() + e.description.size() + e.location.size() +
            e.url.size();
  std::string out;
  out.reserve(size);
  out += "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rendezvous//rendez-vous//FR\r\n";
  char line[64];
  auto stamp = [&](const char* name, Instant t) {
    std::time_t tt = to_epoch(t);
    std::tm u{};
    gmtime_r(&tt, &u);
    int n = std::snprintf(line, sizeof line, "%s:%04d%02d%02dT%02d%02d%02dZ\r\n", name,
                          u.tm_year + 1900, u.tm_mon + 1, u.tm_mday, u.tm_hour, u.tm_min, u.tm_sec);
    out.append(line, static_cast<size_t>(n));
  };
  auto text = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    out += name;
    out += value;
    out += "\r\n";
  };
  for (const IcsEvent& e : events) {
    out += "BEGIN:VEVENT\r\n";
    text("UID:", e.uid);
    out.append(
        line, static_cast<size_t>(std::snprintf(line, sizeof line, "SEQUENCE:%d\r\n", e.sequence)));
    stamp("DTSTAMP", e.stamp);
    stamp("DTSTART", e.range.start);
    stamp("DTEND", e.range.end);
    text("SUMMARY:", e.summary);
    text("DESCRIPTION:", e.description);
    text("LOCATION:", e.location);
    text("URL:", e.url);
    out += e.cancelled ? "STATUS:CANCELLED\r\n" : "STATUS:CONFIRMED\r\n";
    out +=
        e.transparent ? "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n" : "TRANSP:OPAQUE\r\nEND:VEVENT\r\n";
  }
  out += "END:VCALENDAR\r\n";
  return out;
}

size_t count_vevents(std::string_view text) {
  size_t n = 0;
  for (size_t at = text.find("BEGIN:VEVENT"); at != std::string_view::npos;
       at = text.find("BEGIN:VEVENT", at + 1))
    ++n;
  return n;
}

// A directory of our own for the database, removed however we leave.
struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("rdv-ical-bench-" + std::to_string(getpid()));
  ScratchDir() {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

std::vector<Figure> export_figures(int events, int runs, Instant now) {
  ScratchDir scratch;
  const std::string db = (scratch.path / "feed.sqlite").string();
  const LinkSigner links(std::string(64, 'k'));
  std::vector<IcsEvent> ics_events;  // what agent_feed hands write_ics, for the references
  std::vector<double> feed_ms, write_ms, plain_ms;
  size_t feed_bytes = 0, plain_bytes = 0;
  Agent agent;
  {
    SqliteStore store(db);
    agent = fill_store(store, events, now);
    auto make_feed = [&] {
      std::string text;
      store.read([&](StoreReader& r) { text = agent_feed(r, agent, now, kPublicUrl, links); });
      return text;
    };
    std::string text = make_feed();
    feed_bytes = text.size();
    if (count_vevents(text) != static_cast<size_t>(events))
      throw std::runtime_error("ical bench: the feed holds " + std::to_string(count_vevents(text)) +
                               " events, not " + std::to_string(events));
    // The events as agent_feed builds them (no openings: the agent has none).
    store.read([&](StoreReader& r) {
      for (const Booking& b :
           r.bookings().of_agent(agent.id, {now - kFeedPast, now + kFeedFuture}, true))
        ics_events.push_back(agent_booking_event(
            r, b, kPublicUrl, std::string(kPublicUrl) + "/visio/" + links.visio_token(b.id, true)));
    });
    plain_bytes = plain_feed(ics_events).size();
    std::string name = "Rendez-vous — " + agent.name;
    for (int i = 0; i < runs; ++i) {
      auto t0 = Clock::now();
      feed_bytes = make_feed().size();
      feed_ms.push_back(ms_since(t0));
      t0 = Clock::now();
      plain_bytes = plain_feed(ics_events).size();
      plain_ms.push_back(ms_since(t0));
      t0 = Clock::now();
      write_ics(ics_events, "", name);
      write_ms.push_back(ms_since(t0));
    }
  }  // no SQLite connection is open across the forks below

  malloc_trim(0);
  double idle_mib = child_peak_mib([] {});
  double plain_mib = child_peak_mib([&] {
    if (plain_feed(ics_events).empty()) throw std::runtime_error("no text");
  });
  double feed_mib = child_peak_mib([&] {
    SqliteStore store(db);
    std::string text;
    store.read([&](StoreReader& r) { text = agent_feed(r, agent, now, kPublicUrl, links); });
    if (count_vevents(text) != static_cast<size_t>(events)) throw std::runtime_error("short feed");
  });
  double read_mib = child_peak_mib([&] {
    SqliteStore store(db);
    store.read([&](StoreReader& r) {
      if (r.bookings().of_agent(agent.id, {now - kFeedPast, now + kFeedFuture}, true).empty())
        throw std::runtime_error("no bookings");
    });
  });

  std::vector<Figure> out;
  out.push_back(
      {kSection,
       {"agent feed of " + std::to_string(events) + " bookings (agent_feed on a SQLite read)",
        median(feed_ms), "ms"},
       Measure{"plain appends of the same events' lines", median(plain_ms), "ms"},
       std::nullopt,
       fixed(static_cast<double>(feed_bytes) / (1 << 20), 2) + " MiB of feed (plain: " +
           fixed(static_cast<double>(plain_bytes) / (1 << 20), 2) + " MiB); write_ics alone " +
           fixed(median(write_ms)) + " ms, the rest reading the store and building the events; " +
           "median of " + std::to_string(runs)});
  out.push_back({kSection,
                 {"agent feed: peak RSS of a forked child making it", feed_mib, "MiB"},
                 Measure{"forked child making the plain-append text", plain_mib, "MiB"},
                 std::nullopt,
                 "a forked child doing nothing peaks at " + fixed(idle_mib) +
                     " MiB; one only opening the store and reading the bookings at " +
                     fixed(read_mib) + " MiB"});
  return out;
}

}  // namespace

std::vector<Figure> ical_figures(int events, int runs) {
  if (events <= 0 || runs <= 0) throw std::invalid_argument("ical bench: events and runs > 0");
  const Instant now = *parse_rfc3339("2027-03-01T00:00:00Z");
  std::vector<Figure> out = import_figures(events, runs, now);
  for (Figure& f : export_figures(events, runs, now)) out.push_back(std::move(f));
  return out;
}

}  // namespace rdv::bench
