// The stores a contract test runs on: each TEST_P of a suite instantiated
// with kStoreKinds runs once on SQLite and once on PostgreSQL.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storage/postgres/pg_store.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/pg_databases.h"
#include "support/temp_dir.h"

namespace rdv::testing {

enum class StoreKind { kSqlite, kPostgres };

inline const auto kStoreKinds = ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres);

inline std::string store_kind_name(const ::testing::TestParamInfo<StoreKind>& info) {
  return info.param == StoreKind::kSqlite ? "Sqlite" : "Postgres";
}

// A fresh, empty database of this kind: a file in `dir`, or a new database
// of the test cluster. Returns where it is, for open_test_store.
inline std::string fresh_test_database(StoreKind kind, const TempDir& dir) {
  return kind == StoreKind::kSqlite ? dir.file("db.sqlite") : fresh_migrated_database();
}

inline std::unique_ptr<Store> open_test_store(StoreKind kind, const std::string& where) {
  if (kind == StoreKind::kSqlite) return std::make_unique<SqliteStore>(where);
  return std::make_unique<PostgresStore>(where, 4);
}

inline std::unique_ptr<Store> make_test_store(StoreKind kind, const TempDir& dir) {
  return open_test_store(kind, fresh_test_database(kind, dir));
}

}  // namespace rdv::testing
