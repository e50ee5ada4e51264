// Agents' openings and absences on PostgreSQL, in the transaction it is
// given.
#pragma once

#include <pqxx/pqxx>

#include "storage/agenda_store.h"
#include "storage/postgres/statements.h"

namespace rdv {

class PgAgenda final : public AgendaWriter {
 public:
  explicit PgAgenda(pqxx::dbtransaction& tx) : tx_(tx) {}

  std::vector<Opening> openings_for_service(Id service_id, TimeRange window,
                                            std::optional<Id> agent_id) override;
  std::vector<Opening> agent_openings(Id agent_id, TimeRange window) override;
  std::vector<Absence> absences_of(const std::vector<Id>& agent_ids, TimeRange window) override;
  Id insert_opening(const Opening& o) override;
  void update_opening(const Opening& o) override;
  void delete_opening(Id opening_id) override;
  Id insert_absence(const Absence& a) override;
  void update_absence(const Absence& a) override;
  void delete_absence(Id absence_id) override;

  // The reads above, added to a batch (PostgresStore's agenda_rows and service_and_agenda).
  static postgres::Pending<std::vector<Opening>> openings_for_service(postgres::Batch& batch,
                                                                      Id service_id,
                                                                      TimeRange window,
                                                                      std::optional<Id> agent_id);
  static postgres::Pending<std::vector<Absence>> absences_of(postgres::Batch& batch,
                                                             const std::vector<Id>& agent_ids,
                                                             TimeRange window);

 private:
  void link_services(Id opening_id, const std::vector<Id>& service_ids);

  postgres::Statements tx_;
};

}  // namespace rdv
