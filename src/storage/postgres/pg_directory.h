// The directory (organisations, places, services, agents, webhooks,
// settings) on PostgreSQL, in the transaction it is given.
#pragma once

#include <pqxx/pqxx>

#include "storage/directory_store.h"
#include "storage/postgres/statements.h"

namespace rdv {

class PgDirectory final : public DirectoryWriter {
 public:
  explicit PgDirectory(pqxx::dbtransaction& tx) : tx_(tx) {}

  std::optional<Organisation> organisation(Id id) override;
  std::optional<Place> place(Id id) override;
  std::optional<Service> service(Id id) override;
  std::optional<Agent> agent(Id id) override;
  bool is_empty() override;
  std::vector<Organisation> organisations(std::optional<Id> territory_id, bool archived,
                                          Id after_id, size_t limit) override;
  std::vector<Agent> agents_of(Id organisation_id) override;
  std::vector<Place> places_of(const std::vector<Id>& organisation_ids) override;
  std::vector<Service> services_of(const std::vector<Id>& organisation_ids) override;
  bool organisation_in_use(Id organisation_id) override;
  int uses_of_place(Id place_id) override;
  std::vector<Service> search_services(const std::vector<std::string>& terms,
                                       std::optional<Mode> mode, size_t limit) override;
  std::vector<Place> places_offering(Id service_id, const std::string& postcode_prefix) override;
  std::vector<Webhook> webhooks_of(Id organisation_id) override;
  std::optional<std::string> setting(const std::string& name) override;

  // Reads added to a batch (PostgresStore's service_and_agenda): an
  // organisation, place, service or agent by id, the organisation of a
  // service and its webhooks.
  static postgres::Pending<std::optional<Organisation>> organisation(postgres::Batch& batch, Id id);
  static postgres::Pending<std::optional<Organisation>> organisation_of_service(
      postgres::Batch& batch, Id service_id);
  static postgres::Pending<std::optional<Place>> place(postgres::Batch& batch, Id id);
  static postgres::Pending<std::optional<Service>> service(postgres::Batch& batch, Id id);
  static postgres::Pending<std::optional<Agent>> agent(postgres::Batch& batch, Id id);
  static postgres::Pending<std::vector<Webhook>> webhooks_of_service(postgres::Batch& batch,
                                                                     Id service_id);

  Id insert_organisation(const Organisation& o) override;
  void update_organisation(const Organisation& o) override;
  void update_organisation_video(Id organisation_id, const VideoSettings& v) override;
  void set_organisation_archived(Id organisation_id, bool archived) override;
  void delete_organisation(Id organisation_id) override;
  Id insert_place(const Place& p) override;
  void update_place(const Place& p) override;
  void delete_place(Id place_id) override;
  Id insert_service(const Service& s) override;
  void update_service(const Service& s) override;
  void set_service_archived(Id service_id, bool archived) override;
  void delete_service(Id service_id) override;
  Id insert_agent(const Agent& a) override;
  void update_agent(const Agent& a) override;
  void update_agent_ics_secret(Id agent_id, const std::string& secret) override;
  Id insert_webhook(const Webhook& w, Instant now) override;
  void update_webhook(const Webhook& w) override;
  void delete_webhook(Id webhook_id) override;
  std::string ensure_setting(const std::string& name, const std::string& value) override;

 private:
  postgres::Statements tx_;
};

}  // namespace rdv
