// What administrators and agents set up: organisations, places, services,
// agents, webhooks and the instance's settings, with the keyword search over
// services. A part of the store split by kind of data (see
// StoreReader::directory()).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/model.h"

namespace rdv {

// What a booking checks first, and the webhooks it will call, read at once
// (StoreReader::service_and_agenda, with the agenda around the slot).
struct ServiceContext {
  Service service;
  Organisation organisation;      // the service's
  std::optional<Place> place;     // the one asked for, when it exists
  std::vector<Webhook> webhooks;  // the organisation's
};

class DirectoryReader {
 public:
  virtual ~DirectoryReader() = default;

  virtual std::optional<Organisation> organisation(Id id) = 0;
  virtual std::optional<Place> place(Id id) = 0;
  virtual std::optional<Service> service(Id id) = 0;
  virtual std::optional<Agent> agent(Id id) = 0;
  virtual bool is_empty() = 0;  // no organisation yet

  // Organisations by id, those of a territory when given, the archived ones
  // too when asked.
  virtual std::vector<Organisation> organisations(std::optional<Id> territory_id, bool archived,
                                                  Id after_id, size_t limit) = 0;
  virtual std::vector<Agent> agents_of(Id organisation_id) = 0;
  virtual std::vector<Place> places_of(const std::vector<Id>& organisation_ids) = 0;
  virtual std::vector<Service> services_of(const std::vector<Id>& organisation_ids) = 0;
  // Whether anything names the organisation: places, services, agents,
  // accounts' memberships, webhooks.
  virtual bool organisation_in_use(Id organisation_id) = 0;
  // How many bookings (any status) and openings name this place.
  virtual int uses_of_place(Id place_id) = 0;
  // Services whose folded text contains every term, optionally offering `mode`.
  virtual std::vector<Service> search_services(const std::vector<std::string>& terms,
                                               std::optional<Mode> mode, size_t limit) = 0;
  // Places where some opening offers the service; postcode_prefix "" for all.
  virtual std::vector<Place> places_offering(Id service_id, const std::string& postcode_prefix) = 0;
  virtual std::vector<Webhook> webhooks_of(Id organisation_id) = 0;
  virtual std::optional<std::string> setting(const std::string& name) = 0;
};

class DirectoryWriter : public DirectoryReader {
 public:
  virtual Id insert_organisation(const Organisation& o) = 0;
  // name, kind, timezone, colleagues_see_agendas
  virtual void update_organisation(const Organisation& o) = 0;
  virtual void update_organisation_video(Id organisation_id, const VideoSettings& v) = 0;
  virtual void set_organisation_archived(Id organisation_id, bool archived) = 0;
  virtual void delete_organisation(Id organisation_id) = 0;  // one not in use
  virtual Id insert_place(const Place& p) = 0;
  virtual void update_place(const Place& p) = 0;
  virtual void delete_place(Id place_id) = 0;
  virtual Id insert_service(const Service& s) = 0;
  // Every field but the organisation: a service never moves to another one,
  // and a service whose organisation is not s.organisation_id is left as is.
  virtual void update_service(const Service& s) = 0;
  virtual void set_service_archived(Id service_id, bool archived) = 0;
  virtual void delete_service(Id service_id) = 0;
  virtual Id insert_agent(const Agent& a) = 0;
  virtual void update_agent(const Agent& a) = 0;  // name, email, phone
  virtual void update_agent_ics_secret(Id agent_id, const std::string& secret) = 0;
  virtual Id insert_webhook(const Webhook& w, Instant now) = 0;
  virtual void update_webhook(const Webhook& w) = 0;  // url, secret, events
  virtual void delete_webhook(Id webhook_id) = 0;
  // Stores `value` under `name` unless a value is there; returns the stored one.
  virtual std::string ensure_setting(const std::string& name, const std::string& value) = 0;
};

}  // namespace rdv
