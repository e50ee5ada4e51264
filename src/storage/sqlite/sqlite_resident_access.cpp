#include "storage/sqlite/sqlite_resident_access.h"

#include "storage/sqlite/rows.h"

namespace rdv {

using namespace sqlite;  // the shared row encodings

std::optional<ResidentLink> SqliteResidentAccess::link(Id id) {
  auto st = c_.prepare(std::string("SELECT ") + kResidentLinkColumns +
                       " FROM resident_links WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return resident_link_from_row(st);
}

std::optional<ResidentLink> SqliteResidentAccess::link_by_hash(const std::string& token_hash) {
  auto st = c_.prepare(std::string("SELECT ") + kResidentLinkColumns +
                       " FROM resident_links WHERE token_hash = ?");
  st.bind(1, token_hash);
  if (!st.step()) return std::nullopt;
  return resident_link_from_row(st);
}

int SqliteResidentAccess::links_since(const std::string& email, const std::string& phone,
                                      Instant since) {
  auto st = c_.prepare(
      "SELECT count(*) FROM resident_links WHERE created_at >= ?1 AND "
      "((?2 <> '' AND email <> '' AND lower(email) = lower(?2)) OR "
      "(?3 <> '' AND phone <> '' AND phone = ?3))");
  st.bind(1, to_epoch(since)).bind(2, email).bind(3, phone);
  st.step();
  return static_cast<int>(st.int64(0));
}

std::optional<ResidentSession> SqliteResidentAccess::session_by_hash(
    const std::string& token_hash) {
  auto st = c_.prepare(std::string("SELECT ") + kResidentSessionColumns +
                       " FROM resident_sessions WHERE token_hash = ?");
  st.bind(1, token_hash);
  if (!st.step()) return std::nullopt;
  return resident_session_from_row(st);
}

Id SqliteResidentAccess::insert_link(const ResidentLink& l) {
  // Until its hash is set, the unique column holds a value no hash equals.
  auto st = c_.prepare(
      "INSERT INTO resident_links(email, phone, token_hash, created_at, expires_at) "
      "VALUES (?,?,'pending:' || hex(randomblob(16)),?,?)");
  st.bind(1, l.email).bind(2, l.phone);
  st.bind(3, to_epoch(l.created_at)).bind(4, to_epoch(l.expires_at)).run();
  return c_.last_insert_id();
}

void SqliteResidentAccess::set_link_token_hash(Id id, const std::string& token_hash) {
  auto st = c_.prepare("UPDATE resident_links SET token_hash = ? WHERE id = ?");
  st.bind(1, token_hash).bind(2, id).run();
}

bool SqliteResidentAccess::use_link(Id id, Instant at) {
  auto st = c_.prepare("UPDATE resident_links SET used_at = ? WHERE id = ? AND used_at IS NULL");
  st.bind(1, to_epoch(at)).bind(2, id).run();
  return c_.changes() == 1;
}

Id SqliteResidentAccess::insert_session(const ResidentSession& s, const std::string& token_hash) {
  auto st = c_.prepare(
      "INSERT INTO resident_sessions(email, phone, token_hash, created_at, expires_at) "
      "VALUES (?,?,?,?,?)");
  st.bind(1, s.email).bind(2, s.phone).bind(3, token_hash);
  st.bind(4, to_epoch(s.created_at)).bind(5, to_epoch(s.expires_at)).run();
  return c_.last_insert_id();
}

void SqliteResidentAccess::end_session(Id id, Instant at) {
  auto st =
      c_.prepare("UPDATE resident_sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL");
  st.bind(1, to_epoch(at)).bind(2, id).run();
}

void SqliteResidentAccess::purge(Instant expired_before) {
  for (const char* sql : {"DELETE FROM resident_links WHERE expires_at < ?",
                          "DELETE FROM resident_sessions WHERE expires_at < ?"}) {
    auto st = c_.prepare(sql);
    st.bind(1, to_epoch(expired_before)).run();
  }
}

}  // namespace rdv
