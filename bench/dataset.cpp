#include "bench/dataset.h"

#include <map>
#include <random>
#include <set>
#include <stdexcept>

#include "sync/calendar_sync.h"

namespace rdv::bench {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

const char* const kServiceNames[] = {"Carte grise et permis de conduire",
                                     "Passeport et carte d'identité",
                                     "Revenu de solidarité active",
                                     "Aide au logement",
                                     "Déclaration de revenus",
                                     "Retraite : constituer son dossier",
                                     "Inscription à France Travail",
                                     "Permis de construire",
                                     "Actes d'état civil",
                                     "Allocation personnalisée d'autonomie",
                                     "Complémentaire santé solidaire",
                                     "Prime d'activité",
                                     "Bourse des collèges",
                                     "Chèque énergie",
                                     "Médiation familiale",
                                     "Accès au droit : avocat conseil",
                                     "Conciliateur de justice",
                                     "Logement social : demande",
                                     "Transport scolaire",
                                     "Aide aux aidants"};
const char* const kKeywords[] = {"papiers",  "famille", "logement", "impôts",   "emploi",
                                 "retraite", "santé",   "justice",  "mobilité", "numérique"};
const char* const kCities[] = {"Toulouse", "Muret",   "Saint-Gaudens", "Villefranche",
                               "Revel",    "Cazères", "Aspet",         "Luchon",
                               "Grenade",  "Fronton", "Carbonne",      "Rieumes"};

constexpr const char* kZone = "Europe/Paris";

// "2026-03-02T09:00" style local times from a date and minutes after midnight.
LocalDateTime at(date::local_days day, int minute_of_day) {
  return LocalDateTime{day} + minutes{minute_of_day};
}

date::local_days monday_of(Instant t) {
  auto local = date::floor<days>(to_local(t, zone_named(kZone)));
  date::weekday wd{local};
  return local - (wd - date::Monday);
}

// An agent's weekly pattern: where and when they receive.
struct Weekly {
  int weekday;  // 0 = Monday
  int start_minute, end_minute;
  Id service_id;
  Id place_id;
};

struct AgentPlan {
  Id id = 0;
  Id home_place = 0;
  std::vector<Weekly> openings;
};

// The busy events an agent's own calendar holds: 50 recurring meetings of an
// hour on weekdays, weekly, fortnightly or monthly, started a year ago.
std::string agent_feed(int agent_index, int events, date::local_days origin) {
  std::mt19937 rng(static_cast<unsigned>(agent_index) * 7919u + 1u);
  std::string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rendezvous bench//agenda//FR\r\n";
  for (int e = 0; e < events; ++e) {
    int weekday = static_cast<int>(rng() % 5);
    int start = 8 * 60 + static_cast<int>(rng() % 19) * 30;  // 08:00 to 17:00
    auto day = origin + days{weekday + static_cast<int>(rng() % 28)};
    const char* rule = e < events * 2 / 5   ? "FREQ=WEEKLY"
                       : e < events * 4 / 5 ? "FREQ=WEEKLY;INTERVAL=2"
                                            : "FREQ=MONTHLY;BYSETPOS=1;BYDAY=MO,TU,WE,TH,FR";
    auto stamp = [](LocalDateTime t) {
      std::string s = format_local(t);  // 2026-03-29T09:30:00
      std::erase(s, '-');
      std::erase(s, ':');
      return s;
    };
    ics += "BEGIN:VEVENT\r\nUID:bench-" + std::to_string(agent_index) + "-" + std::to_string(e) +
           "@agenda.example\r\nDTSTAMP:20250101T000000Z\r\nSUMMARY:Réunion " + std::to_string(e) +
           "\r\nDTSTART;TZID=" + kZone + ":" + stamp(at(day, start)) + "\r\nDTEND;TZID=" + kZone +
           ":" + stamp(at(day, start + 60)) + "\r\nRRULE:" + rule + "\r\nEND:VEVENT\r\n";
  }
  return ics + "END:VCALENDAR\r\n";
}

// Serves each agent's feed from memory: the sync reads it as it would over HTTP.
class GeneratedFeeds final : public CalendarFetcher {
 public:
  std::map<std::string, std::string> bodies;
  FetchResponse fetch(const std::string& url, const std::string&, const std::string&) override {
    auto it = bodies.find(url);
    if (it == bodies.end()) throw FetchError("not found");
    return {false, it->second, "\"bench\"", ""};
  }
};

}  // namespace

Instant search_start(Instant now) {
  return to_instant(LocalDateTime{monday_of(now) + days{14}}, zone_named(kZone));
}

Dataset generate_dataset(Store& store, const DatasetSpec& spec) {
  Dataset d;
  Zone zone = zone_named(kZone);
  const int n_orgs = std::max(3, spec.scaled(spec.organisations));
  const int n_places = std::max(n_orgs, spec.scaled(spec.places));
  const int n_agents = std::max(spec.busiest_agents, spec.scaled(spec.agents));
  const int n_bookings = spec.scaled(spec.bookings);
  const date::local_days this_monday = monday_of(spec.now);
  const date::local_days origin = this_monday - days{7 * 52};  // openings began a year ago
  std::mt19937 rng(42);
  std::vector<AgentPlan> plans(static_cast<size_t>(n_agents));

  store.write([&](StoreWriter& tx) {
    auto& dir = tx.directory();
    // Organisation 0 is the CAF, whose permanence is the busiest service;
    // organisation 1 runs the digital workshops; the others are communes and
    // France Services desks, each with one service of its own.
    for (int o = 0; o < n_orgs; ++o) {
      Organisation org;
      org.name = o == 0   ? "CAF de la Garonne"
                 : o == 1 ? "Conseil départemental — inclusion numérique"
                          : "Commune " + std::to_string(o);
      org.kind = o == 0 ? "department" : o % 3 == 0 ? "france_services" : "commune";
      org.timezone = kZone;
      d.organisations.push_back(dir.insert_organisation(org));
    }
    std::vector<std::vector<Id>> places_of(static_cast<size_t>(n_orgs));
    for (int p = 0; p < n_places; ++p) {
      int o = p < n_orgs ? p : 2 + (p - n_orgs) % (n_orgs - 2);
      Place place;
      place.organisation_id = d.organisations[static_cast<size_t>(o)];
      place.name = "Maison des services " + std::to_string(p);
      place.city = kCities[p % std::size(kCities)];
      place.postcode = std::to_string(31000 + (p * 37) % 1000);
      place.address = std::to_string(1 + p % 90) + " place de la République";
      place.timezone = kZone;
      Id id = dir.insert_place(place);
      d.places.push_back(id);
      places_of[static_cast<size_t>(o)].push_back(id);
    }
    const int n_services = std::max(n_orgs, spec.scaled(spec.services));
    for (int s = 0; s < n_services; ++s) {
      Service svc;
      int o = s < n_orgs ? s : 2 + (s - n_orgs) % (n_orgs - 2);
      svc.organisation_id = d.organisations[static_cast<size_t>(o)];
      svc.name = s == 0   ? "Permanence CAF : prestations familiales"
                 : s == 1 ? "Atelier numérique : démarches en ligne"
                          : std::string(kServiceNames[s % std::size(kServiceNames)]) + " (" +
                                kCities[s % std::size(kCities)] + ")";
      svc.description = "Rendez-vous avec un agent pour " + svc.name + ".";
      svc.keywords = {kKeywords[s % std::size(kKeywords)],
                      kKeywords[(s + 3) % std::size(kKeywords)]};
      svc.duration_minutes = s == 1 ? 90 : 30;
      svc.capacity = s == 1 ? 8 : 1;
      svc.min_notice_minutes = 60;
      svc.horizon_days = 92;
      svc.modes.add(Mode::kInPerson);
      if (s % 2 == 0) svc.modes.add(Mode::kPhone);
      if (s % 4 == 0) svc.modes.add(Mode::kVideo);
      d.services.push_back(dir.insert_service(svc));
      d.service_names.push_back(svc.name);
    }
    d.busiest_service = d.services[0];

    // Agents belong to organisations 2 and up; the first `busiest_agents` also
    // to the CAF, whose permanence they hold at their own place, and the next
    // ones run the workshops.
    for (int a = 0; a < n_agents; ++a) {
      int o = 2 + a % (n_orgs - 2);
      Agent agent;
      agent.name = "Agent " + std::to_string(a);
      agent.email = "agent" + std::to_string(a) + "@services.example";
      agent.organisation_ids = {d.organisations[static_cast<size_t>(o)]};
      bool caf = a < spec.busiest_agents;
      bool workshops = !caf && a < 2 * spec.busiest_agents;
      if (caf) agent.organisation_ids.push_back(d.organisations[0]);
      if (workshops) agent.organisation_ids.push_back(d.organisations[1]);
      agent.ics_secret = "bench-feed-secret-" + std::to_string(a) + std::string(32, 'x');
      AgentPlan& plan = plans[static_cast<size_t>(a)];
      plan.id = dir.insert_agent(agent);
      d.agents.push_back(plan.id);
      if (caf) d.busiest_agents.push_back(plan.id);
      const auto& home = places_of[static_cast<size_t>(o)];
      plan.home_place = home[static_cast<size_t>(a / (n_orgs - 2)) % home.size()];
      Id own_service = d.services[static_cast<size_t>(o)];
      plan.openings.push_back({a % 5, 9 * 60, 12 * 60, own_service, plan.home_place});
      plan.openings.push_back({(a + 2) % 5, 14 * 60, 17 * 60, own_service, plan.home_place});
      if (caf)
        plan.openings.push_back({(a + 1) % 5, 9 * 60, 12 * 60, d.services[0], plan.home_place});
      if (workshops)
        plan.openings.push_back({(a + 3) % 5, 9 * 60, 12 * 60, d.services[1], plan.home_place});
    }

    // Weekly openings from a year ago, without end; a fortnightly Friday
    // afternoon off and a week of holidays in the coming months.
    auto& agenda = tx.agenda();
    for (size_t a = 0; a < plans.size(); ++a) {
      for (const Weekly& w : plans[a].openings) {
        Opening op;
        op.agent_id = plans[a].id;
        op.place_id = w.place_id;
        op.service_ids = {w.service_id};
        op.modes.add(Mode::kInPerson);
        op.modes.add(Mode::kPhone);
        op.modes.add(Mode::kVideo);
        auto day = origin + days{w.weekday};
        op.period = {at(day, w.start_minute), at(day, w.end_minute), zone, "FREQ=WEEKLY", {}};
        agenda.insert_opening(op);
        ++d.openings;
      }
      Absence off;
      off.agent_id = plans[a].id;
      off.reason = "temps partiel";
      off.period = {at(origin + days{4}, 14 * 60),
                    at(origin + days{4}, 18 * 60),
                    zone,
                    "FREQ=WEEKLY;INTERVAL=2",
                    {}};
      agenda.insert_absence(off);
      Absence holidays;
      holidays.agent_id = plans[a].id;
      holidays.reason = "congés";
      auto first = this_monday + days{7 * (2 + static_cast<int>(a % 10))};
      holidays.period = {LocalDateTime{first}, LocalDateTime{first + days{5}}, zone, "", {}};
      agenda.insert_absence(holidays);
      d.absences += 2;
    }
  });

  // Each agent's own calendar, read by the sync as a refresh would.
  GeneratedFeeds feeds;
  ManualClock clock(spec.now);
  CalendarSync sync(store, clock, feeds);
  for (int a = 0; a < n_agents; ++a) {
    std::string url = "https://agenda.example/agent-" + std::to_string(a) + ".ics";
    feeds.bodies[url] = agent_feed(a, spec.busy_events_per_agent, origin);
    ExternalCalendar c =
        sync.subscribe(plans[static_cast<size_t>(a)].id, url, CalendarPurpose::kBusy);
    if (!c.last_error.empty()) throw std::runtime_error("bench calendar refused: " + c.last_error);
    feeds.bodies.erase(url);
    ++d.calendars;
  }
  store.read([&](StoreReader& r) {
    d.busy_ranges =
        r.calendars().busy_of(d.agents, {spec.now - days{400}, spec.now + days{800}}).size();
  });

  // Bookings on the agents' slots (30 minutes, or the workshop's 90), in the
  // past and the coming weeks; a slot drawn twice is drawn again (here: on
  // PostgreSQL a refused insert would end the transaction).
  std::uniform_int_distribution<int> agent_of(0, n_agents - 1);
  std::uniform_int_distribution<int> week_of(-spec.past_weeks, spec.future_weeks - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  const int batch = 2000;                       // bookings per transaction
  std::set<std::pair<Id, std::int64_t>> taken;  // agent, start
  while (d.bookings < n_bookings) {
    store.write([&](StoreWriter& tx) {
      for (int made = 0; made < batch && d.bookings < n_bookings;) {
        const AgentPlan& plan = plans[static_cast<size_t>(agent_of(rng))];
        const Weekly& w = plan.openings[rng() % plan.openings.size()];
        bool group = w.service_id == d.services[1];
        int length = group ? 90 : 30;
        int slots = (w.end_minute - w.start_minute) / length;
        auto day = this_monday + days{7 * week_of(rng) + w.weekday};
        LocalDateTime local = at(day, w.start_minute + length * static_cast<int>(rng() % slots));
        Booking b;
        b.service_id = w.service_id;
        b.agent_id = plan.id;
        b.place_id = w.place_id;
        b.start = to_instant(local, zone);
        b.end = b.start + minutes{length};
        b.capacity = group ? 8 : 1;
        if (!taken.emplace(b.agent_id, to_epoch(b.start)).second) continue;
        bool past = b.start < spec.now;
        int p = percent(rng);
        b.status = p < 10   ? BookingStatus::kCancelled
                   : !past  ? BookingStatus::kConfirmed
                   : p < 18 ? BookingStatus::kNoShow
                            : BookingStatus::kDone;
        int n = d.bookings;
        b.resident = {"Prénom" + std::to_string(n % 977), "Nom" + std::to_string(n % 1999),
                      "resident" + std::to_string(n) + "@example.org",
                      "+336" + std::to_string(10000000 + n % 89999999)};
        b.created_at = b.updated_at = b.start - days{1 + n % 20};
        tx.bookings().insert(b);
        ++made;
        ++d.bookings;
      }
    });
  }
  return d;
}

}  // namespace rdv::bench
