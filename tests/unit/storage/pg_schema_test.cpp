// The PostgreSQL schema is the SQLite one after all its migrations, as the
// databases themselves describe them: same tables, same columns in the same
// order with the same nullability, defaults and type family, same indexes,
// unique keys and foreign keys. A migration added to one directory and not
// the other fails here.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "storage/postgres/connection.h"
#include "unit/storage/pg_test_cluster.h"

namespace {

struct Column {
  std::string name, family, default_value;
  bool not_null = false;
  bool operator==(const Column&) const = default;
};

struct Schema {
  std::map<std::string, std::vector<Column>> tables;
  std::set<std::string> indexes;       // by name, those made by CREATE INDEX
  std::set<std::string> unique_keys;   // "table(col,col)", the primary keys too
  std::set<std::string> foreign_keys;  // "table.col -> table.col [cascade]"
};

std::ostream& operator<<(std::ostream& o, const Column& c) {
  return o << c.name << " " << c.family << (c.not_null ? " NOT NULL" : "")
           << (c.default_value.empty() ? "" : " DEFAULT " + c.default_value);
}

// ---- SQLite, from the migration files

using Rows = std::vector<std::vector<std::string>>;

Rows query(sqlite3* db, const std::string& sql) {
  Rows rows;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    throw std::runtime_error(sqlite3_errmsg(db));
  while (sqlite3_step(st) == SQLITE_ROW) {
    auto& row = rows.emplace_back();
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      auto text = sqlite3_column_text(st, i);
      row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
  }
  sqlite3_finalize(st);
  return rows;
}

std::string sqlite_family(std::string type) {
  if (type == "INTEGER") return "integer";
  if (type == "REAL") return "real";
  return "text";
}

Schema sqlite_schema() {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (auto& f : fs::directory_iterator(RDV_SOURCE_DIR "/src/storage/sqlite/migrations"))
    if (f.path().extension() == ".sql") files.push_back(f.path());
  std::sort(files.begin(), files.end());

  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  for (auto& f : files) {
    std::ifstream in(f);
    std::stringstream sql;
    sql << in.rdbuf();
    char* error = nullptr;
    if (sqlite3_exec(db, sql.str().c_str(), nullptr, nullptr, &error) != SQLITE_OK)
      throw std::runtime_error(f.string() + ": " + error);
  }
  Schema s;
  for (auto& t :
       query(db,
             "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
    const std::string& table = t[0];
    std::vector<std::string> primary_key;
    // cid, name, type, notnull, dflt_value, pk
    for (auto& c : query(db, "PRAGMA table_info(" + table + ")")) {
      bool pk = c[5] != "0";
      s.tables[table].push_back({c[1], sqlite_family(c[2]), c[4], c[3] == "1" || pk});
      if (pk) primary_key.push_back(c[1]);
    }
    // An INTEGER PRIMARY KEY is the rowid: no index lists it.
    if (primary_key.size() == 1) s.unique_keys.insert(table + "(" + primary_key[0] + ")");
    // seq, name, unique, origin, partial
    for (auto& i : query(db, "PRAGMA index_list(" + table + ")")) {
      if (i[2] != "1") continue;
      std::string columns;
      for (auto& c : query(db, "PRAGMA index_info(" + i[1] + ")"))
        columns += (columns.empty() ? "" : ",") + c[2];
      s.unique_keys.insert(table + "(" + columns + ")");
    }
    // id, seq, table, from, to, on_update, on_delete
    for (auto& k : query(db, "PRAGMA foreign_key_list(" + table + ")"))
      s.foreign_keys.insert(table + "." + k[3] + " -> " + k[2] + "." + k[4] +
                            (k[6] == "CASCADE" ? " cascade" : ""));
  }
  for (auto& i : query(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql NOT NULL"))
    s.indexes.insert(i[0]);
  sqlite3_close(db);
  return s;
}

// ---- PostgreSQL, from its catalogue after migrate()

std::string pg_family(const std::string& type) {
  if (type == "bigint" || type == "integer") return "integer";
  if (type == "double precision") return "real";
  return "text";
}

// '' and 0 as SQLite shows them: without PostgreSQL's casts.
std::string pg_default(std::string d) {
  if (auto cast = d.find("::"); cast != std::string::npos) d.erase(cast);
  return d;
}

Schema pg_schema(const std::string& url) {
  pqxx::connection c(url);
  pqxx::nontransaction q(c);
  Schema s;
  for (const auto& r : q.exec(
           "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') "
           "FROM information_schema.columns WHERE table_schema = 'public' "
           "AND table_name <> 'schema_migrations' ORDER BY table_name, ordinal_position")) {
    std::string table = r[0].as<std::string>(), name = r[1].as<std::string>();
    if (table == "bookings" && name == "session_key") continue;  // PostgreSQL's own
    s.tables[table].push_back({name, pg_family(r[2].as<std::string>()),
                               pg_default(r[4].as<std::string>()), r[3].as<std::string>() == "NO"});
  }
  for (const auto& r : q.exec("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"))
    s.indexes.insert(r[0].as<std::string>());
  for (const auto& r :
       q.exec("SELECT t.relname, string_agg(a.attname, ',' ORDER BY k.ord) "
              "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
              "JOIN pg_namespace n ON n.oid = t.relnamespace "
              "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
              "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
              "WHERE n.nspname = 'public' AND i.indisunique AND t.relname <> 'schema_migrations' "
              "GROUP BY i.indexrelid, t.relname"))
    s.unique_keys.insert(r[0].as<std::string>() + "(" + r[1].as<std::string>() + ")");
  for (const auto& r :
       q.exec("SELECT t.relname, a.attname, rt.relname, ra.attname, c.confdeltype "
              "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
              "JOIN pg_class rt ON rt.oid = c.confrelid "
              "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
              "JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1] "
              "WHERE c.contype = 'f'"))
    s.foreign_keys.insert(r[0].as<std::string>() + "." + r[1].as<std::string>() + " -> " +
                          r[2].as<std::string>() + "." + r[3].as<std::string>() +
                          (r[4].as<std::string>() == "c" ? " cascade" : ""));
  return s;
}

// One migrated database for these tests, which add nothing the other reads.
const std::string& schema_database() {
  static const std::string url = rdv::testing::migrated_database();
  return url;
}

TEST(PgSchema, IsTheSqliteSchemaAfterAllItsMigrations) {
  Schema sqlite = sqlite_schema();
  Schema pg = pg_schema(schema_database());

  std::set<std::string> sqlite_tables, pg_tables;
  for (auto& [t, _] : sqlite.tables) sqlite_tables.insert(t);
  for (auto& [t, _] : pg.tables) pg_tables.insert(t);
  EXPECT_EQ(pg_tables, sqlite_tables);
  for (auto& [table, columns] : sqlite.tables) {
    if (!pg.tables.count(table)) continue;
    const auto& pg_columns = pg.tables[table];
    for (size_t i = 0; i < std::max(columns.size(), pg_columns.size()); ++i) {
      auto show = [](const std::vector<Column>& v, size_t i) {
        std::ostringstream o;
        if (i < v.size()) o << v[i];
        return o.str();
      };
      EXPECT_EQ(show(pg_columns, i), show(columns, i)) << table << " column " << i + 1;
    }
  }
  for (auto& index : sqlite.indexes) EXPECT_TRUE(pg.indexes.count(index)) << "index " << index;
  EXPECT_TRUE(pg.indexes.count("bookings_no_overlap"));
  EXPECT_EQ(pg.unique_keys, sqlite.unique_keys);
  EXPECT_EQ(pg.foreign_keys, sqlite.foreign_keys);
}

TEST(PgSchema, TheAuditLogIsAppendOnly) {
  pqxx::connection c(schema_database());
  {
    pqxx::work tx(c);
    tx.exec0("INSERT INTO audit_log(at, action) VALUES (1, 'sign_in')");
    tx.commit();
  }
  pqxx::work tx(c);
  EXPECT_THROW(tx.exec0("UPDATE audit_log SET action = 'nothing'"), pqxx::sql_error);
  tx.abort();
  pqxx::work retention(c);
  retention.exec0("DELETE FROM audit_log WHERE at < 2");  // retention may delete
  retention.commit();
}

}  // namespace
