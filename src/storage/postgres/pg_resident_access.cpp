#include "storage/postgres/pg_resident_access.h"

#include "storage/postgres/rows.h"

namespace rdv {

using namespace postgres;  // Row and the shared row encodings

std::optional<ResidentLink> PgResidentAccess::link(Id id) {
  auto r = tx_.exec_params(
      std::string("SELECT ") + kResidentLinkColumns + " FROM resident_links WHERE id = $1", id);
  if (r.empty()) return std::nullopt;
  return resident_link_from_row(Row(r[0]));
}

std::optional<ResidentLink> PgResidentAccess::link_by_hash(const std::string& token_hash) {
  auto r = tx_.exec_params(
      std::string("SELECT ") + kResidentLinkColumns + " FROM resident_links WHERE token_hash = $1",
      token_hash);
  if (r.empty()) return std::nullopt;
  return resident_link_from_row(Row(r[0]));
}

int PgResidentAccess::links_since(const std::string& email, const std::string& phone,
                                  Instant since) {
  auto r = tx_.exec_params1(
      "SELECT count(*) AS n FROM resident_links WHERE created_at >= $1 AND "
      "(($2::text <> '' AND email <> '' AND ascii_lower(email) = ascii_lower($2)) OR "
      "($3::text <> '' AND phone <> '' AND phone = $3))",
      to_epoch(since), email, phone);
  return static_cast<int>(Row(r).int64("n"));
}

std::optional<ResidentSession> PgResidentAccess::session_by_hash(const std::string& token_hash) {
  auto r = tx_.exec_params(std::string("SELECT ") + kResidentSessionColumns +
                               " FROM resident_sessions WHERE token_hash = $1",
                           token_hash);
  if (r.empty()) return std::nullopt;
  return resident_session_from_row(Row(r[0]));
}

Id PgResidentAccess::insert_link(const ResidentLink& l) {
  // Until its hash is set, the unique column holds a value no hash equals
  // (and no other pending link: 122 random bits).
  auto r = tx_.exec_params1(
      "INSERT INTO resident_links(email, phone, token_hash, created_at, expires_at) "
      "VALUES ($1,$2,'pending:' || replace(gen_random_uuid()::text, '-', ''),$3,$4) "
      "RETURNING id",
      l.email, l.phone, to_epoch(l.created_at), to_epoch(l.expires_at));
  return Row(r).int64("id");
}

void PgResidentAccess::set_link_token_hash(Id id, const std::string& token_hash) {
  tx_.exec_params0("UPDATE resident_links SET token_hash = $1 WHERE id = $2", token_hash, id);
}

bool PgResidentAccess::use_link(Id id, Instant at) {
  // At READ COMMITTED a second transaction using the same link waits for the
  // first, then re-checks used_at and updates nothing: single use holds.
  auto r = tx_.exec_params(
      "UPDATE resident_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL", to_epoch(at), id);
  return r.affected_rows() == 1;
}

Id PgResidentAccess::insert_session(const ResidentSession& s, const std::string& token_hash) {
  auto r = tx_.exec_params1(
      "INSERT INTO resident_sessions(email, phone, token_hash, created_at, expires_at) "
      "VALUES ($1,$2,$3,$4,$5) RETURNING id",
      s.email, s.phone, token_hash, to_epoch(s.created_at), to_epoch(s.expires_at));
  return Row(r).int64("id");
}

void PgResidentAccess::end_session(Id id, Instant at) {
  tx_.exec_params0("UPDATE resident_sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL",
                   to_epoch(at), id);
}

void PgResidentAccess::purge(Instant expired_before) {
  tx_.exec_params0("DELETE FROM resident_links WHERE expires_at < $1", to_epoch(expired_before));
  tx_.exec_params0("DELETE FROM resident_sessions WHERE expires_at < $1", to_epoch(expired_before));
}

}  // namespace rdv
