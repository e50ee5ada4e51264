// One organisation with one place, one service, one agent and one opening,
// written straight to a store: the set-up most core-level tests start from.
#pragma once

#include <string>
#include <vector>

#include "storage/store.h"

namespace rdv::testing {

struct SeedOptions {
  std::string organisation = "France Services de Cenon";
  std::string service = "Permanence CAF";
  std::vector<Mode> modes{Mode::kInPerson};
  int min_notice_minutes = 0;
  int horizon_days = 90;
  std::vector<int> reminders{2880, 120};
  std::vector<std::string> documents;
  std::string agent_email;
  // The opening: local day and hours in Europe/Paris, repeated by `rrule`.
  std::string day = "2026-12-01";
  std::string from = "09:00", to = "12:00";
  std::string rrule = "FREQ=WEEKLY";
};

struct Seeded {
  Id organisation = 0, place = 0, service = 0, agent = 0;
};

inline Seeded seed(StoreWriter& tx, const SeedOptions& o = {}) {
  Seeded s;
  s.organisation = tx.directory().insert_organisation(
      {0, o.organisation, "france_services", "Europe/Paris", {}});
  Place p;
  p.organisation_id = s.organisation;
  p.name = "France Services Cenon";
  p.address = "2 avenue Jean Zay";
  p.postcode = "33150";
  p.city = "Cenon";
  p.timezone = "Europe/Paris";
  s.place = tx.directory().insert_place(p);
  Service svc;
  svc.organisation_id = s.organisation;
  svc.name = o.service;
  svc.duration_minutes = 30;
  svc.min_notice_minutes = o.min_notice_minutes;
  svc.horizon_days = o.horizon_days;
  for (Mode m : o.modes) svc.modes.add(m);
  svc.reminders = o.reminders;
  svc.documents_to_bring = o.documents;
  s.service = tx.directory().insert_service(svc);
  s.agent = tx.directory().insert_agent(
      {0, "Karim Benali", o.agent_email, "", "secret", {s.organisation}});
  Opening op;
  op.agent_id = s.agent;
  op.place_id = s.place;
  op.service_ids = {s.service};
  op.modes = svc.modes;
  op.period = {*parse_local_date_time(o.day + "T" + o.from),
               *parse_local_date_time(o.day + "T" + o.to),
               zone_named("Europe/Paris"),
               o.rrule,
               {}};
  tx.agenda().insert_opening(op);
  return s;
}

}  // namespace rdv::testing
