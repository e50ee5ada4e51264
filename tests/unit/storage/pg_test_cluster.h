// One PostgreSQL cluster for the whole pg_tests run (initdb costs a second),
// made at first use and stopped at exit, and a fresh database per test so
// that tests never see each other's rows.
#pragma once

#include <atomic>
#include <string>

#include "storage/postgres/migrate.h"
#include "support/pg_cluster.h"

namespace rdv::testing {

inline PgCluster& test_cluster() {
  static PgCluster cluster;
  return cluster;
}

// The cluster's first database, for tests that need no schema or make a
// table of their own (CREATE DATABASE costs half a second on a busy machine).
inline std::string scratch_database() { return test_cluster().url(); }

inline std::string fresh_database() {
  static std::atomic<int> made{0};
  return test_cluster().create_database("test_" + std::to_string(++made));
}

inline std::string migrated_database() {
  std::string url = fresh_database();
  postgres::migrate(url);
  return url;
}

}  // namespace rdv::testing
