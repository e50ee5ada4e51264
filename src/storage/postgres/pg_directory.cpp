#include "storage/postgres/pg_directory.h"

#include <unordered_map>

#include "storage/postgres/rows.h"

namespace rdv {

using namespace postgres;  // Row, all_of and the shared row encodings

namespace {

// $1 organisation_id ... $17 reminders, in the order exec_service binds them.
constexpr const char* kServiceWrite =
    "organisation_id = $1, name = $2, description = $3, keywords = $4, documents_to_bring = $5, "
    "duration_minutes = $6, slot_step_minutes = $7, modes = $8, min_notice_minutes = $9, "
    "horizon_days = $10, buffer_before_minutes = $11, buffer_after_minutes = $12, capacity = $13, "
    "cancel_until_minutes = $14, bookable_by = $15, search_text = $16, reminders = $17";

// Runs `sql` with a service's columns as $1..$17 (see kServiceWrite), then
// `more` from $18 on.
template <class... More>
pqxx::result exec_service(postgres::Statements& tx, const std::string& sql, const Service& s,
                          const std::string& search_text, const More&... more) {
  return tx.exec_params(sql, s.organisation_id, s.name, s.description, strings_to_json(s.keywords),
                        strings_to_json(s.documents_to_bring), s.duration_minutes,
                        s.slot_step_minutes, s.modes.to_csv(), s.min_notice_minutes, s.horizon_days,
                        s.buffer_before_minutes, s.buffer_after_minutes, s.capacity,
                        s.cancel_until_minutes, csv(s.bookable_by), search_text,
                        reminders_json(s.reminders), more...);
}

// The organisation of the service $1, where a query needs its id.
constexpr const char* kOrganisationOfService =
    "(SELECT organisation_id FROM services WHERE id = $1)";

// An organisation's webhooks, by id; `organisation` is its id in the query.
std::string webhooks_query(const char* organisation) {
  return std::string("SELECT ") + kWebhookColumns +
         " FROM webhooks WHERE organisation_id = " + organisation + " ORDER BY id";
}

// The organisation's name for a service's search text; "" when there is
// none, as in SQLite.
std::string organisation_name(postgres::Statements& tx, Id organisation_id) {
  auto r = tx.exec_params("SELECT name FROM organisations WHERE id = $1", organisation_id);
  return r.empty() ? std::string() : Row(r[0]).text("name");
}

// The organisations of the agents $1 (an array), by organisation: the order
// SQLite reads them in, from the primary key.
constexpr const char* kAgentOrganisations =
    "SELECT agent_id, organisation_id FROM agent_organisations "
    "WHERE agent_id = ANY($1::bigint[]) ORDER BY agent_id, organisation_id";

// Reads each agent's organisation_ids in one query rather than one per agent.
void read_organisation_ids(postgres::Statements& tx, std::vector<Agent>& agents) {
  if (agents.empty()) return;
  std::vector<Id> ids;
  std::unordered_map<Id, Agent*> by_id;
  for (Agent& a : agents) {
    ids.push_back(a.id);
    by_id[a.id] = &a;
  }
  for (const auto& row : tx.exec_params(kAgentOrganisations, bigint_array(ids)))
    by_id.at(Row(row).int64("agent_id"))
        ->organisation_ids.push_back(Row(row).int64("organisation_id"));
}

}  // namespace

std::vector<Organisation> PgDirectory::organisations(std::optional<Id> territory_id, bool archived,
                                                     Id after_id, size_t limit) {
  return all_of(tx_.exec_params(std::string("SELECT ") + kOrganisationColumns +
                                    " FROM organisations WHERE id > $1 AND ($2::bigint IS NULL "
                                    "OR territory_id = $2) AND ($4::boolean OR archived_at IS "
                                    "NULL) ORDER BY id LIMIT $3",
                                after_id, territory_id, limit_param(limit), archived),
                organisation_from_row<Row>);
}

bool PgDirectory::organisation_in_use(Id organisation_id) {
  auto r = tx_.exec_params1(
      "SELECT (EXISTS (SELECT 1 FROM places WHERE organisation_id = $1) "
      "OR EXISTS (SELECT 1 FROM services WHERE organisation_id = $1) "
      "OR EXISTS (SELECT 1 FROM agent_organisations WHERE organisation_id = $1) "
      "OR EXISTS (SELECT 1 FROM memberships WHERE organisation_id = $1) "
      "OR EXISTS (SELECT 1 FROM webhooks WHERE organisation_id = $1))::integer AS used",
      organisation_id);
  return Row(r).int64("used") != 0;
}

void PgDirectory::set_organisation_archived(Id organisation_id, bool archived) {
  // floor: whole seconds truncated, like SQLite's strftime('%s','now').
  tx_.exec_params0(
      "UPDATE organisations SET archived_at = CASE WHEN $1::boolean THEN "
      "floor(extract(epoch FROM now()))::bigint END WHERE id = $2",
      archived, organisation_id);
}

void PgDirectory::delete_organisation(Id organisation_id) {
  tx_.exec_params0("DELETE FROM organisations WHERE id = $1", organisation_id);
}

std::vector<Agent> PgDirectory::agents_of(Id organisation_id) {
  // COLLATE "C": SQLite orders text by bytes, whatever the database's locale.
  auto out = all_of(
      tx_.exec_params(std::string("SELECT ") + kAgentListColumns +
                          " FROM agents a JOIN agent_organisations ao ON ao.agent_id = a.id "
                          "WHERE ao.organisation_id = $1 ORDER BY a.name COLLATE \"C\", a.id",
                      organisation_id),
      agent_from_row<Row>);
  read_organisation_ids(tx_, out);
  return out;
}

int PgDirectory::uses_of_place(Id place_id) {
  auto r = tx_.exec_params1(
      "SELECT (SELECT count(*) FROM bookings WHERE place_id = $1) + "
      "(SELECT count(*) FROM openings WHERE place_id = $1) AS uses",
      place_id);
  return static_cast<int>(Row(r).int64("uses"));
}

void PgDirectory::update_organisation(const Organisation& o) {
  tx_.exec_params0(
      "UPDATE organisations SET name = $1, kind = $2, timezone = $3, colleagues_see_agendas = $4 "
      "WHERE id = $5",
      o.name, o.kind, o.timezone, o.colleagues_see_agendas ? 1 : 0, o.id);
}

void PgDirectory::update_place(const Place& p) {
  tx_.exec_params0(
      "UPDATE places SET name = $1, address = $2, postcode = $3, city = $4, accessibility = $5, "
      "opening_hours = $6, latitude = $7, longitude = $8, timezone = $9 WHERE id = $10",
      p.name, p.address, p.postcode, p.city, p.accessibility, p.opening_hours, p.latitude,
      p.longitude, p.timezone, p.id);
}

void PgDirectory::delete_place(Id place_id) {
  tx_.exec_params0("DELETE FROM places WHERE id = $1", place_id);
}

void PgDirectory::update_service(const Service& s) {
  exec_service(tx_,
               std::string("UPDATE services SET ") + kServiceWrite +
                   " WHERE id = $18 AND organisation_id = $1",
               s, service_search_text(s, organisation_name(tx_, s.organisation_id)), s.id);
}

void PgDirectory::set_service_archived(Id service_id, bool archived) {
  tx_.exec_params0(
      "UPDATE services SET archived_at = CASE WHEN $1::boolean THEN "
      "floor(extract(epoch FROM now()))::bigint END WHERE id = $2",
      archived, service_id);
}

void PgDirectory::delete_service(Id service_id) {
  tx_.exec_params0("DELETE FROM opening_services WHERE service_id = $1", service_id);
  tx_.exec_params0("DELETE FROM services WHERE id = $1", service_id);
}

void PgDirectory::update_agent(const Agent& a) {
  tx_.exec_params0("UPDATE agents SET name = $1, email = $2, phone = $3 WHERE id = $4", a.name,
                   a.email, a.phone, a.id);
}

void PgDirectory::delete_webhook(Id webhook_id) {
  tx_.exec_params0("DELETE FROM webhooks WHERE id = $1", webhook_id);
}

std::optional<Organisation> PgDirectory::organisation(Id id) {
  postgres::Batch alone(tx_.work());
  return organisation(alone, id).get();
}

std::optional<Place> PgDirectory::place(Id id) {
  postgres::Batch alone(tx_.work());
  return place(alone, id).get();
}

std::optional<Service> PgDirectory::service(Id id) {
  postgres::Batch alone(tx_.work());
  return service(alone, id).get();
}

postgres::Pending<std::optional<Organisation>> PgDirectory::organisation(postgres::Batch& batch,
                                                                         Id id) {
  auto index = batch.add(
      std::string("SELECT ") + kOrganisationColumns + " FROM organisations WHERE id = $1", id);
  return {batch, index,
          [](const pqxx::result& r) { return first_of(r, organisation_from_row<Row>); }};
}

postgres::Pending<std::optional<Organisation>> PgDirectory::organisation_of_service(
    postgres::Batch& batch, Id service_id) {
  auto index = batch.add(std::string("SELECT ") + kOrganisationColumns +
                             " FROM organisations WHERE id = " + kOrganisationOfService,
                         service_id);
  return {batch, index,
          [](const pqxx::result& r) { return first_of(r, organisation_from_row<Row>); }};
}

postgres::Pending<std::optional<Place>> PgDirectory::place(postgres::Batch& batch, Id id) {
  auto index = batch.add(std::string("SELECT ") + kPlaceColumns + " FROM places WHERE id = $1", id);
  return {batch, index, [](const pqxx::result& r) { return first_of(r, place_from_row<Row>); }};
}

postgres::Pending<std::optional<Service>> PgDirectory::service(postgres::Batch& batch, Id id) {
  auto index =
      batch.add(std::string("SELECT ") + kServiceColumns + " FROM services WHERE id = $1", id);
  return {batch, index, [](const pqxx::result& r) { return first_of(r, service_from_row<Row>); }};
}

postgres::Pending<std::vector<Webhook>> PgDirectory::webhooks_of_service(postgres::Batch& batch,
                                                                         Id service_id) {
  auto index = batch.add(webhooks_query(kOrganisationOfService), service_id);
  return {batch, index, [](const pqxx::result& r) { return all_of(r, webhook_from_row<Row>); }};
}

std::optional<Agent> PgDirectory::agent(Id id) {
  // Each statement on its own, as exec_params runs it, whatever the server
  // does with our statement names; a new booking reads its agent in
  // PostgresStore's batch instead.
  postgres::Batch alone(tx_.work(), false);
  return agent(alone, id).get();
}

postgres::Pending<std::optional<Agent>> PgDirectory::agent(postgres::Batch& batch, Id id) {
  auto index = batch.add(std::string("SELECT ") + kAgentColumns + " FROM agents WHERE id = $1", id);
  auto organisations = batch.add(kAgentOrganisations, bigint_array(std::vector<Id>{id}));
  return {batch, index, [&batch, organisations](const pqxx::result& r) {
            std::optional<Agent> agent = first_of(r, agent_from_row<Row>);
            for (const auto& row : batch.result(organisations))  // read even when none
              if (agent) agent->organisation_ids.push_back(Row(row).int64("organisation_id"));
            return agent;
          }};
}

bool PgDirectory::is_empty() { return tx_.exec("SELECT 1 FROM organisations LIMIT 1").empty(); }

std::vector<Place> PgDirectory::places_of(const std::vector<Id>& orgs) {
  if (orgs.empty()) return {};
  return all_of(tx_.exec_params(std::string("SELECT ") + kPlaceColumns +
                                    " FROM places WHERE organisation_id = ANY($1::bigint[]) "
                                    "ORDER BY id",
                                bigint_array(orgs)),
                place_from_row<Row>);
}

std::vector<Service> PgDirectory::services_of(const std::vector<Id>& orgs) {
  if (orgs.empty()) return {};
  return all_of(tx_.exec_params(std::string("SELECT ") + kServiceColumns +
                                    " FROM services WHERE organisation_id = ANY($1::bigint[]) "
                                    "ORDER BY id",
                                bigint_array(orgs)),
                service_from_row<Row>);
}

std::vector<Service> PgDirectory::search_services(const std::vector<std::string>& terms,
                                                  std::optional<Mode> mode, size_t limit) {
  // $1 is the limit, then one placeholder per term, then the mode if any.
  std::vector<std::string> texts = terms;
  std::string sql =
      std::string("SELECT ") + kServiceColumns + " FROM services WHERE archived_at IS NULL";
  for (size_t i = 0; i < terms.size(); ++i)
    sql += " AND strpos(search_text, $" + std::to_string(i + 2) + "::text) > 0";
  if (mode) {
    texts.push_back("," + std::string(mode_name(*mode)) + ",");
    sql += " AND strpos(',' || modes || ',', $" + std::to_string(texts.size() + 1) + "::text) > 0";
  }
  // COLLATE "C": SQLite orders text by bytes, whatever the database's locale.
  sql += " ORDER BY name COLLATE \"C\", id LIMIT $1";
  // Unnamed: one text per number of terms, which a request chooses.
  return all_of(
      tx_.work().exec_params(sql, limit_param(limit), pqxx::prepare::make_dynamic_params(texts)),
      service_from_row<Row>);
}

std::vector<Place> PgDirectory::places_offering(Id service_id, const std::string& postcode_prefix) {
  // EXISTS rather than SQLite's SELECT DISTINCT over the join: the same
  // places, each once, and the shared column list applies unqualified.
  return all_of(
      tx_.exec_params(std::string("SELECT ") + kPlaceColumns +
                          " FROM places WHERE substr(postcode, 1, length($2::text)) = $2 AND "
                          "EXISTS (SELECT 1 FROM opening_services os JOIN openings o ON "
                          "o.id = os.opening_id WHERE os.service_id = $1 AND "
                          "o.place_id = places.id) ORDER BY id",
                      service_id, postcode_prefix),
      place_from_row<Row>);
}

std::vector<Webhook> PgDirectory::webhooks_of(Id organisation_id) {
  return all_of(tx_.exec_params(webhooks_query("$1"), organisation_id), webhook_from_row<Row>);
}

std::optional<std::string> PgDirectory::setting(const std::string& name) {
  auto r = tx_.exec_params("SELECT value FROM settings WHERE name = $1", name);
  if (r.empty()) return std::nullopt;
  return Row(r[0]).text("value");
}

Id PgDirectory::insert_organisation(const Organisation& o) {
  auto r = tx_.exec_params1(
      "INSERT INTO organisations(name, kind, timezone, territory_id, colleagues_see_agendas) "
      "VALUES ($1, $2, $3, $4, $5) RETURNING id",
      o.name, o.kind, o.timezone, o.territory_id, o.colleagues_see_agendas ? 1 : 0);
  return Row(r).int64("id");
}

void PgDirectory::update_organisation_video(Id organisation_id, const VideoSettings& v) {
  tx_.exec_params0("UPDATE organisations SET video = $1 WHERE id = $2", video_json(v),
                   organisation_id);
}

Id PgDirectory::insert_place(const Place& p) {
  auto r = tx_.exec_params1(
      "INSERT INTO places(organisation_id, name, address, postcode, city, accessibility, "
      "opening_hours, latitude, longitude, timezone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
      "$10) RETURNING id",
      p.organisation_id, p.name, p.address, p.postcode, p.city, p.accessibility, p.opening_hours,
      p.latitude, p.longitude, p.timezone);
  return Row(r).int64("id");
}

Id PgDirectory::insert_service(const Service& s) {
  auto r = exec_service(
      tx_,
      "INSERT INTO services(organisation_id, name, description, keywords, documents_to_bring, "
      "duration_minutes, slot_step_minutes, modes, min_notice_minutes, horizon_days, "
      "buffer_before_minutes, buffer_after_minutes, capacity, cancel_until_minutes, "
      "bookable_by, search_text, reminders) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
      "$11, $12, $13, $14, $15, $16, $17) RETURNING id",
      s, service_search_text(s, organisation_name(tx_, s.organisation_id)));
  return Row(r.at(0)).int64("id");
}

Id PgDirectory::insert_agent(const Agent& a) {
  auto r = tx_.exec_params1(
      "INSERT INTO agents(name, email, phone, ics_secret) VALUES ($1, $2, $3, $4) RETURNING id",
      a.name, a.email, a.phone, a.ics_secret);
  Id id = Row(r).int64("id");
  if (!a.organisation_ids.empty())
    tx_.exec_params0(
        "INSERT INTO agent_organisations(agent_id, organisation_id) "
        "SELECT $1, unnest($2::bigint[])",
        id, bigint_array(a.organisation_ids));
  return id;
}

void PgDirectory::update_agent_ics_secret(Id agent_id, const std::string& secret) {
  tx_.exec_params0("UPDATE agents SET ics_secret = $1 WHERE id = $2", secret, agent_id);
}

Id PgDirectory::insert_webhook(const Webhook& w, Instant now) {
  auto r = tx_.exec_params1(
      "INSERT INTO webhooks(organisation_id, url, secret, events, created_at) VALUES "
      "($1, $2, $3, $4, $5) RETURNING id",
      w.organisation_id, w.url, w.secret, webhook_events_csv(w.events), to_epoch(now));
  return Row(r).int64("id");
}

void PgDirectory::update_webhook(const Webhook& w) {
  tx_.exec_params0("UPDATE webhooks SET url = $1, secret = $2, events = $3 WHERE id = $4", w.url,
                   w.secret, webhook_events_csv(w.events), w.id);
}

std::string PgDirectory::ensure_setting(const std::string& name, const std::string& value) {
  // At READ COMMITTED the SELECT after the insert sees the value a concurrent
  // writer committed first.
  tx_.exec_params0("INSERT INTO settings(name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING", name,
                   value);
  return *setting(name);
}

}  // namespace rdv
