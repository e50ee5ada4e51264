// Moving from SQLite to PostgreSQL keeps what links rely on: ids.
#include "storage/postgres/copy_from_sqlite.h"

#include <gtest/gtest.h>

#include "support/test_stores.h"

namespace rdv {
namespace {

Instant utc(const char* s) { return *parse_rfc3339(s); }

ResidentLink link_for(const char* email) {
  return {0, email, "", utc("2026-12-01T08:00:00Z"), utc("2026-12-01T08:30:00Z"), {}};
}

// A resident's link signs its id: after the move, a new link must not get
// the id of one deleted before it (an old email would open it).
TEST(CopyFromSqlite, IdsDeletedBeforeTheMoveAreNotGivenAgain) {
  testing::TempDir dir;
  std::string file = dir.file("commune.db");
  Id old_link = 0;
  {
    SqliteStore sqlite(file);
    sqlite.write([&](StoreWriter& tx) {
      tx.directory().ensure_setting("link_key", "k");
      old_link = tx.residents().insert_link(link_for("lea@example.fr"));
      tx.residents().set_link_token_hash(old_link, "hash-1");
    });
    sqlite.write([&](StoreWriter& tx) { tx.residents().purge(utc("2027-01-01T00:00:00Z")); });
  }
  std::string url = testing::fresh_migrated_database();
  auto report = postgres::copy_from_sqlite(file, url);
  EXPECT_FALSE(report.empty());
  PostgresStore pg(url, 2);
  pg.write([&](StoreWriter& tx) {
    EXPECT_GT(tx.residents().insert_link(link_for("jean@example.fr")), old_link);
    EXPECT_EQ(tx.directory().setting("link_key"), "k");
  });
  // A second copy into a database that holds data is refused, and writes nothing.
  EXPECT_THROW(postgres::copy_from_sqlite(file, url), std::runtime_error);
}

}  // namespace
}  // namespace rdv
