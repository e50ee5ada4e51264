#include "storage/postgres/pg_bookings.h"

#include "storage/postgres/connection.h"
#include "storage/postgres/rows.h"

namespace rdv {

using namespace postgres;  // Row and the shared row encodings

namespace {

// The columns that anonymising empties, from the resident's name to the
// agent's summary.
constexpr const char* kClearResident =
    "resident_first_name = '', resident_last_name = '', resident_email = '', resident_phone = '', "
    "mandate = '', notes = '', cancel_reason = '', summary = ''";

}  // namespace

std::optional<Booking> PgBookings::find(Id id) {
  auto r = tx_.exec_params(
      std::string("SELECT ") + kBookingColumns + " FROM bookings WHERE id = $1", id);
  if (r.empty()) return std::nullopt;
  return booking_from_row(Row(r[0]));
}

std::vector<HeldTime> PgBookings::holding_time(const std::vector<Id>& agent_ids, TimeRange window) {
  if (agent_ids.empty()) return {};
  postgres::Batch alone(tx_.work());
  return holding_time(alone, agent_ids, window).get();
}

postgres::Pending<std::vector<HeldTime>> PgBookings::holding_time(postgres::Batch& batch,
                                                                  const std::vector<Id>& agent_ids,
                                                                  TimeRange window) {
  // A blocked period is shorter than two days (durations and buffers are
  // capped: kMaxServiceMinutes, kMaxBufferMinutes), so the index range on
  // block_start is bounded on both sides.
  auto index = batch.add(std::string("SELECT ") + kHeldTimeColumns +
                             " FROM bookings WHERE status <> 'cancelled' AND "
                             "agent_id = ANY($1::bigint[]) AND block_start < $2 AND "
                             "block_start > $3 AND block_end > $4" +
                             kHeldTimeOrder,
                         bigint_array(agent_ids), to_epoch(window.end),
                         to_epoch(window.start) - 2 * 86400, to_epoch(window.start));
  return {batch, index, [](const pqxx::result& r) { return all_of(r, held_time_from_row<Row>); }};
}

std::vector<Booking> PgBookings::of_agent(Id agent_id, TimeRange window, bool include_cancelled) {
  auto r =
      tx_.exec_params(std::string("SELECT ") + kBookingColumns +
                          " FROM bookings WHERE agent_id = $1 AND start_at >= $2 AND "
                          "start_at < $3 AND ($4::boolean OR status <> 'cancelled') "
                          "ORDER BY start_at, id",
                      agent_id, to_epoch(window.start), to_epoch(window.end), include_cancelled);
  return all_of(r, booking_from_row<Row>);
}

std::vector<Booking> PgBookings::list(const BookingFilter& f) {
  // $1 agent $2 organisation $3 booked by $4 service $5 place $6 status $7 from $8 to
  // $9, $10 after (start, id) $11 limit. An unnamed statement is planned with
  // its values, so the filters left NULL cost nothing.
  std::optional<std::string> status;
  if (f.status) status = std::string(status_name(*f.status));
  std::optional<std::int64_t> after_start;
  Id after_id = 0;
  if (f.after) {
    after_start = to_epoch(f.after->first);
    after_id = f.after->second;
  }
  auto r = tx_.exec_params(
      std::string("SELECT ") + kBookingColumns +
          " FROM bookings WHERE ($1::bigint IS NULL OR agent_id = $1) "
          "AND ($2::bigint IS NULL OR service_id IN "
          "(SELECT id FROM services WHERE organisation_id = $2)) "
          "AND ($3::bigint IS NULL OR booked_by_account_id = $3) "
          "AND ($4::bigint IS NULL OR service_id = $4) "
          "AND ($5::bigint IS NULL OR place_id = $5) AND ($6::text IS NULL OR status = $6) "
          "AND ($7::bigint IS NULL OR start_at >= $7) AND ($8::bigint IS NULL OR start_at < $8) "
          "AND ($9::bigint IS NULL OR start_at > $9 OR (start_at = $9 AND id > $10::bigint)) "
          "ORDER BY start_at, id LIMIT $11::bigint",
      f.agent_id, f.organisation_id, f.booked_by_account_id, f.service_id, f.place_id, status,
      epoch_or_null(f.from), epoch_or_null(f.to), after_start, after_id,
      static_cast<std::int64_t>(f.limit));
  return all_of(r, booking_from_row<Row>);
}

int PgBookings::count_of_service(Id service_id) {
  auto r = tx_.exec_params1("SELECT count(*) AS n FROM bookings WHERE service_id = $1", service_id);
  return static_cast<int>(Row(r).int64("n"));
}

std::vector<Booking> PgBookings::of_contact(const std::string& email, const std::string& phone) {
  // One query: PostgreSQL ORs the two contact indexes in a bitmap, where
  // SQLite needs a query for each (each arm names the indexes' condition).
  auto r =
      tx_.exec_params(std::string("SELECT ") + kBookingColumns +
                          " FROM bookings WHERE ($1::text <> '' AND resident_email <> '' AND "
                          "ascii_lower(resident_email) = ascii_lower($1)) OR ($2::text <> '' AND "
                          "resident_phone <> '' AND resident_phone = $2) "
                          "ORDER BY start_at, id",
                      email, phone);
  return all_of(r, booking_from_row<Row>);
}

int PgBookings::open_of_contact(Id service_id, const std::string& email, const std::string& phone,
                                Instant now) {
  postgres::Batch alone(tx_.work());
  return open_of_contact(alone, service_id, email, phone, now).get();
}

postgres::Pending<int> PgBookings::open_of_contact(postgres::Batch& batch, Id service_id,
                                                   const std::string& email,
                                                   const std::string& phone, Instant now) {
  // As on SQLite: one lookup along each contact index (contact, service).
  auto index = batch.add(
      "SELECT count(*) AS n FROM (SELECT id FROM bookings WHERE $3::text <> '' AND "
      "service_id = $1 AND resident_email <> '' AND ascii_lower(resident_email) = "
      "ascii_lower($3) AND status <> 'cancelled' AND end_at > $2 UNION SELECT id FROM bookings "
      "WHERE $4::text <> '' AND service_id = $1 AND resident_phone <> '' AND resident_phone = $4 "
      "AND status <> 'cancelled' AND end_at > $2) AS mine",
      service_id, to_epoch(now), email, phone);
  return {batch, index, [](const pqxx::result& r) {
            if (r.size() != 1) throw pqxx::unexpected_rows("a count without its row");
            return static_cast<int>(Row(r[0]).int64("n"));
          }};
}

std::vector<BookingCount> PgBookings::counts(Id organisation_id, TimeRange made) {
  // Groups in SQLite's order (its GROUP BY sorts them), bytewise as SQLite
  // compares text, whatever the database's collation.
  auto r = tx_.exec_params(
      "SELECT b.service_id, b.status, b.booked_by, count(*) AS n FROM bookings b "
      "JOIN services s ON s.id = b.service_id WHERE s.organisation_id = $1 "
      "AND b.created_at >= $2 AND b.created_at < $3 "
      "GROUP BY b.service_id, b.status, b.booked_by "
      "ORDER BY b.service_id, b.status COLLATE \"C\", b.booked_by COLLATE \"C\"",
      organisation_id, to_epoch(made.start), to_epoch(made.end));
  std::vector<BookingCount> out;
  for (const auto& row : r) {
    Row c(row);
    auto status = parse_status(c.text("status"));
    auto by = parse_booked_by(c.text("booked_by"));
    if (!status || !by) continue;  // written by this program: never happens
    out.push_back({c.int64("service_id"), *status, *by, static_cast<int>(c.int64("n"))});
  }
  return out;
}

std::optional<IdempotentBooking> PgBookings::idempotent(const std::string& key_hash) {
  auto r = tx_.exec_params(
      "SELECT request_hash, booking_id FROM idempotency_keys WHERE key_hash = $1", key_hash);
  if (r.empty()) return std::nullopt;
  pqxx::row row = r[0];  // Row reads it by reference: it must outlive Row
  Row c(row);
  return IdempotentBooking{c.text("request_hash"), c.int64("booking_id")};
}

std::vector<Document> PgBookings::documents_of(Id booking_id) {
  auto r = tx_.exec_params(std::string("SELECT ") + kDocumentColumns +
                               " FROM documents d WHERE d.booking_id = $1 ORDER BY d.id",
                           booking_id);
  return all_of(r, document_from_row<Row>);
}

std::vector<SurveyStats> PgBookings::survey_stats(Id organisation_id) {
  // avg() of integers is numeric: read as a double like SQLite's real.
  auto r = tx_.exec_params(
      "SELECT service_id, count(*) AS answers, avg(rating)::double precision AS rating, "
      "sum(solved) AS solved FROM survey_answers "
      "WHERE organisation_id = $1 GROUP BY service_id ORDER BY service_id",
      organisation_id);
  std::vector<SurveyStats> out;
  for (const auto& row : r) {
    Row c(row);
    out.push_back({c.int64("service_id"), static_cast<int>(c.int64("answers")),
                   c.opt_real("rating").value_or(0), static_cast<int>(c.int64("solved"))});
  }
  return out;
}

Id PgBookings::insert(const Booking& b) {
  postgres::Batch alone(tx_.work());
  return inserted_id(insert(alone, b));
}

postgres::Pending<Id> PgBookings::insert(postgres::Batch& batch, const Booking& b) {
  auto index = batch.add(
      "INSERT INTO bookings(service_id, agent_id, place_id, mode, start_at, end_at, "
      "block_start, block_end, capacity, status, booked_by, resident_first_name, "
      "resident_last_name, resident_email, resident_phone, mandate, manage_token_hash, notes, "
      "cancel_reason, created_at, updated_at, sequence, booked_by_account_id) "
      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,'',$17,$18,$19,$20,$21,"
      "$22) RETURNING id",
      b.service_id, b.agent_id, b.place_id, std::string(mode_name(b.mode)), to_epoch(b.start),
      to_epoch(b.end), to_epoch(b.blocked().start), to_epoch(b.blocked().end), b.capacity,
      std::string(status_name(b.status)), std::string(booked_by_name(b.booked_by)),
      b.resident.first_name, b.resident.last_name, b.resident.email, b.resident.phone,
      b.mandate_json, b.notes, b.cancel_reason, to_epoch(b.created_at), to_epoch(b.updated_at),
      b.sequence, b.booked_by_account_id);
  return {batch, index, [](const pqxx::result& r) {
            if (r.size() != 1) throw pqxx::unexpected_rows("an insert without its id");
            return Row(r[0]).int64("id");
          }};
}

Id PgBookings::inserted_id(postgres::Pending<Id> inserted) {
  try {
    return inserted.get();
  } catch (const pqxx::sql_error&) {
    rethrow_translated();  // 23P01 -> SlotTakenError
  }
}

void PgBookings::update(const Booking& b) {
  try {
    tx_.exec_params0(
        "UPDATE bookings SET agent_id = $1, place_id = $2, mode = $3, start_at = $4, "
        "end_at = $5, block_start = $6, block_end = $7, status = $8, notes = $9, "
        "cancel_reason = $10, updated_at = $11, sequence = $12, summary = $13, "
        "survey_answered = $14, reminders_opt_out = $15, mandate = $16 WHERE id = $17",
        b.agent_id, b.place_id, std::string(mode_name(b.mode)), to_epoch(b.start), to_epoch(b.end),
        to_epoch(b.blocked().start), to_epoch(b.blocked().end), std::string(status_name(b.status)),
        b.notes, b.cancel_reason, to_epoch(b.updated_at), b.sequence, b.summary,
        b.survey_answered ? 1 : 0, b.reminders_opt_out ? 1 : 0, b.mandate_json, b.id);
  } catch (const pqxx::sql_error&) {
    rethrow_translated();  // 23P01 -> SlotTakenError
  }
}

void PgBookings::save_idempotent(const std::string& key_hash, const IdempotentBooking& b,
                                 Instant now) {
  tx_.exec_params0(
      "INSERT INTO idempotency_keys(key_hash, request_hash, booking_id, created_at) "
      "VALUES ($1,$2,$3,$4)",
      key_hash, b.request_hash, b.booking_id, to_epoch(now));
}

void PgBookings::purge_idempotency_keys(Instant older_than) {
  tx_.exec_params0("DELETE FROM idempotency_keys WHERE created_at < $1", to_epoch(older_than));
}

Id PgBookings::insert_document(const Document& d) {
  auto r = tx_.exec_params1(
      "INSERT INTO documents(booking_id, filename, content_type, size, stored_name, created_at) "
      "VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
      d.booking_id, d.filename, d.content_type, d.size, d.stored_name, to_epoch(d.created_at));
  return Row(r).int64("id");
}

void PgBookings::anonymise(Id booking_id) {
  tx_.exec_params0("DELETE FROM documents WHERE booking_id = $1", booking_id);
  tx_.exec_params0(std::string("UPDATE bookings SET ") + kClearResident + " WHERE id = $1",
                   booking_id);
}

void PgBookings::clear_mandates_ended_before(Instant ended_before) {
  tx_.exec_params0("UPDATE bookings SET mandate = '' WHERE mandate <> '' AND end_at < $1",
                   to_epoch(ended_before));
}

// The documents' rows are deleted and returned in one statement: at READ
// COMMITTED a SELECT then a DELETE could each see a document the other does
// not, and a file would be kept or removed wrongly. Ordered as SQLite returns
// them (its plan's order).
std::vector<Document> PgBookings::delete_ended_before(Instant ended_before) {
  auto r = tx_.exec_params(std::string("WITH gone AS (DELETE FROM documents d USING bookings b "
                                       "WHERE b.id = d.booking_id AND b.end_at < $1 RETURNING ") +
                               kDocumentColumns + ") SELECT * FROM gone ORDER BY booking_id, id",
                           to_epoch(ended_before));
  std::vector<Document> docs = all_of(r, document_from_row<Row>);
  tx_.exec_params0("DELETE FROM bookings WHERE end_at < $1", to_epoch(ended_before));
  return docs;
}

std::vector<Document> PgBookings::anonymise_cancelled_before(Instant cancelled_before) {
  auto r = tx_.exec_params(
      std::string("WITH gone AS (DELETE FROM documents d USING bookings b WHERE b.id = "
                  "d.booking_id AND b.status = 'cancelled' AND b.updated_at < $1 RETURNING ") +
          kDocumentColumns + ") SELECT * FROM gone ORDER BY booking_id, id",
      to_epoch(cancelled_before));
  std::vector<Document> docs = all_of(r, document_from_row<Row>);
  tx_.exec_params0(std::string("UPDATE bookings SET ") + kClearResident +
                       " WHERE status = 'cancelled' AND updated_at < $1 AND "
                       "(resident_last_name <> '' OR resident_email <> '' OR resident_phone <> '')",
                   to_epoch(cancelled_before));
  return docs;
}

void PgBookings::insert_survey_answer(Id organisation_id, Id service_id, const SurveyAnswer& a,
                                      const std::string& day) {
  tx_.exec_params0(
      "INSERT INTO survey_answers(organisation_id, service_id, rating, solved, comment, "
      "answered_on) VALUES ($1,$2,$3,$4,$5,$6)",
      organisation_id, service_id, a.rating, a.solved ? 1 : 0, a.comment, day);
}

}  // namespace rdv
