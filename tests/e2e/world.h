// A small territory set up through the API, as an administrator would: one
// organisation, one place, an individual and a group service, one agent with
// a weekly opening on a day a week or so ahead.
#pragma once

#include <date/tz.h>

#include <string>

#include "domain/time.h"
#include "http_client.h"
#include "server_process.h"

namespace rdv::testing {

struct World {
  long org = 0, place = 0, service = 0, workshop = 0, agent = 0;
  std::string admin_token = ServerProcess::kAdminToken;
  std::string agent_token;
  std::string day;  // "2026-12-07", the local date of the first opening

  // "2026-12-07T09:30:00" plus the Paris offset of that day, as RFC 3339.
  std::string at(const std::string& hhmm) const;
};

inline std::string local_day_ahead(int days) {
  auto paris = date::locate_zone("Europe/Paris");
  auto today = date::floor<date::days>(paris->to_local(std::chrono::system_clock::now()));
  return date::format("%Y-%m-%d", today + date::days{days});
}

inline std::string World::at(const std::string& hhmm) const {
  Zone paris = date::locate_zone("Europe/Paris");
  return format_rfc3339(to_instant(*parse_local_date_time(day + "T" + hhmm), paris), paris);
}

inline nlohmann::json resident(const std::string& first = "Léa") {
  return {{"first_name", first},
          {"last_name", "Dupont"},
          {"email", "lea.dupont@example.fr"},
          {"phone", "+33612345678"}};
}

inline World make_world(const HttpClient& http, int days_ahead = 8) {
  World w;
  w.day = local_day_ahead(days_ahead);
  auto must = [](const Reply& r) {
    if (r.status != 201)
      throw std::runtime_error("set-up failed: " + std::to_string(r.status) + " " + r.body);
    return r.json();
  };
  w.org = must(http.post("/api/v1/organisations",
                         {{"name", "France Services de Cenon"}, {"kind", "france_services"}},
                         w.admin_token))["id"];
  std::string org = "/api/v1/organisations/" + std::to_string(w.org);
  w.place =
      must(http.post(org + "/places",
                     {{"name", "France Services Cenon"}, {"postcode", "33150"}, {"city", "Cenon"}},
                     w.admin_token))["id"];
  w.service = must(http.post(org + "/services",
                             {{"name", "Carte grise"},
                              {"keywords", {"immatriculation"}},
                              {"duration_minutes", 30},
                              {"min_notice_minutes", 0},
                              {"modes", {"in_person", "phone"}}},
                             w.admin_token))["id"];
  w.workshop = must(http.post(org + "/services",
                              {{"name", "Aide numérique (atelier collectif)"},
                               {"duration_minutes", 120},
                               {"capacity", 6},
                               {"min_notice_minutes", 0},
                               {"modes", {"in_person"}}},
                              w.admin_token))["id"];
  auto agent = must(http.post(org + "/agents", {{"name", "Sophie Laurent"}}, w.admin_token));
  w.agent = agent["id"];
  w.agent_token = agent["api_token"];
  std::string openings = "/api/v1/agents/" + std::to_string(w.agent) + "/openings";
  must(http.post(openings,
                 {{"place_id", w.place},
                  {"service_ids", {w.service}},
                  {"start", w.day + "T09:00"},
                  {"end", w.day + "T12:00"},
                  {"timezone", "Europe/Paris"},
                  {"rrule", "FREQ=WEEKLY"}},
                 w.agent_token));
  must(http.post(openings,
                 {{"place_id", w.place},
                  {"service_ids", {w.workshop}},
                  {"start", w.day + "T14:00"},
                  {"end", w.day + "T16:00"}},
                 w.agent_token));
  return w;
}

}  // namespace rdv::testing
