#include "support/pg_databases.h"

#include <mutex>

#include "storage/postgres/migrate.h"
#include "support/pg_cluster.h"

namespace rdv::testing {

std::string fresh_migrated_database() {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  static PgCluster cluster;
  static int made = 0;
  if (made == 0) {
    cluster.create_database("rdv_template");
    postgres::migrate(cluster.url("rdv_template"));
  }
  return cluster.create_database("test_" + std::to_string(++made), "rdv_template");
}

}  // namespace rdv::testing
