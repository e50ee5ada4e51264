// A department-sized data set, loaded through the store (and the calendar
// sync, for the agents' own calendars) as the service would have built it:
// organisations, places, services, agents with weekly openings and absences,
// recurring busy events from external calendars, and past and future
// bookings. Deterministic for a given spec.
#pragma once

#include <vector>

#include "domain/model.h"
#include "domain/time.h"
#include "storage/store.h"

namespace rdv::bench {

struct DatasetSpec {
  // Multiplies organisations, places, services, agents and bookings; the
  // busiest service keeps its agents, so that its search can be compared
  // across scales.
  double scale = 1;
  int organisations = 40;
  int places = 60;
  int services = 40;
  int agents = 300;
  int busiest_agents = 64;  // offering the CAF permanence, each at their own place
  int busy_events_per_agent = 50;
  int bookings = 200000;
  int past_weeks = 104;   // bookings spread over these weeks before now...
  int future_weeks = 13;  // ...and these after
  Instant now;            // the data set is laid out around it

  int scaled(int n) const { return static_cast<int>(n * scale + 0.5); }
};

struct Dataset {
  Id busiest_service = 0;  // a 30-minute permanence of 64 agents across many places
  std::vector<Id> organisations, places, services, agents;
  std::vector<Id> busiest_agents;
  int openings = 0, absences = 0, calendars = 0, bookings = 0;
  size_t busy_ranges = 0;                  // from the agents' calendars, as the sync stored them
  std::vector<std::string> service_names;  // for keyword searches
};

Dataset generate_dataset(Store& store, const DatasetSpec& spec);

// Where searches start: the Monday after next, 00:00 in Paris, so that the
// minimum notice never cuts the window whatever the hour of the run.
Instant search_start(Instant now);

}  // namespace rdv::bench
