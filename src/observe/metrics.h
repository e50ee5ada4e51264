// What the process counts about its work, in the Prometheus text format
// (GET /metrics): requests by route template and status with their latency,
// slot searches, bookings by event and channel, calendar sync failures,
// errors by code. One registry per process, like the log: the counts are the
// process's, whatever part of the code does the work.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rdv::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

void record_request(std::string_view route, std::string_view method, int status, double seconds);
void record_slot_search(double seconds);
// event: created, cancelled, moved; channel: who booked (resident, desk, agent).
void record_booking(std::string_view event, std::string_view channel);
void record_calendar_sync_failure();
void record_error(std::string_view code);

// Every counter and histogram above, with HELP and TYPE lines.
std::string render_counters();

// One gauge family, as the scrape computes it (jobs, pool, process).
struct Sample {
  Labels labels;
  double value = 0;
};
std::string render_gauge(std::string_view name, std::string_view help,
                         const std::vector<Sample>& samples);
// The same with another type ("counter" for a total read from elsewhere).
std::string render_family(std::string_view name, std::string_view type, std::string_view help,
                          const std::vector<Sample>& samples);

// A label value as the text format writes it: \, " and line feeds escaped.
std::string escape_label(std::string_view value);

}  // namespace rdv::metrics
