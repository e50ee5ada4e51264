#include "storage/sqlite/sqlite_bookings.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "storage/sqlite/rows.h"

namespace rdv {

using namespace sqlite;  // the shared row encodings

std::optional<Booking> SqliteBookings::find(Id id) {
  auto st = c_.prepare(std::string("SELECT ") + kBookingColumns + " FROM bookings WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return booking_from_row(st);
}

std::vector<HeldTime> SqliteBookings::holding_time(const std::vector<Id>& agent_ids,
                                                   TimeRange window) {
  std::vector<HeldTime> out;
  if (agent_ids.empty()) return out;
  // A blocked period is shorter than two days (durations and buffers are
  // capped: kMaxServiceMinutes, kMaxBufferMinutes), so the index range on
  // block_start is bounded on both sides.
  auto st = c_.prepare(
      std::string("SELECT ") + kHeldTimeColumns +
      " FROM bookings WHERE status <> 'cancelled' AND agent_id IN (" + marks(agent_ids.size()) +
      ") AND block_start < ? AND block_start > ? AND block_end > ?" + kHeldTimeOrder);
  int i = 1;
  for (Id a : agent_ids) st.bind(i++, a);
  st.bind(i++, to_epoch(window.end));
  st.bind(i++, to_epoch(window.start) - 2 * 86400);
  st.bind(i++, to_epoch(window.start));
  while (st.step()) out.push_back(held_time_from_row(st));
  return out;
}

std::vector<Booking> SqliteBookings::of_agent(Id agent_id, TimeRange window,
                                              bool include_cancelled) {
  auto st = c_.prepare(std::string("SELECT ") + kBookingColumns +
                       " FROM bookings WHERE agent_id = ? AND start_at >= ? AND start_at < ? "
                       "AND (? OR status <> 'cancelled') ORDER BY start_at, id");
  st.bind(1, agent_id).bind(2, to_epoch(window.start)).bind(3, to_epoch(window.end));
  st.bind(4, include_cancelled ? 1 : 0);
  std::vector<Booking> out;
  while (st.step()) out.push_back(booking_from_row(st));
  return out;
}

std::vector<Booking> SqliteBookings::list(const BookingFilter& f) {
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

int SqliteBookings::count_of_service(Id service_id) {
  auto st = c_.prepare("SELECT count(*) FROM bookings WHERE service_id = ?");
  st.bind(1, service_id);
  st.step();
  return static_cast<int>(st.int64(0));
}

std::vector<Booking> SqliteBookings::of_contact(const std::string& email,
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
  add("resident_email <> '' AND lower(resident_email) = lower(?1)", email);
  add("resident_phone <> '' AND resident_phone = ?1", phone);
  std::vector<Booking> out;
  for (auto& [id, b] : found) out.push_back(std::move(b));
  std::sort(out.begin(), out.end(), [](const Booking& a, const Booking& b) {
    return std::tie(a.start, a.id) < std::tie(b.start, b.id);
  });
  return out;
}

int SqliteBookings::open_of_contact(Id service_id, const std::string& email,
                                    const std::string& phone, Instant now) {
  // Two lookups, each along its index (bookings_contact_email, _phone: the
  // contact, then the service): with one OR the planner walked every booking
  // of the service (93 % of a booking's time on a department's database).
  auto st = c_.prepare(
      "SELECT count(*) FROM (SELECT id FROM bookings WHERE ?3 <> '' AND service_id = ?1 AND "
      "resident_email <> '' AND lower(resident_email) = lower(?3) AND status <> 'cancelled' AND "
      "end_at > ?2 UNION SELECT id FROM bookings WHERE ?4 <> '' AND service_id = ?1 AND "
      "resident_phone <> '' AND resident_phone = ?4 AND status <> 'cancelled' AND end_at > ?2)");
  st.bind(1, service_id).bind(2, to_epoch(now)).bind(3, email).bind(4, phone);
  st.step();
  return static_cast<int>(st.int64(0));
}

std::vector<BookingCount> SqliteBookings::counts(Id organisation_id, TimeRange made) {
  auto st = c_.prepare(
      "SELECT b.service_id, b.status, b.booked_by, count(*) AS n FROM bookings b "
      "JOIN services s ON s.id = b.service_id WHERE s.organisation_id = ? "
      "AND b.created_at >= ? AND b.created_at < ? "
      "GROUP BY b.service_id, b.status, b.booked_by ORDER BY b.service_id");
  st.bind(1, organisation_id).bind(2, to_epoch(made.start)).bind(3, to_epoch(made.end));
  std::vector<BookingCount> out;
  while (st.step()) {
    auto status = parse_status(st.text("status"));
    auto by = parse_booked_by(st.text("booked_by"));
    if (!status || !by) continue;  // written by this program: never happens
    out.push_back({st.int64("service_id"), *status, *by, static_cast<int>(st.int64("n"))});
  }
  return out;
}

std::optional<IdempotentBooking> SqliteBookings::idempotent(const std::string& key_hash) {
  auto st = c_.prepare("SELECT request_hash, booking_id FROM idempotency_keys WHERE key_hash = ?");
  st.bind(1, key_hash);
  if (!st.step()) return std::nullopt;
  return IdempotentBooking{st.text("request_hash"), st.int64("booking_id")};
}

std::vector<Document> SqliteBookings::documents_of(Id booking_id) {
  auto st = c_.prepare(std::string("SELECT ") + kDocumentColumns +
                       " FROM documents d WHERE d.booking_id = ? ORDER BY d.id");
  st.bind(1, booking_id);
  std::vector<Document> out;
  while (st.step()) out.push_back(document_from_row(st));
  return out;
}

std::vector<SurveyStats> SqliteBookings::survey_stats(Id organisation_id) {
  auto st = c_.prepare(
      "SELECT service_id, count(*) AS answers, avg(rating) AS rating, sum(solved) AS solved "
      "FROM survey_answers "
      "WHERE organisation_id = ? GROUP BY service_id ORDER BY service_id");
  st.bind(1, organisation_id);
  std::vector<SurveyStats> out;
  while (st.step())
    out.push_back({st.int64("service_id"), static_cast<int>(st.int64("answers")),
                   st.opt_real("rating").value_or(0), static_cast<int>(st.int64("solved"))});
  return out;
}

Id SqliteBookings::insert(const Booking& b) {
  auto st = c_.prepare(
      "INSERT INTO bookings(service_id, agent_id, place_id, mode, start_at, end_at, "
      "block_start, block_end, capacity, status, booked_by, resident_first_name, "
      "resident_last_name, resident_email, resident_phone, mandate, manage_token_hash, notes, "
      "cancel_reason, created_at, updated_at, sequence, booked_by_account_id) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  st.bind(1, b.service_id).bind(2, b.agent_id).bind(3, b.place_id).bind(4, mode_name(b.mode));
  st.bind(5, to_epoch(b.start)).bind(6, to_epoch(b.end));
  st.bind(7, to_epoch(b.blocked().start)).bind(8, to_epoch(b.blocked().end));
  st.bind(9, b.capacity).bind(10, status_name(b.status)).bind(11, booked_by_name(b.booked_by));
  st.bind(12, b.resident.first_name).bind(13, b.resident.last_name);
  st.bind(14, b.resident.email).bind(15, b.resident.phone).bind(16, b.mandate_json);
  st.bind(17, "").bind(18, b.notes).bind(19, b.cancel_reason);
  st.bind(20, to_epoch(b.created_at)).bind(21, to_epoch(b.updated_at)).bind(22, b.sequence);
  st.bind(23, b.booked_by_account_id).run();
  return c_.last_insert_id();
}

void SqliteBookings::update(const Booking& b) {
  auto st = c_.prepare(
      "UPDATE bookings SET agent_id = ?, place_id = ?, mode = ?, start_at = ?, end_at = ?, "
      "block_start = ?, block_end = ?, status = ?, notes = ?, cancel_reason = ?, updated_at = ?, "
      "sequence = ?, summary = ?, survey_answered = ?, reminders_opt_out = ?, mandate = ? "
      "WHERE id = ?");
  st.bind(1, b.agent_id).bind(2, b.place_id).bind(3, mode_name(b.mode));
  st.bind(4, to_epoch(b.start)).bind(5, to_epoch(b.end));
  st.bind(6, to_epoch(b.blocked().start)).bind(7, to_epoch(b.blocked().end));
  st.bind(8, status_name(b.status)).bind(9, b.notes).bind(10, b.cancel_reason);
  st.bind(11, to_epoch(b.updated_at)).bind(12, b.sequence).bind(13, b.summary);
  st.bind(14, b.survey_answered ? 1 : 0)
      .bind(15, b.reminders_opt_out ? 1 : 0)
      .bind(16, b.mandate_json)
      .bind(17, b.id)
      .run();
}

void SqliteBookings::save_idempotent(const std::string& key_hash, const IdempotentBooking& b,
                                     Instant now) {
  auto st = c_.prepare(
      "INSERT INTO idempotency_keys(key_hash, request_hash, booking_id, created_at) "
      "VALUES (?,?,?,?)");
  st.bind(1, key_hash).bind(2, b.request_hash).bind(3, b.booking_id);
  st.bind(4, to_epoch(now)).run();
}

void SqliteBookings::purge_idempotency_keys(Instant older_than) {
  auto st = c_.prepare("DELETE FROM idempotency_keys WHERE created_at < ?");
  st.bind(1, to_epoch(older_than)).run();
}

Id SqliteBookings::insert_document(const Document& d) {
  auto st = c_.prepare(
      "INSERT INTO documents(booking_id, filename, content_type, size, stored_name, created_at) "
      "VALUES (?,?,?,?,?,?)");
  st.bind(1, d.booking_id).bind(2, d.filename).bind(3, d.content_type).bind(4, d.size);
  st.bind(5, d.stored_name).bind(6, to_epoch(d.created_at)).run();
  return c_.last_insert_id();
}

void SqliteBookings::anonymise(Id booking_id) {
  auto drop = c_.prepare("DELETE FROM documents WHERE booking_id = ?");
  drop.bind(1, booking_id).run();
  auto st = c_.prepare(
      "UPDATE bookings SET resident_first_name = '', resident_last_name = '', resident_email = "
      "'', resident_phone = '', mandate = '', notes = '', cancel_reason = '', summary = '' "
      "WHERE id = ?");
  st.bind(1, booking_id).run();
}

void SqliteBookings::clear_mandates_ended_before(Instant ended_before) {
  auto st = c_.prepare("UPDATE bookings SET mandate = '' WHERE mandate <> '' AND end_at < ?");
  st.bind(1, to_epoch(ended_before)).run();
}

std::vector<Document> SqliteBookings::delete_ended_before(Instant ended_before) {
  std::vector<Document> docs = documents_where("b.end_at < ?", to_epoch(ended_before));
  auto d = c_.prepare(
      "DELETE FROM documents WHERE booking_id IN (SELECT id FROM bookings WHERE end_at < ?)");
  d.bind(1, to_epoch(ended_before)).run();
  auto b = c_.prepare("DELETE FROM bookings WHERE end_at < ?");
  b.bind(1, to_epoch(ended_before)).run();
  return docs;
}

std::vector<Document> SqliteBookings::anonymise_cancelled_before(Instant cancelled_before) {
  const char* which = "b.status = 'cancelled' AND b.updated_at < ?";
  std::vector<Document> docs = documents_where(which, to_epoch(cancelled_before));
  auto d = c_.prepare(std::string("DELETE FROM documents WHERE booking_id IN (SELECT b.id FROM "
                                  "bookings b WHERE ") +
                      which + ")");
  d.bind(1, to_epoch(cancelled_before)).run();
  auto b = c_.prepare(
      "UPDATE bookings SET resident_first_name = '', resident_last_name = '', resident_email = "
      "'', resident_phone = '', mandate = '', notes = '', cancel_reason = '', summary = '' "
      "WHERE status = 'cancelled' AND updated_at < ? AND (resident_last_name <> '' OR "
      "resident_email <> '' OR resident_phone <> '')");
  b.bind(1, to_epoch(cancelled_before)).run();
  return docs;
}

void SqliteBookings::insert_survey_answer(Id organisation_id, Id service_id, const SurveyAnswer& a,
                                          const std::string& day) {
  auto st = c_.prepare(
      "INSERT INTO survey_answers(organisation_id, service_id, rating, solved, comment, "
      "answered_on) VALUES (?,?,?,?,?,?)");
  st.bind(1, organisation_id).bind(2, service_id).bind(3, a.rating).bind(4, a.solved ? 1 : 0);
  st.bind(5, a.comment).bind(6, day).run();
}

std::vector<Document> SqliteBookings::documents_where(const std::string& where, std::int64_t at) {
  auto st = c_.prepare(std::string("SELECT ") + kDocumentColumns +
                       " FROM documents d JOIN bookings b ON b.id = d.booking_id WHERE " + where +
                       " ORDER BY d.booking_id, d.id");
  st.bind(1, at);
  std::vector<Document> out;
  while (st.step()) out.push_back(document_from_row(st));
  return out;
}

}  // namespace rdv
