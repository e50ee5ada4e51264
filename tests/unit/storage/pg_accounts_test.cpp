// PgAccounts against SqliteAccounts: the same calls on a fresh PostgreSQL
// database and a fresh SQLite one give the same results, field by field,
// and leave the same rows behind. Writes commit; reads run in a transaction
// of their own.
#include "storage/postgres/pg_accounts.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <limits>
#include <sstream>
#include <type_traits>
#include <utility>

#include "storage/sqlite/sqlite_store.h"
#include "support/temp_dir.h"
#include "unit/storage/pg_test_cluster.h"

namespace {

using namespace std::string_literals;
using rdv::AccountFilter;
using rdv::AccountLink;
using rdv::AccountsReader;
using rdv::AccountStatus;
using rdv::AccountsWriter;
using rdv::AuditEntry;
using rdv::AuditFilter;
using rdv::Id;
using rdv::Instant;
using rdv::LinkPurpose;
using rdv::Membership;
using rdv::Role;

const Instant kT0 = rdv::from_epoch(1'700'000'000);
Instant at(int seconds) { return kT0 + std::chrono::seconds(seconds); }

// ---- Everything a call can return, as text, so that a difference shows
// which field differs.

// Declared first so that the templates below find them all.
std::string show(const rdv::Account& a);
std::string show(const Membership& m);
std::string show(const rdv::Territory& t);
std::string show(const rdv::ApiToken& t);
std::string show(const rdv::Session& s);
std::string show(const rdv::SsoLogin& l);
std::string show(const AccountLink& l);
std::string show(const AuditEntry& e);
std::string show(const rdv::Failures& f);

std::string show(bool v) { return v ? "true" : "false"; }
std::string show(std::int64_t v) { return std::to_string(v); }
std::string show(const std::string& v) { return "\"" + v + "\""; }
std::string show(Instant t) { return std::to_string(rdv::to_epoch(t)); }
template <class T>
std::string show(const std::optional<T>& v) {
  return v ? show(*v) : "null";
}
template <class T>
std::string show(const std::vector<T>& v) {
  std::string out = "[";
  for (const T& e : v) out += (out.size() > 1 ? ", " : "") + show(e);
  return out + "]";
}
std::string show(const Membership& m) {
  return std::string(rdv::role_name(m.role)) + " org=" + show(m.organisation_id) +
         " territory=" + show(m.territory_id);
}
std::string show(const rdv::Account& a) {
  return "{id=" + show(a.id) + " name=" + show(a.name) + " email=" + show(a.email) +
         " phone=" + show(a.phone) + " status=" + std::string(rdv::account_status_name(a.status)) +
         " agent=" + show(a.agent_id) + " memberships=" + show(a.memberships) +
         " created=" + show(a.created_at) + " last_sign_in=" + show(a.last_sign_in_at) +
         " locked_until=" + show(a.locked_until) + " sso=" + show(a.sso_subject) + "}";
}
std::string show(const rdv::Territory& t) {
  return "{id=" + show(t.id) + " name=" + show(t.name) + " created=" + show(t.created_at) + "}";
}
std::string show(const rdv::ApiToken& t) {
  return "{id=" + show(t.id) + " account=" + show(t.account_id) + " name=" + show(t.name) +
         " created=" + show(t.created_at) + " expires=" + show(t.expires_at) +
         " revoked=" + show(t.revoked_at) + " last_used=" + show(t.last_used_at) + "}";
}
std::string show(const rdv::Session& s) {
  return "{id=" + show(s.id) + " account=" + show(s.account_id) + " created=" + show(s.created_at) +
         " last_seen=" + show(s.last_seen_at) + " expires=" + show(s.expires_at) + "}";
}
std::string show(const rdv::SsoLogin& l) {
  return "{id=" + show(l.id) + " nonce=" + show(l.nonce) + " verifier=" + show(l.code_verifier) +
         " return_to=" + show(l.return_to) + " created=" + show(l.created_at) + "}";
}
std::string show(const AccountLink& l) {
  return "{id=" + show(l.id) + " account=" + show(l.account_id) +
         " purpose=" + std::string(rdv::link_purpose_name(l.purpose)) +
         " created=" + show(l.created_at) + " expires=" + show(l.expires_at) +
         " used=" + show(l.used_at) + "}";
}
std::string show(const AuditEntry& e) {
  return "{id=" + show(e.id) + " at=" + show(e.at) + " account=" + show(e.account_id) +
         " address=" + show(e.address) + " action=" + show(e.action) + " route=" + show(e.route) +
         " target=" + show(e.target) + " outcome=" + show(std::int64_t{e.outcome}) + "}";
}
std::string show(const rdv::Failures& f) {
  return "{count=" + show(std::int64_t{f.count}) + " last=" + show(f.last) + "}";
}

template <class T>
struct Both {
  T pg, sqlite;
};

template <class T>
::testing::AssertionResult same(const Both<T>& both) {
  std::string pg = show(both.pg), sqlite = show(both.sqlite);
  if (pg == sqlite) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\nPostgreSQL: " << pg << "\n    SQLite: " << sqlite;
}
// The expression runs once (a write must not run twice).
#define EXPECT_SAME(both) EXPECT_TRUE(same(both))

class PgAccountsVsSqlite : public ::testing::Test {
 protected:
  PgAccountsVsSqlite()
      : sqlite_path_(dir_.file("rdv.db")),
        sqlite_(sqlite_path_),
        pg_(rdv::testing::migrated_database()) {}

  // f(AccountsWriter&) in a committed transaction on each store.
  template <class F>
  auto write(F f) {
    return run<AccountsWriter>(
        f, [&](auto&& g) { sqlite_.write([&](rdv::StoreWriter& w) { g(w.accounts()); }); });
  }
  // f(AccountsReader&) in a transaction of its own on each store.
  template <class F>
  auto read(F f) {
    return run<AccountsReader>(
        f, [&](auto&& g) { sqlite_.read([&](rdv::StoreReader& r) { g(r.accounts()); }); });
  }

  // The rows a query gives, as text, from each database: what the
  // interface does not read back (ended_at, pending token hashes...).
  Both<std::vector<std::string>> rows(const std::string& query) {
    Both<std::vector<std::string>> out;
    pqxx::work tx(pg_);
    for (const auto& r : tx.exec(query)) {
      std::string line;
      for (const auto& field : r) line += (field.is_null() ? "NULL" : field.c_str()) + "|"s;
      out.pg.push_back(line);
    }
    tx.commit();
    sqlite3* db = nullptr;
    sqlite3_open(sqlite_path_.c_str(), &db);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, query.c_str(), -1, &st, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
      std::string line;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        auto text = sqlite3_column_text(st, i);
        line += (text ? reinterpret_cast<const char*>(text) : "NULL") + "|"s;
      }
      out.sqlite.push_back(line);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  // The same statement, written without the store, on both databases:
  // rows this version of the code would not write.
  void execute(const std::string& sql) {
    pqxx::work tx(pg_);
    tx.exec0(sql);
    tx.commit();
    sqlite3* db = nullptr;
    sqlite3_open(sqlite_path_.c_str(), &db);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  // Organisations 1..3 and agents 1..2 on both, which memberships,
  // territories and accounts refer to.
  void seed_directory() {
    pqxx::work tx(pg_);
    for (const char* name : {"Mairie A", "Mairie B", "France Services C"})
      tx.exec_params0(
          "INSERT INTO organisations(name, kind, timezone) VALUES ($1, 'commune', "
          "'Europe/Paris')",
          std::string(name));
    tx.exec0("INSERT INTO agents(name, ics_secret) VALUES ('Agent 1', 's1'), ('Agent 2', 's2')");
    tx.commit();
    sqlite_.write([](rdv::StoreWriter& w) {
      for (const char* name : {"Mairie A", "Mairie B", "France Services C"}) {
        rdv::Organisation o;
        o.name = name;
        o.kind = "commune";
        w.directory().insert_organisation(o);
      }
      w.directory().insert_agent({0, "Agent 1", "", "", "s1", {}});
      w.directory().insert_agent({0, "Agent 2", "", "", "s2", {}});
    });
    auto ids = rows("SELECT id FROM organisations ORDER BY id");
    ASSERT_EQ(ids.pg, ids.sqlite);
    ASSERT_EQ(ids.pg.size(), 3u);
  }

  pqxx::connection& pg() { return pg_; }

 private:
  template <class Part, class F, class SqliteRun>
  auto run(F& f, SqliteRun sqlite_run) {
    using R = std::invoke_result_t<F&, Part&>;
    auto on_pg = [&](auto&& g) {
      pqxx::work tx(pg_);
      rdv::PgAccounts part(tx);
      g(static_cast<Part&>(part));
      tx.commit();
    };
    if constexpr (std::is_void_v<R>) {
      on_pg(f);
      sqlite_run(f);
    } else {
      Both<R> out;
      on_pg([&](Part& p) { out.pg = f(p); });
      sqlite_run([&](Part& p) { out.sqlite = f(p); });
      return out;
    }
  }

  rdv::testing::TempDir dir_;
  std::string sqlite_path_;
  rdv::SqliteStore sqlite_;
  pqxx::connection pg_;
};

rdv::Account make_account(std::string name, std::string email, AccountStatus status,
                          std::optional<Id> agent, std::vector<Membership> memberships,
                          int created) {
  rdv::Account a;
  a.name = std::move(name);
  a.email = std::move(email);
  a.phone = "+33612345678";
  a.status = status;
  a.agent_id = agent;
  a.memberships = std::move(memberships);
  a.created_at = at(created);
  return a;
}

// ---- Accounts and their memberships

TEST_F(PgAccountsVsSqlite, AccountsMembershipsAndFilters) {
  seed_directory();
  Id nord = 0;
  auto territory = write([](AccountsWriter& w) {
    Id t = w.insert_territory({0, "Nord", at(0)});
    w.set_organisation_territory(2, t);
    return t;
  });
  EXPECT_SAME(territory);
  nord = territory.pg;

  EXPECT_SAME(read([](AccountsReader& r) { return r.has_admin(); }));
  auto ids = write([&](AccountsWriter& w) {
    std::vector<Id> ids;
    ids.push_back(w.insert_account(make_account("Ada", "ada@example.fr", AccountStatus::kActive,
                                                std::nullopt, {{Role::kAdmin, {}, {}}}, 1)));
    // Two without an email: NULL, which the UNIQUE key lets repeat.
    ids.push_back(w.insert_account(make_account("Bob", "", AccountStatus::kInvited, 1,
                                                {{Role::kAgent, 1, {}}, {Role::kDesk, 2, {}}}, 2)));
    ids.push_back(w.insert_account(make_account("Chloé", "", AccountStatus::kActive, std::nullopt,
                                                {{Role::kTerritoryAdmin, {}, nord}}, 3)));
    ids.push_back(
        w.insert_account(make_account("Dan", "dan@example.fr", AccountStatus::kDeactivated, 2,
                                      {{Role::kObserver, 3, {}}, {Role::kOrgAdmin, 1, {}}}, 4)));
    ids.push_back(w.insert_account(
        make_account("Eve", "eve@example.fr", AccountStatus::kActive, std::nullopt, {}, 5)));
    return ids;
  });
  EXPECT_SAME(ids);
  EXPECT_EQ(ids.pg, (std::vector<Id>{1, 2, 3, 4, 5}));
  EXPECT_EQ(rows("SELECT id, email FROM accounts WHERE email IS NULL ORDER BY id").pg.size(), 2u);

  for (Id id : {1, 2, 3, 4, 5, 999})
    EXPECT_SAME(read([&](AccountsReader& r) { return r.account(id); })) << id;
  EXPECT_EQ(read([](AccountsReader& r) { return r.account(2); }).pg->memberships.size(), 2u);
  for (const char* email : {"ada@example.fr", "", "nobody@example.fr", "ADA@example.fr"})
    EXPECT_SAME(read([&](AccountsReader& r) { return r.account_by_email(email); })) << email;
  for (const char* subject : {"", "unknown"})
    EXPECT_SAME(read([&](AccountsReader& r) { return r.account_by_sso_subject(subject); }));

  auto filtered = [&](AccountFilter f) {
    auto both = read([&](AccountsReader& r) { return r.accounts(f); });
    EXPECT_SAME(both);
    std::vector<Id> out;
    for (auto& a : both.pg) out.push_back(a.id);
    return out;
  };
  using Ids = std::vector<Id>;
  EXPECT_EQ(filtered({}), (Ids{1, 2, 3, 4, 5}));
  EXPECT_EQ(filtered({.organisation_id = 1}), (Ids{2, 4}));
  EXPECT_EQ(filtered({.organisation_id = 2}), (Ids{2}));
  EXPECT_EQ(filtered({.organisation_id = 999}), Ids{});
  // By membership of the territory (Chloé) or of one of its organisations (Bob).
  EXPECT_EQ(filtered({.territory_id = nord}), (Ids{2, 3}));
  EXPECT_EQ(filtered({.territory_id = 999}), Ids{});
  EXPECT_EQ(filtered({.status = AccountStatus::kActive}), (Ids{1, 3, 5}));
  EXPECT_EQ(filtered({.status = AccountStatus::kDeactivated}), (Ids{4}));
  EXPECT_EQ(filtered({.organisation_id = 1, .status = AccountStatus::kInvited}), (Ids{2}));
  EXPECT_EQ(filtered({.organisation_id = 1, .territory_id = nord}), (Ids{2}));
  EXPECT_EQ(filtered({.after_id = 2}), (Ids{3, 4, 5}));
  EXPECT_EQ(filtered({.after_id = 2, .limit = 2}), (Ids{3, 4}));
  EXPECT_EQ(filtered({.limit = 0}), Ids{});
  EXPECT_EQ(filtered({.limit = std::numeric_limits<size_t>::max()}), (Ids{1, 2, 3, 4, 5}));

  EXPECT_SAME(read([](AccountsReader& r) { return r.has_admin(); }));
  EXPECT_TRUE(read([](AccountsReader& r) { return r.has_admin(); }).pg);
  for (Id agent : {1, 2, 999})
    EXPECT_SAME(read([&](AccountsReader& r) { return r.agent_departed(agent); })) << agent;

  // Name, phone, status, agent and memberships change; the email does not.
  write([](AccountsWriter& w) {
    auto a = make_account("Bob Martin", "changed@example.fr", AccountStatus::kActive, std::nullopt,
                          {{Role::kOrgAdmin, 3, {}}, {Role::kAgent, 1, {}}}, 99);
    a.id = 2;
    a.phone = "";
    w.update_account(a);
  });
  EXPECT_SAME(read([](AccountsReader& r) { return r.account(2); }));
  EXPECT_EQ(read([](AccountsReader& r) { return r.account(2); }).pg->email, "");
  EXPECT_EQ(filtered({.organisation_id = 2}), Ids{});
  EXPECT_EQ(filtered({.organisation_id = 3}), (Ids{2, 4}));

  // The only admin leaves: no admin any more.
  write([](AccountsWriter& w) {
    auto a = *w.account(1);
    a.status = AccountStatus::kDeactivated;
    w.update_account(a);
  });
  EXPECT_SAME(read([](AccountsReader& r) { return r.has_admin(); }));
  EXPECT_FALSE(read([](AccountsReader& r) { return r.has_admin(); }).pg);

  // A role a later version wrote gives no right and is not read.
  execute("INSERT INTO memberships(account_id, role) VALUES (5, 'superuser')");
  EXPECT_SAME(read([](AccountsReader& r) { return r.account(5); }));
  EXPECT_TRUE(read([](AccountsReader& r) { return r.account(5); }).pg->memberships.empty());
  EXPECT_EQ(filtered({}), (Ids{1, 2, 3, 4, 5}));
}

TEST_F(PgAccountsVsSqlite, PasswordLockingAndSingleSignOnSubject) {
  seed_directory();
  write([](AccountsWriter& w) {
    w.insert_account(make_account("Ada", "ada@example.fr", AccountStatus::kInvited, std::nullopt,
                                  {{Role::kAgent, 1, {}}}, 0));
    w.insert_account(
        make_account("Bob", "bob@example.fr", AccountStatus::kActive, std::nullopt, {}, 0));
  });
  for (Id id : {1, 2, 999})
    EXPECT_SAME(read([&](AccountsReader& r) { return r.password_hash(id); })) << id;

  write([](AccountsWriter& w) {
    w.set_password_hash(1, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
    w.set_locked_until(1, at(600));
    w.set_locked_until(2, at(900));
    w.set_sso_subject(2, "https://idp.example.fr sub-42");
  });
  EXPECT_SAME(read([](AccountsReader& r) { return r.password_hash(1); }));
  EXPECT_EQ(*read([](AccountsReader& r) { return r.password_hash(1); }).pg,
            "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
  EXPECT_SAME(read([](AccountsReader& r) { return r.password_hash(2); }));
  EXPECT_SAME(read([](AccountsReader& r) { return r.account(1); }));
  EXPECT_SAME(read([](AccountsReader& r) { return r.account(2); }));
  EXPECT_SAME(read(
      [](AccountsReader& r) { return r.account_by_sso_subject("https://idp.example.fr sub-42"); }));
  EXPECT_EQ(read([](AccountsReader& r) {
              return r.account_by_sso_subject("https://idp.example.fr sub-42");
            }).pg->id,
            2);

  // A sign-in lifts the lock; a lock can be lifted on its own too.
  write([](AccountsWriter& w) {
    w.record_sign_in(1, at(700));
    w.set_locked_until(2, std::nullopt);
  });
  for (Id id : {1, 2}) EXPECT_SAME(read([&](AccountsReader& r) { return r.account(id); }));
  auto ada = read([](AccountsReader& r) { return r.account(1); }).pg;
  EXPECT_EQ(ada->last_sign_in_at, at(700));
  EXPECT_EQ(ada->locked_until, std::nullopt);
  EXPECT_EQ(read([](AccountsReader& r) { return r.account(2); }).pg->locked_until, std::nullopt);
}

// ---- Territories

TEST_F(PgAccountsVsSqlite, Territories) {
  seed_directory();
  EXPECT_SAME(read([](AccountsReader& r) { return r.territories(); }));
  // Byte order, as SQLite sorts: upper case first, accents last, then ids.
  auto ids = write([](AccountsWriter& w) {
    std::vector<Id> ids;
    for (const char* name : {"nord", "Sud", "Nord", "Élan", "Nord", "alpes"})
      ids.push_back(w.insert_territory({0, name, at(static_cast<int>(ids.size()))}));
    return ids;
  });
  EXPECT_SAME(ids);
  auto all = read([](AccountsReader& r) { return r.territories(); });
  EXPECT_SAME(all);
  std::vector<std::string> names;
  for (auto& t : all.pg) names.push_back(t.name + "#" + std::to_string(t.id));
  EXPECT_EQ(names,
            (std::vector<std::string>{"Nord#3", "Nord#5", "Sud#2", "alpes#6", "nord#1", "Élan#4"}));
  for (Id id : {1, 4, 999}) EXPECT_SAME(read([&](AccountsReader& r) { return r.territory(id); }));

  write([](AccountsWriter& w) {
    w.rename_territory(1, "Hauts");
    w.set_organisation_territory(1, 2);
    w.set_organisation_territory(3, 2);
    w.insert_account(make_account("Ada", "ada@example.fr", AccountStatus::kActive, std::nullopt,
                                  {{Role::kTerritoryAdmin, {}, 3}}, 0));
  });
  EXPECT_SAME(read([](AccountsReader& r) { return r.territory(1); }));
  EXPECT_SAME(read([](AccountsReader& r) { return r.territories(); }));
  for (Id id : {1, 2, 3, 999}) {
    EXPECT_SAME(read([&](AccountsReader& r) { return r.territory_in_use(id); })) << id;
    EXPECT_SAME(read([&](AccountsReader& r) { return r.organisations_of_territory(id); })) << id;
  }
  EXPECT_EQ(read([](AccountsReader& r) { return r.organisations_of_territory(2); }).pg,
            (std::vector<Id>{1, 3}));
  EXPECT_TRUE(read([](AccountsReader& r) { return r.territory_in_use(2); }).pg);  // organisations
  EXPECT_TRUE(read([](AccountsReader& r) { return r.territory_in_use(3); }).pg);  // a membership
  EXPECT_FALSE(read([](AccountsReader& r) { return r.territory_in_use(1); }).pg);

  write([](AccountsWriter& w) {
    w.set_organisation_territory(3, std::nullopt);
    w.delete_territory(1);
    w.delete_territory(999);
  });
  EXPECT_SAME(read([](AccountsReader& r) { return r.organisations_of_territory(2); }));
  EXPECT_SAME(read([](AccountsReader& r) { return r.territory(1); }));
  EXPECT_SAME(read([](AccountsReader& r) { return r.territories(); }));
  EXPECT_SAME(rows("SELECT id, territory_id FROM organisations ORDER BY id"));
}

// A database made with a linguistic collation (the test cluster's is C)
// still lists territories in SQLite's byte order.
TEST_F(PgAccountsVsSqlite, TerritoriesInByteOrderWhateverTheCollation) {
  {
    pqxx::work tx(pg());
    if (tx.exec("SELECT 1 FROM pg_collation WHERE collname = 'fr-x-icu'").empty())
      GTEST_SKIP() << "PostgreSQL without ICU";
    tx.exec0("ALTER TABLE territories ALTER COLUMN name TYPE text COLLATE \"fr-x-icu\"");
    tx.commit();
  }
  write([](AccountsWriter& w) {
    for (const char* name : {"nord", "Sud", "Élan", "alpes", "Nord"})
      w.insert_territory({0, name, at(0)});
  });
  auto all = read([](AccountsReader& r) { return r.territories(); });
  EXPECT_SAME(all);
  std::vector<std::string> names;
  for (auto& t : all.pg) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Nord", "Sud", "alpes", "nord", "Élan"}));
}

// ---- API tokens and sessions

TEST_F(PgAccountsVsSqlite, TokensAndSessions) {
  seed_directory();
  auto ids = write([](AccountsWriter& w) {
    w.insert_account(
        make_account("Ada", "ada@example.fr", AccountStatus::kActive, std::nullopt, {}, 0));
    w.insert_account(
        make_account("Bob", "bob@example.fr", AccountStatus::kActive, std::nullopt, {}, 0));
    std::vector<Id> ids;
    ids.push_back(w.insert_token({0, 1, "export", at(10), at(1000), {}, {}}, "hash-t1"));
    ids.push_back(w.insert_token({0, 1, "sync", at(20), std::nullopt, {}, {}}, "hash-t2"));
    ids.push_back(w.insert_token({0, 2, "bob", at(30), std::nullopt, {}, {}}, "hash-t3"));
    ids.push_back(w.insert_session({0, 1, at(10), at(10), at(3600)}, "hash-s1"));
    ids.push_back(w.insert_session({0, 1, at(20), at(25), at(3600)}, "hash-s2"));
    ids.push_back(w.insert_session({0, 2, at(30), at(30), at(3600)}, "hash-s3"));
    return ids;
  });
  EXPECT_SAME(ids);

  for (const char* hash : {"hash-t1", "hash-t2", "hash-s1", ""})
    EXPECT_SAME(read([&](AccountsReader& r) { return r.token_by_hash(hash); })) << hash;
  for (Id account : {1, 2, 999})
    EXPECT_SAME(read([&](AccountsReader& r) { return r.tokens_of(account); })) << account;
  for (const char* hash : {"hash-s1", "hash-s2", "hash-s3", "hash-t1"})
    EXPECT_SAME(read([&](AccountsReader& r) { return r.session_by_hash(hash); })) << hash;

  // A revocation keeps its first date; revoking all leaves those alone.
  write([](AccountsWriter& w) {
    w.revoke_token(1, at(100));
    w.revoke_token(1, at(200));
    w.revoke_token(999, at(200));
    w.touch_session(1, at(150));
    w.end_session(2, at(160));
    w.end_session(2, at(170));
  });
  EXPECT_SAME(read([](AccountsReader& r) { return r.tokens_of(1); }));
  EXPECT_EQ(read([](AccountsReader& r) { return r.tokens_of(1); }).pg[0].revoked_at, at(100));
  EXPECT_SAME(read([](AccountsReader& r) { return r.session_by_hash("hash-s1"); }));
  EXPECT_SAME(read([](AccountsReader& r) { return r.session_by_hash("hash-s2"); }));
  EXPECT_EQ(read([](AccountsReader& r) { return r.session_by_hash("hash-s2"); }).pg, std::nullopt);

  write([](AccountsWriter& w) {
    w.revoke_tokens(1, at(300));
    w.end_sessions(1, at(310));
  });
  for (Id account : {1, 2})
    EXPECT_SAME(read([&](AccountsReader& r) { return r.tokens_of(account); })) << account;
  for (const char* hash : {"hash-s1", "hash-s2", "hash-s3"})
    EXPECT_SAME(read([&](AccountsReader& r) { return r.session_by_hash(hash); })) << hash;
  auto ended = rows("SELECT id, last_seen_at, ended_at FROM sessions ORDER BY id");
  EXPECT_SAME(ended);
  EXPECT_EQ(ended.pg, (std::vector<std::string>{"1|1700000150|1700000310|",
                                                "2|1700000025|1700000160|", "3|1700000030|NULL|"}));
}

// ---- Invitation and reset links

TEST_F(PgAccountsVsSqlite, Links) {
  seed_directory();
  auto ids = write([](AccountsWriter& w) {
    w.insert_account(
        make_account("Ada", "ada@example.fr", AccountStatus::kInvited, std::nullopt, {}, 0));
    w.insert_account(
        make_account("Bob", "bob@example.fr", AccountStatus::kInvited, std::nullopt, {}, 0));
    // Two pending in one transaction: their placeholder hashes differ.
    std::vector<Id> ids;
    ids.push_back(w.insert_link({0, 1, LinkPurpose::kInvitation, at(0), at(100), {}}));
    ids.push_back(w.insert_link({0, 1, LinkPurpose::kInvitation, at(10), at(110), {}}));
    ids.push_back(w.insert_link({0, 1, LinkPurpose::kReset, at(20), at(120), {}}));
    ids.push_back(w.insert_link({0, 2, LinkPurpose::kInvitation, at(30), at(130), {}}));
    return ids;
  });
  EXPECT_SAME(ids);
  EXPECT_SAME(rows(
      "SELECT id, substr(token_hash, 1, 8), length(token_hash) FROM account_links ORDER BY id"));
  EXPECT_EQ(rows("SELECT count(DISTINCT token_hash) FROM account_links").pg,
            std::vector<std::string>{"4|"});
  EXPECT_SAME(read([](AccountsReader& r) { return r.link(2); }));

  write([](AccountsWriter& w) {
    for (Id id : {1, 2, 3, 4}) w.set_link_token_hash(id, "link-" + std::to_string(id));
  });
  for (const char* hash : {"link-1", "link-3", "pending:", "nothing"})
    EXPECT_SAME(read([&](AccountsReader& r) { return r.link_by_hash(hash); })) << hash;
  for (Id id : {1, 4, 999}) EXPECT_SAME(read([&](AccountsReader& r) { return r.link(id); })) << id;
  for (Id account : {1, 2, 999})
    for (LinkPurpose purpose : {LinkPurpose::kInvitation, LinkPurpose::kReset})
      EXPECT_SAME(read([&](AccountsReader& r) { return r.latest_link(account, purpose); }))
          << account << " " << rdv::link_purpose_name(purpose);
  EXPECT_EQ(
      read([](AccountsReader& r) { return r.latest_link(1, LinkPurpose::kInvitation); }).pg->id, 2);

  // Single use: the first use wins, the second and an unknown link fail.
  auto used = write([](AccountsWriter& w) {
    return std::vector<bool>{w.use_link(2, at(50)), w.use_link(2, at(60)), w.use_link(999, at(60))};
  });
  EXPECT_EQ(used.pg, used.sqlite);
  EXPECT_EQ(used.pg, (std::vector<bool>{true, false, false}));
  EXPECT_SAME(read([](AccountsReader& r) { return r.link(2); }));

  // Retiring Ada's invitations leaves her reset link and Bob's alone.
  write([](AccountsWriter& w) { w.retire_links(1, LinkPurpose::kInvitation, at(70)); });
  for (Id id : {1, 2, 3, 4}) EXPECT_SAME(read([&](AccountsReader& r) { return r.link(id); })) << id;
  auto links = rows("SELECT id, used_at FROM account_links ORDER BY id");
  EXPECT_SAME(links);
  EXPECT_EQ(links.pg,
            (std::vector<std::string>{"1|1700000070|", "2|1700000050|", "3|NULL|", "4|NULL|"}));
  EXPECT_SAME(write([](AccountsWriter& w) { return w.use_link(1, at(80)); }));

  // A purpose a later version wrote: no such link here.
  execute(
      "INSERT INTO account_links(account_id, purpose, token_hash, created_at, expires_at) "
      "VALUES (1, 'unlock', 'link-x', 0, 100)");
  EXPECT_SAME(read([](AccountsReader& r) { return r.link_by_hash("link-x"); }));
  EXPECT_SAME(read([](AccountsReader& r) { return r.link(5); }));
  EXPECT_EQ(read([](AccountsReader& r) { return r.link(5); }).pg, std::nullopt);
}

// ---- Single sign-on logins

TEST_F(PgAccountsVsSqlite, SingleSignOnLogins) {
  auto ids = write([](AccountsWriter& w) {
    std::vector<Id> ids;
    ids.push_back(w.insert_sso_login({0, "n1", "v1", "/agenda", at(0)}, "state-1"));
    ids.push_back(w.insert_sso_login({0, "n2", "v2", "/", at(100)}, "state-2"));
    ids.push_back(w.insert_sso_login({0, "n3", "v3", "/admin?x=1", at(200)}, "state-3"));
    return ids;
  });
  EXPECT_SAME(ids);
  // Single use: taken once, then gone.
  auto taken = write([](AccountsWriter& w) {
    return std::vector<std::optional<rdv::SsoLogin>>{
        w.take_sso_login("state-2"), w.take_sso_login("state-2"), w.take_sso_login("unknown")};
  });
  EXPECT_SAME(taken);
  ASSERT_TRUE(taken.pg[0]);
  EXPECT_EQ(taken.pg[0]->nonce, "n2");
  EXPECT_FALSE(taken.pg[1]);

  write([](AccountsWriter& w) { w.purge_sso_logins(at(200)); });  // before, not at
  EXPECT_SAME(rows("SELECT id, state_hash FROM sso_logins ORDER BY id"));
  EXPECT_SAME(write([](AccountsWriter& w) { return w.take_sso_login("state-1"); }));
  auto last = write([](AccountsWriter& w) { return w.take_sso_login("state-3"); });
  EXPECT_SAME(last);
  EXPECT_TRUE(last.pg);
}

// ---- Failed sign-ins

TEST_F(PgAccountsVsSqlite, SignInFailures) {
  auto failures = [&](const std::string& subject, int since) {
    auto both = read([&](AccountsReader& r) { return r.failures_since(subject, at(since)); });
    EXPECT_SAME(both) << subject << " " << since;
    return show(both.pg);
  };
  EXPECT_EQ(failures("account:1", 0), "{count=0 last=null}");
  write([](AccountsWriter& w) {
    for (int t : {0, 10, 20, 20}) w.record_failure("account:1", at(t));
    w.record_failure("address:192.0.2.1", at(5));
    w.record_failure("address:192.0.2.1", at(30));
  });
  EXPECT_EQ(failures("account:1", 0), "{count=4 last=1700000020}");
  EXPECT_EQ(failures("account:1", 10), "{count=3 last=1700000020}");  // at or after
  EXPECT_EQ(failures("account:1", 21), "{count=0 last=null}");
  EXPECT_EQ(failures("address:192.0.2.1", 0), "{count=2 last=1700000030}");
  EXPECT_EQ(failures("account:2", 0), "{count=0 last=null}");

  write([](AccountsWriter& w) {
    w.clear_failures("account:1");
    w.purge_failures(at(30));  // before, not at
  });
  EXPECT_EQ(failures("account:1", 0), "{count=0 last=null}");
  EXPECT_EQ(failures("address:192.0.2.1", 0), "{count=1 last=1700000030}");
  EXPECT_SAME(rows("SELECT subject, at FROM sign_in_failures ORDER BY subject, at"));
}

// ---- The audit log

TEST_F(PgAccountsVsSqlite, AuditLog) {
  EXPECT_SAME(read([](AccountsReader& r) { return r.audit({}); }));
  auto ids = write([](AccountsWriter& w) {
    std::vector<Id> ids;
    ids.push_back(
        w.append_audit({0, at(0), 1, "192.0.2.1", "sign_in", "/api/v1/sessions", "", 201}));
    ids.push_back(w.append_audit(
        {0, at(10), std::nullopt, "192.0.2.9", "sign_in_failed", "/api/v1/sessions", "", 401}));
    ids.push_back(w.append_audit(
        {0, at(20), 1, "192.0.2.1", "write", "/api/v1/bookings/{id}", "booking:12", 200}));
    ids.push_back(w.append_audit(
        {0, at(30), 2, "", "read_personal_data", "/api/v1/bookings/{id}", "booking:12", 200}));
    ids.push_back(w.append_audit({0, at(40), 2, "198.51.100.7", "write", "", "booking:13", 409}));
    ids.push_back(w.append_audit({0, at(40), 1, "", "export", "/api/v1/export", "", 0}));
    return ids;
  });
  EXPECT_SAME(ids);

  auto audited = [&](AuditFilter f) {
    auto both = read([&](AccountsReader& r) { return r.audit(f); });
    EXPECT_SAME(both);
    std::vector<Id> out;
    for (auto& e : both.pg) out.push_back(e.id);
    return out;
  };
  using Ids = std::vector<Id>;
  EXPECT_EQ(audited({}), (Ids{6, 5, 4, 3, 2, 1}));  // newest first
  EXPECT_EQ(audited({.account_id = 1}), (Ids{6, 3, 1}));
  EXPECT_EQ(audited({.account_id = 999}), Ids{});
  EXPECT_EQ(audited({.from = at(20)}), (Ids{6, 5, 4, 3}));  // from: included
  EXPECT_EQ(audited({.to = at(20)}), (Ids{2, 1}));          // to: excluded
  EXPECT_EQ(audited({.from = at(10), .to = at(40)}), (Ids{4, 3, 2}));
  EXPECT_EQ(audited({.action = "write"}), (Ids{5, 3}));
  EXPECT_EQ(audited({.target = "booking:12"}), (Ids{4, 3}));
  EXPECT_EQ(audited({.account_id = 2, .action = "write", .target = "booking:13"}), (Ids{5}));
  EXPECT_EQ(audited({.action = "nothing"}), Ids{});
  EXPECT_EQ(audited({.before_id = 4}), (Ids{3, 2, 1}));
  EXPECT_EQ(audited({.before_id = 4, .limit = 2}), (Ids{3, 2}));
  EXPECT_EQ(audited({.limit = 0}), Ids{});
  EXPECT_EQ(audited({.limit = std::numeric_limits<size_t>::max()}), (Ids{6, 5, 4, 3, 2, 1}));

  write([](AccountsWriter& w) { w.purge_audit(at(20)); });  // before, not at
  EXPECT_EQ(audited({}), (Ids{6, 5, 4, 3}));
  // Appending goes on after a purge.
  EXPECT_SAME(write([](AccountsWriter& w) {
    return w.append_audit({0, at(50), std::nullopt, "", "erase", "", "", 204});
  }));
  EXPECT_EQ(audited({}), (Ids{7, 6, 5, 4, 3}));
}

}  // namespace
