#include "storage/sqlite/sqlite_directory.h"

#include <algorithm>
#include <map>
#include <tuple>

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
  auto st = c_.prepare(
      "SELECT a.id, a.name, a.email, a.phone FROM agents a JOIN agent_organisations ao "
      "ON ao.agent_id = a.id WHERE ao.organisation_id = ? ORDER BY a.name, a.id");
  st.bind(1, organisation_id);
  std::vector<Agent> out;
  while (st.step()) {
    Agent a;
    a.id = st.int64("id");
    a.name = st.text("name");
    a.email = st.text("email");
    a.phone = st.text("phone");
    out.push_back(std::move(a));
  }
  for (Agent& a : out) {
    auto orgs = c_.prepare("SELECT organisation_id FROM agent_organisations WHERE agent_id = ?");
    orgs.bind(1, a.id);
    while (orgs.step()) a.organisation_ids.push_back(orgs.int64(0));
  }
  return out;
}

std::vector<Booking> SqliteDirectory::bookings(const BookingFilter& f) {
  // ?1 agent ?2 organisation ?3 booked by ?4 service ?5 place ?6 status ?7 from ?8 to
  // ?9, ?10 after (start, id) ?11 limit
  auto st = c_.prepare(
      std::string("SELECT ") + kBookingColumns +
      " FROM bookings WHERE (?1 IS NULL OR agent_id = ?1) "
      "AND (?2 IS NULL OR service_id IN (SELECT id FROM services WHERE organisation_id = ?2)) "
      "AND (?3 IS NULL OR booked_by_account_id = ?3) AND (?4 IS NULL OR service_id = ?4) "
      "AND (?5 IS NULL OR place_id = ?5) AND (?6 IS NULL OR status = ?6) "
      "AND (?7 IS NULL OR start_at >= ?7) AND (?8 IS NULL OR start_at < ?8) "
      "AND (?9 IS NULL OR start_at > ?9 OR (start_at = ?9 AND id > ?10)) "
      "ORDER BY start_at, id LIMIT ?11");
  st.bind(1, f.agent_id).bind(2, f.organisation_id).bind(3, f.booked_by_account_id);
  st.bind(4, f.service_id).bind(5, f.place_id);
  if (f.status)
    st.bind(6, status_name(*f.status));
  else
    st.bind(6, std::optional<std::int64_t>{});
  st.bind(7, epoch_or_null(f.from)).bind(8, epoch_or_null(f.to));
  if (f.after)
    st.bind(9, to_epoch(f.after->first)).bind(10, f.after->second);
  else
    st.bind(9, std::optional<std::int64_t>{}).bind(10, 0);
  st.bind(11, static_cast<std::int64_t>(f.limit));
  std::vector<Booking> out;
  while (st.step()) out.push_back(booking_from_row(st));
  return out;
}

int SqliteDirectory::bookings_of_service(Id service_id) {
  auto st = c_.prepare("SELECT count(*) FROM bookings WHERE service_id = ?");
  st.bind(1, service_id);
  st.step();
  return static_cast<int>(st.int64(0));
}

int SqliteDirectory::uses_of_place(Id place_id) {
  auto st = c_.prepare(
      "SELECT (SELECT count(*) FROM bookings WHERE place_id = ?1) + "
      "(SELECT count(*) FROM openings WHERE place_id = ?1)");
  st.bind(1, place_id);
  st.step();
  return static_cast<int>(st.int64(0));
}

std::vector<BookingCount> SqliteDirectory::booking_counts(Id organisation_id, TimeRange made) {
  auto st = c_.prepare(
      "SELECT b.service_id, b.status, b.booked_by, count(*) FROM bookings b "
      "JOIN services s ON s.id = b.service_id WHERE s.organisation_id = ? "
      "AND b.created_at >= ? AND b.created_at < ? "
      "GROUP BY b.service_id, b.status, b.booked_by ORDER BY b.service_id");
  st.bind(1, organisation_id).bind(2, to_epoch(made.start)).bind(3, to_epoch(made.end));
  std::vector<BookingCount> out;
  while (st.step()) {
    auto status = parse_status(st.text(1));
    auto by = parse_booked_by(st.text(2));
    if (!status || !by) continue;  // written by this program: never happens
    out.push_back({st.int64(0), *status, *by, st.integer(3)});
  }
  return out;
}

std::vector<Booking> SqliteDirectory::bookings_of_contact(const std::string& email,
                                                          const std::string& phone) {
  // One indexed query per kind of contact (an OR of both would scan the
  // table), merged.
  std::map<Id, Booking> found;
  auto add = [&](const char* where, const std::string& value) {
    if (value.empty()) return;
    auto st =
        c_.prepare(std::string("SELECT ") + kBookingColumns + " FROM bookings WHERE " + where);
    st.bind(1, value);
    while (st.step()) {
      Booking b = booking_from_row(st);
      found.emplace(b.id, std::move(b));
    }
  };
  add("lower(resident_email) = lower(?1)", email);
  add("resident_phone = ?1", phone);
  std::vector<Booking> out;
  for (auto& [id, b] : found) out.push_back(std::move(b));
  std::sort(out.begin(), out.end(), [](const Booking& a, const Booking& b) {
    return std::tie(a.start, a.id) < std::tie(b.start, b.id);
  });
  return out;
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
  auto st = c_.prepare(std::string("UPDATE services SET ") + kServiceWrite + " WHERE id = ?18");
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

void SqliteDirectory::delete_opening(Id opening_id) {
  auto links = c_.prepare("DELETE FROM opening_services WHERE opening_id = ?");
  links.bind(1, opening_id).run();
  auto st = c_.prepare("DELETE FROM openings WHERE id = ?");
  st.bind(1, opening_id).run();
}

void SqliteDirectory::delete_absence(Id absence_id) {
  auto st = c_.prepare("DELETE FROM absences WHERE id = ?");
  st.bind(1, absence_id).run();
}

void SqliteDirectory::anonymise_booking(Id booking_id) {
  auto drop = c_.prepare("DELETE FROM documents WHERE booking_id = ?");
  drop.bind(1, booking_id).run();
  auto st = c_.prepare(
      "UPDATE bookings SET resident_first_name = '', resident_last_name = '', resident_email = "
      "'', resident_phone = '', mandate = '', notes = '', cancel_reason = '', summary = '' "
      "WHERE id = ?");
  st.bind(1, booking_id).run();
}

void SqliteDirectory::clear_mandates_ended_before(Instant ended_before) {
  auto st = c_.prepare("UPDATE bookings SET mandate = '' WHERE mandate <> '' AND end_at < ?");
  st.bind(1, to_epoch(ended_before)).run();
}

void SqliteDirectory::delete_webhook(Id webhook_id) {
  auto st = c_.prepare("DELETE FROM webhooks WHERE id = ?");
  st.bind(1, webhook_id).run();
}

}  // namespace rdv
