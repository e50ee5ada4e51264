#include "storage/sqlite/sqlite_directory.h"

#include "storage/sqlite/rows.h"

namespace rdv {

using namespace sqlite;  // the shared row encodings

std::vector<Organisation> SqliteDirectory::organisations(std::optional<Id> territory_id,
                                                         bool archived, Id after_id, size_t limit) {
  auto st = c_.prepare(std::string("SELECT ") + kOrganisationColumns +
                       " FROM organisations WHERE id > ?1 AND (?2 IS NULL OR territory_id = ?2) "
                       "AND (?4 OR archived_at IS NULL) ORDER BY id LIMIT ?3");
  st.bind(1, after_id).bind(2, territory_id).bind(3, static_cast<std::int64_t>(limit));
  st.bind(4, archived ? 1 : 0);
  std::vector<Organisation> out;
  while (st.step()) out.push_back(organisation_from_row(st));
  return out;
}

bool SqliteDirectory::organisation_in_use(Id organisation_id) {
  auto st = c_.prepare(
      "SELECT EXISTS (SELECT 1 FROM places WHERE organisation_id = ?1) "
      "OR EXISTS (SELECT 1 FROM services WHERE organisation_id = ?1) "
      "OR EXISTS (SELECT 1 FROM agent_organisations WHERE organisation_id = ?1) "
      "OR EXISTS (SELECT 1 FROM memberships WHERE organisation_id = ?1) "
      "OR EXISTS (SELECT 1 FROM webhooks WHERE organisation_id = ?1) AS used");
  st.bind(1, organisation_id);
  st.step();
  return st.int64("used") != 0;
}

void SqliteDirectory::set_organisation_archived(Id organisation_id, bool archived) {
  auto st = c_.prepare(
      "UPDATE organisations SET archived_at = CASE WHEN ? THEN strftime('%s','now') END "
      "WHERE id = ?");
  st.bind(1, archived ? 1 : 0).bind(2, organisation_id).run();
}

void SqliteDirectory::delete_organisation(Id organisation_id) {
  auto st = c_.prepare("DELETE FROM organisations WHERE id = ?");
  st.bind(1, organisation_id).run();
}

std::vector<Agent> SqliteDirectory::agents_of(Id organisation_id) {
  auto st = c_.prepare(std::string("SELECT ") + kAgentListColumns +
                       " FROM agents a JOIN agent_organisations ao ON ao.agent_id = a.id "
                       "WHERE ao.organisation_id = ? ORDER BY a.name, a.id");
  st.bind(1, organisation_id);
  std::vector<Agent> out;
  while (st.step()) out.push_back(agent_from_row(st));
  for (Agent& a : out) {
    auto orgs = c_.prepare("SELECT organisation_id FROM agent_organisations WHERE agent_id = ?");
    orgs.bind(1, a.id);
    while (orgs.step()) a.organisation_ids.push_back(orgs.int64(0));
  }
  return out;
}

int SqliteDirectory::uses_of_place(Id place_id) {
  auto st = c_.prepare(
      "SELECT (SELECT count(*) FROM bookings WHERE place_id = ?1) + "
      "(SELECT count(*) FROM openings WHERE place_id = ?1)");
  st.bind(1, place_id);
  st.step();
  return static_cast<int>(st.int64(0));
}

void SqliteDirectory::update_organisation(const Organisation& o) {
  auto st = c_.prepare(
      "UPDATE organisations SET name = ?, kind = ?, timezone = ?, colleagues_see_agendas = ? "
      "WHERE id = ?");
  st.bind(1, o.name).bind(2, o.kind).bind(3, o.timezone);
  st.bind(4, o.colleagues_see_agendas ? 1 : 0).bind(5, o.id).run();
}

void SqliteDirectory::update_place(const Place& p) {
  auto st = c_.prepare(
      "UPDATE places SET name = ?, address = ?, postcode = ?, city = ?, accessibility = ?, "
      "opening_hours = ?, latitude = ?, longitude = ?, timezone = ? WHERE id = ?");
  st.bind(1, p.name).bind(2, p.address).bind(3, p.postcode).bind(4, p.city);
  st.bind(5, p.accessibility).bind(6, p.opening_hours).bind(7, p.latitude).bind(8, p.longitude);
  st.bind(9, p.timezone).bind(10, p.id).run();
}

void SqliteDirectory::delete_place(Id place_id) {
  auto st = c_.prepare("DELETE FROM places WHERE id = ?");
  st.bind(1, place_id).run();
}

void SqliteDirectory::update_service(const Service& s) {
  auto org = c_.prepare("SELECT name FROM organisations WHERE id = ?");
  org.bind(1, s.organisation_id);
  std::string org_name = org.step() ? org.text(0) : "";
  auto st = c_.prepare(std::string("UPDATE services SET ") + kServiceWrite +
                       " WHERE id = ?18 AND organisation_id = ?1");
  bind_service(st, s, service_search_text(s, org_name));
  st.bind(18, s.id).run();
}

void SqliteDirectory::set_service_archived(Id service_id, bool archived) {
  auto st = c_.prepare(
      "UPDATE services SET archived_at = CASE WHEN ? THEN strftime('%s','now') END WHERE id = ?");
  st.bind(1, archived ? 1 : 0).bind(2, service_id).run();
}

void SqliteDirectory::delete_service(Id service_id) {
  auto links = c_.prepare("DELETE FROM opening_services WHERE service_id = ?");
  links.bind(1, service_id).run();
  auto st = c_.prepare("DELETE FROM services WHERE id = ?");
  st.bind(1, service_id).run();
}

void SqliteDirectory::update_agent(const Agent& a) {
  auto st = c_.prepare("UPDATE agents SET name = ?, email = ?, phone = ? WHERE id = ?");
  st.bind(1, a.name).bind(2, a.email).bind(3, a.phone).bind(4, a.id).run();
}

void SqliteDirectory::delete_webhook(Id webhook_id) {
  auto st = c_.prepare("DELETE FROM webhooks WHERE id = ?");
  st.bind(1, webhook_id).run();
}

std::optional<Organisation> SqliteDirectory::organisation(Id id) {
  auto st = c_.prepare(std::string("SELECT ") + kOrganisationColumns +
                       " FROM organisations WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return organisation_from_row(st);
}

std::optional<Place> SqliteDirectory::place(Id id) {
  auto st = c_.prepare(std::string("SELECT ") + kPlaceColumns + " FROM places WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return place_from_row(st);
}

std::optional<Service> SqliteDirectory::service(Id id) {
  auto st = c_.prepare(std::string("SELECT ") + kServiceColumns + " FROM services WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return service_from_row(st);
}

std::optional<Agent> SqliteDirectory::agent(Id id) {
  auto st = c_.prepare(std::string("SELECT ") + kAgentColumns + " FROM agents WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  Agent a = agent_from_row(st);
  auto orgs =
      c_.prepare("SELECT organisation_id FROM agent_organisations WHERE agent_id = ? ORDER BY 1");
  orgs.bind(1, id);
  while (orgs.step()) a.organisation_ids.push_back(orgs.int64(0));
  return a;
}

bool SqliteDirectory::is_empty() {
  auto st = c_.prepare("SELECT 1 FROM organisations LIMIT 1");
  return !st.step();
}

std::vector<Place> SqliteDirectory::places_of(const std::vector<Id>& orgs) {
  std::vector<Place> out;
  if (orgs.empty()) return out;
  auto st =
      c_.prepare(std::string("SELECT ") + kPlaceColumns +
                 " FROM places WHERE organisation_id IN (" + marks(orgs.size()) + ") ORDER BY id");
  int i = 1;
  for (Id o : orgs) st.bind(i++, o);
  while (st.step()) out.push_back(place_from_row(st));
  return out;
}

std::vector<Service> SqliteDirectory::services_of(const std::vector<Id>& orgs) {
  std::vector<Service> out;
  if (orgs.empty()) return out;
  auto st = c_.prepare(std::string("SELECT ") + kServiceColumns +
                       " FROM services WHERE organisation_id IN (" + marks(orgs.size()) +
                       ") ORDER BY id");
  int i = 1;
  for (Id o : orgs) st.bind(i++, o);
  while (st.step()) out.push_back(service_from_row(st));
  return out;
}

std::vector<Service> SqliteDirectory::search_services(const std::vector<std::string>& terms,
                                                      std::optional<Mode> mode, size_t limit) {
  std::string sql =
      std::string("SELECT ") + kServiceColumns + " FROM services WHERE archived_at IS NULL";
  for (size_t i = 0; i < terms.size(); ++i) sql += " AND instr(search_text, ?) > 0";
  if (mode) sql += " AND instr(',' || modes || ',', ?) > 0";
  sql += " ORDER BY name, id LIMIT ?";
  auto st = c_.prepare(sql);
  int i = 1;
  for (auto& t : terms) st.bind(i++, t);
  if (mode) st.bind(i++, "," + std::string(mode_name(*mode)) + ",");
  st.bind(i++, static_cast<std::int64_t>(limit));
  std::vector<Service> out;
  while (st.step()) out.push_back(service_from_row(st));
  return out;
}

std::vector<Place> SqliteDirectory::places_offering(Id service_id,
                                                    const std::string& postcode_prefix) {
  auto st = c_.prepare(std::string("SELECT DISTINCT p.") +
                       "id, p.organisation_id, p.name, p.address, p.postcode, p.city, "
                       "p.accessibility, p.opening_hours, p.latitude, p.longitude, p.timezone "
                       "FROM opening_services os JOIN openings o ON o.id = os.opening_id "
                       "JOIN places p ON p.id = o.place_id WHERE os.service_id = ? AND "
                       "substr(p.postcode, 1, length(?2)) = ?2 ORDER BY p.id");
  st.bind(1, service_id).bind(2, postcode_prefix);
  std::vector<Place> out;
  while (st.step()) out.push_back(place_from_row(st));
  return out;
}

std::vector<Webhook> SqliteDirectory::webhooks_of(Id organisation_id) {
  auto st = c_.prepare(std::string("SELECT ") + kWebhookColumns +
                       " FROM webhooks WHERE organisation_id = ? ORDER BY id");
  st.bind(1, organisation_id);
  std::vector<Webhook> out;
  while (st.step()) out.push_back(webhook_from_row(st));
  return out;
}

std::optional<std::string> SqliteDirectory::setting(const std::string& name) {
  auto st = c_.prepare("SELECT value FROM settings WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

Id SqliteDirectory::insert_organisation(const Organisation& o) {
  auto st = c_.prepare(
      "INSERT INTO organisations(name, kind, timezone, territory_id, colleagues_see_agendas) "
      "VALUES (?, ?, ?, ?, ?)");
  st.bind(1, o.name).bind(2, o.kind).bind(3, o.timezone).bind(4, o.territory_id);
  st.bind(5, o.colleagues_see_agendas ? 1 : 0).run();
  return c_.last_insert_id();
}

void SqliteDirectory::update_organisation_video(Id organisation_id, const VideoSettings& v) {
  auto st = c_.prepare("UPDATE organisations SET video = ? WHERE id = ?");
  st.bind(1, video_json(v)).bind(2, organisation_id).run();
}

Id SqliteDirectory::insert_place(const Place& p) {
  auto st = c_.prepare(
      "INSERT INTO places(organisation_id, name, address, postcode, city, accessibility, "
      "opening_hours, latitude, longitude, timezone) VALUES (?,?,?,?,?,?,?,?,?,?)");
  st.bind(1, p.organisation_id).bind(2, p.name).bind(3, p.address).bind(4, p.postcode);
  st.bind(5, p.city).bind(6, p.accessibility).bind(7, p.opening_hours);
  st.bind(8, p.latitude).bind(9, p.longitude).bind(10, p.timezone).run();
  return c_.last_insert_id();
}

Id SqliteDirectory::insert_service(const Service& s) {
  auto org = organisation(s.organisation_id);
  auto st = c_.prepare(
      "INSERT INTO services(organisation_id, name, description, keywords, documents_to_bring, "
      "duration_minutes, slot_step_minutes, modes, min_notice_minutes, horizon_days, "
      "buffer_before_minutes, buffer_after_minutes, capacity, cancel_until_minutes, "
      "bookable_by, search_text, reminders) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
      "?11, ?12, ?13, ?14, ?15, ?16, ?17)");
  bind_service(st, s, service_search_text(s, org ? org->name : ""));
  st.run();
  return c_.last_insert_id();
}

Id SqliteDirectory::insert_agent(const Agent& a) {
  auto st = c_.prepare("INSERT INTO agents(name, email, phone, ics_secret) VALUES (?,?,?,?)");
  st.bind(1, a.name).bind(2, a.email).bind(3, a.phone).bind(4, a.ics_secret).run();
  Id id = c_.last_insert_id();
  for (Id org : a.organisation_ids) {
    auto link =
        c_.prepare("INSERT INTO agent_organisations(agent_id, organisation_id) VALUES (?, ?)");
    link.bind(1, id).bind(2, org).run();
  }
  return id;
}

void SqliteDirectory::update_agent_ics_secret(Id agent_id, const std::string& secret) {
  auto st = c_.prepare("UPDATE agents SET ics_secret = ? WHERE id = ?");
  st.bind(1, secret).bind(2, agent_id).run();
}

Id SqliteDirectory::insert_webhook(const Webhook& w, Instant now) {
  auto st = c_.prepare(
      "INSERT INTO webhooks(organisation_id, url, secret, events, created_at) VALUES "
      "(?,?,?,?,?)");
  st.bind(1, w.organisation_id)
      .bind(2, w.url)
      .bind(3, w.secret)
      .bind(4, webhook_events_csv(w.events));
  st.bind(5, to_epoch(now)).run();
  return c_.last_insert_id();
}

void SqliteDirectory::update_webhook(const Webhook& w) {
  auto st = c_.prepare("UPDATE webhooks SET url = ?, secret = ?, events = ? WHERE id = ?");
  st.bind(1, w.url).bind(2, w.secret).bind(3, webhook_events_csv(w.events)).bind(4, w.id).run();
}

std::string SqliteDirectory::ensure_setting(const std::string& name, const std::string& value) {
  auto st = c_.prepare("INSERT OR IGNORE INTO settings(name, value) VALUES (?, ?)");
  st.bind(1, name).bind(2, value).run();
  return *setting(name);
}

}  // namespace rdv
