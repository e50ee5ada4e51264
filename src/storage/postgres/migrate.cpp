#include "storage/postgres/migrate.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <set>

#include "storage/postgres/connection.h"

namespace rdv::postgres {

namespace {

// The advisory lock of migrations ("rdv_migr"): any fixed key works as long
// as every instance uses the same one and nothing else does.
constexpr long long kMigrationLock = 0x7264765f6d696772;

std::vector<std::string> apply(pqxx::connection& conn, const std::vector<Migration>& migrations) {
  pqxx::nontransaction session(conn);
  session.exec0("SET client_min_messages = warning");  // no "already exists, skipping"
  // A session lock, held across the migrations' own transactions; closing
  // the connection releases it even when a migration fails.
  session.exec_params("SELECT pg_advisory_lock($1)", kMigrationLock);
  session.exec0(
      "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT)");
  std::set<std::string> applied;
  for (const auto& row : session.exec("SELECT name FROM schema_migrations"))
    applied.insert(row[0].as<std::string>());
  session.commit();  // ends the nontransaction's use of the connection

  std::vector<const Migration*> sorted;
  for (const auto& m : migrations) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });

  std::vector<std::string> done;
  for (const Migration* m : sorted) {
    if (applied.count(m->name)) continue;
    try {
      pqxx::work tx(conn);
      tx.exec(m->sql);
      tx.exec_params0(
          "INSERT INTO schema_migrations(name, applied_at) "
          "VALUES ($1, EXTRACT(EPOCH FROM now())::BIGINT)",
          m->name);
      tx.commit();
    } catch (const pqxx::sql_error& e) {
      throw std::runtime_error("PostgreSQL migration " + m->name + " failed: " + e.what());
    }
    done.push_back(m->name);
  }
  return done;
}

}  // namespace

std::vector<std::string> migrate(const std::string& url, const std::vector<Migration>& migrations) {
  try {
    pqxx::connection conn(with_session_defaults(url));
    return apply(conn, migrations);
  } catch (const pqxx::failure&) {
    rethrow_translated();  // a lost connection becomes StoreUnavailableError
  }
}

std::vector<std::string> migrate(const std::string& url) {
  return migrate(url, postgres_migrations());
}

}  // namespace rdv::postgres
