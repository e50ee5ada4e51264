// An installation from before nominative accounts is upgraded in place: each
// user of before becomes an account with the same rights and the same token.
#include <gtest/gtest.h>

#include "crypto/tokens.h"
#include "storage/migration.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace rdv {
namespace {

TEST(AccountsMigration, UsersOfBeforeBecomeAccountsWithTheirRightsAndTokens) {
  testing::TempDir dir;
  std::string path = dir.file("db.sqlite");
  {
    // The schema as version 0005 left it, with its users.
    sqlite::Connection c(path);
    c.exec("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER)");
    for (const Migration& m : sqlite_migrations()) {
      if (m.name > "0005_lifecycle") break;
      c.exec(m.sql);
      c.exec("INSERT INTO schema_migrations VALUES ('" + m.name + "', 0)");
    }
    c.exec(
        "INSERT INTO organisations(id, name, kind, timezone) VALUES (1, 'Mairie', 'commune', "
        "'Europe/Paris'), (2, 'CCAS', 'commune', 'Europe/Paris');"
        "INSERT INTO agents(id, name, ics_secret) VALUES (1, 'Sophie', 's1');"
        "INSERT INTO agent_organisations VALUES (1, 1), (1, 2);"
        "INSERT INTO users(role, organisation_id, agent_id, name, token_hash) VALUES "
        "('admin', NULL, NULL, 'admin', '" +
        token_hash("admin-token") + "'), ('agent', NULL, 1, 'Sophie', '" +
        token_hash("agent-token") + "'), ('desk', 2, NULL, 'Accueil', '" +
        token_hash("desk-token") + "')");
  }
  SqliteStore store(path);  // applies 0006 and later
  store.read([&](StoreReader& r) {
    auto of = [&](const char* token) {
      auto t = r.accounts().token_by_hash(token_hash(token));
      EXPECT_TRUE(t) << token;
      return t ? r.accounts().account(t->account_id) : std::nullopt;
    };
    auto admin = of("admin-token");
    ASSERT_TRUE(admin);
    EXPECT_EQ(admin->status, AccountStatus::kActive);
    EXPECT_EQ(admin->memberships, (std::vector<Membership>{{Role::kAdmin, {}, {}}}));
    auto agent = of("agent-token");
    ASSERT_TRUE(agent);
    EXPECT_EQ(agent->agent_id, 1);
    EXPECT_EQ(agent->memberships,
              (std::vector<Membership>{{Role::kAgent, Id{1}, {}}, {Role::kAgent, Id{2}, {}}}));
    auto desk = of("desk-token");
    ASSERT_TRUE(desk);
    EXPECT_EQ(desk->memberships, (std::vector<Membership>{{Role::kDesk, Id{2}, {}}}));
    EXPECT_TRUE(r.accounts().has_admin());
  });
}

}  // namespace
}  // namespace rdv
