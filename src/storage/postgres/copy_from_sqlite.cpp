#include "storage/postgres/copy_from_sqlite.h"

#include <algorithm>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>

#include "storage/postgres/migrate.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/sqlite_store.h"

namespace rdv::postgres {
namespace {

// Rows sent per INSERT: few round trips, statements of a modest size.
constexpr size_t kBatchRows = 200;

std::vector<std::string> tables_of(sqlite::Connection& db) {
  auto st = db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "AND name <> 'schema_migrations' ORDER BY name");
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text("name"));
  return out;
}

// Tables ordered so that each comes after the tables its foreign keys name.
std::vector<std::string> in_dependency_order(sqlite::Connection& db,
                                             const std::vector<std::string>& tables) {
  std::map<std::string, std::set<std::string>> needs;
  for (const std::string& t : tables) {
    auto st = db.prepare("SELECT \"table\" FROM pragma_foreign_key_list(?)");
    st.bind(1, t);
    while (st.step())
      if (std::string parent = st.text("table"); parent != t) needs[t].insert(parent);
  }
  std::vector<std::string> out;
  std::set<std::string> placed;
  while (out.size() < tables.size()) {
    bool progress = false;
    for (const std::string& t : tables) {
      if (placed.count(t)) continue;
      bool ready = true;
      for (const std::string& parent : needs[t]) ready = ready && placed.count(parent) > 0;
      if (!ready) continue;
      out.push_back(t);
      placed.insert(t);
      progress = true;
    }
    if (!progress) throw std::runtime_error("foreign keys of the SQLite schema form a cycle");
  }
  return out;
}

std::vector<std::string> columns_of(sqlite::Connection& db, const std::string& table) {
  auto st = db.prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid");
  st.bind(1, table);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text("name"));
  return out;
}

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

// The largest id SQLite gave in an AUTOINCREMENT table (kept in
// sqlite_sequence even when that row is gone); 0 for other tables.
std::int64_t highest_id_given(sqlite::Connection& db, const std::string& table) {
  auto exists = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'");
  if (!exists.step()) return 0;
  auto st = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = ?");
  st.bind(1, table);
  return st.step() ? st.int64("seq") : 0;
}

std::int64_t sqlite_count(sqlite::Connection& db, const std::string& table) {
  auto st = db.prepare("SELECT count(*) AS n FROM " + quoted(table));
  st.step();
  return st.int64("n");
}

// Sends the rows gathered so far as one INSERT; values are text (NULL as
// nullptr) that PostgreSQL casts to each column's type.
void flush(pqxx::dbtransaction& tx, const std::string& head, size_t width,
           std::vector<std::optional<std::string>>& values) {
  if (values.empty()) return;
  std::string sql = head;
  std::vector<const char*> params;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i % width == 0)
      sql += i ? "),(" : "(";
    else
      sql += ",";
    sql += "$" + std::to_string(i + 1);
    params.push_back(values[i] ? values[i]->c_str() : nullptr);
  }
  sql += ")";
  tx.exec_params0(sql, pqxx::prepare::make_dynamic_params(params));
  values.clear();
}

void copy_table(sqlite::Connection& from, pqxx::dbtransaction& to, const std::string& table) {
  std::vector<std::string> columns = columns_of(from, table);
  std::string list;
  for (const std::string& c : columns) list += (list.empty() ? "" : ", ") + quoted(c);
  const std::string head = "INSERT INTO " + quoted(table) + " (" + list + ") VALUES ";
  auto st = from.prepare("SELECT " + list + " FROM " + quoted(table));
  std::vector<std::optional<std::string>> values;
  while (st.step()) {
    for (size_t i = 0; i < columns.size(); ++i) {
      int col = static_cast<int>(i);
      if (st.is_null(col))
        values.emplace_back(std::nullopt);
      else
        values.emplace_back(st.text(col));
    }
    if (values.size() >= kBatchRows * columns.size()) flush(to, head, columns.size(), values);
  }
  flush(to, head, columns.size(), values);
}

}  // namespace

CopyReport copy_from_sqlite(const std::string& sqlite_path, const std::string& url) {
  { SqliteStore current(sqlite_path, 0); }  // brings the file to this binary's schema
  migrate(url);
  sqlite::Connection from(sqlite_path);
  sqlite::Transaction snapshot(from, "BEGIN");  // one consistent view of the source
  pqxx::connection conn(url);
  pqxx::work to(conn);
  if (!to.exec("SELECT 1 FROM organisations UNION ALL SELECT 1 FROM accounts UNION ALL "
               "SELECT 1 FROM settings LIMIT 1")
           .empty())
    throw std::runtime_error(
        "the PostgreSQL database already holds data (was a server started on it?): copy into an "
        "empty one");

  CopyReport report;
  for (const std::string& table : in_dependency_order(from, tables_of(from))) {
    copy_table(from, to, table);
    std::int64_t expected = sqlite_count(from, table);
    std::int64_t copied = to.exec1("SELECT count(*) FROM " + quoted(table))[0].as<std::int64_t>();
    if (copied != expected)
      throw std::runtime_error("table " + table + ": " + std::to_string(copied) + " rows copied, " +
                               std::to_string(expected) + " in SQLite");
    // The next id PostgreSQL gives follows every id SQLite ever gave, also
    // those of rows deleted since (links sign ids: none may come again).
    std::vector<std::string> columns = columns_of(from, table);
    if (std::find(columns.begin(), columns.end(), "id") != columns.end() &&
        !to.exec_params1("SELECT pg_get_serial_sequence($1, 'id') AS seq", table)["seq"].is_null())
      to.exec_params1(
          "SELECT setval(pg_get_serial_sequence($1, 'id'), greatest(coalesce((SELECT max(id) "
          "FROM " +
              quoted(table) + "), 0), $2) + 1, false)",
          table, highest_id_given(from, table));
    report.emplace_back(table, copied);
  }
  to.commit();
  return report;
}

}  // namespace rdv::postgres
