// PgResidentAccess against SqliteResidentAccess: the same calls on both
// stores give the same links and sessions, field by field (see pg_twin.h).
#include "storage/postgres/pg_resident_access.h"

#include <gtest/gtest.h>

#include "unit/storage/pg_twin.h"

namespace rdv::testing {
namespace {

TEST(PgResidentAccess, LinksMatchSqlite) {
  SeededTwin t;
  auto ids = t.same([](Parts& p) {
    std::vector<Id> out;
    out.push_back(
        p.residents.insert_link({0, "Lea@Example.fr", "", kDay, kDay + 15min, std::nullopt}));
    out.push_back(p.residents.insert_link({0, "", "+33611111111", kDay + 1min, kDay + 16min, {}}));
    out.push_back(
        p.residents.insert_link({0, "lea@example.fr", "+33622222222", kDay - 1h, kDay + 1h, {}}));
    out.push_back(p.residents.insert_link({0, "", "", kDay, kDay + 2h, {}}));
    return out;
  });
  for (Id id : {1, 2, 3, 4, 5}) t.same([&](Parts& p) { return p.residents.link(id); });
  EXPECT_FALSE(t.same([](Parts& p) { return p.residents.link_by_hash("hash-1"); }));
  t.same([&](Parts& p) {
    p.residents.set_link_token_hash(ids[0], "hash-1");
    p.residents.set_link_token_hash(ids[1], "hash-2");
  });
  for (const char* hash : {"hash-1", "hash-2", "hash-3", ""})
    t.same([&](Parts& p) { return p.residents.link_by_hash(hash); });

  auto since = [&](const std::string& email, const std::string& phone, Instant from) {
    return t.same([&](Parts& p) { return p.residents.links_since(email, phone, from); });
  };
  EXPECT_EQ(since("LEA@example.FR", "", kDay), 1);
  EXPECT_EQ(since("lea@example.fr", "", kDay - 1h), 2);  // at or after
  EXPECT_EQ(since("lea@example.fr", "+33611111111", kDay), 2);
  EXPECT_EQ(since("", "+33622222222", kDay - 1h), 1);
  EXPECT_EQ(since("", "", kDay - 1h), 0);  // "" matches nothing, not link 4
  EXPECT_EQ(since("lea@example.fr", "", kDay + 1s), 0);

  EXPECT_TRUE(t.same([&](Parts& p) { return p.residents.use_link(ids[0], kDay + 2min); }));
  EXPECT_FALSE(t.same([&](Parts& p) { return p.residents.use_link(ids[0], kDay + 3min); }));
  EXPECT_FALSE(t.same([](Parts& p) { return p.residents.use_link(99, kDay); }));
  t.same([&](Parts& p) { return p.residents.link(ids[0]); });

  t.same([](Parts& p) { p.residents.purge(kDay + 15min); });  // expired before
  t.same([](Parts& p) { p.residents.purge(kDay + 16min); });
  for (Id id : ids) t.same([&](Parts& p) { return p.residents.link(id); });

  // A purged link's id is never given again: its token, made from the id,
  // must not open another resident's link.
  pqxx::work tx(t.pg());
  PgResidentAccess residents(tx);
  residents.purge(kDay + 3h);
  EXPECT_GT(residents.insert_link({0, "x@example.fr", "", kDay, kDay + 15min, {}}), ids.back());
}

TEST(PgResidentAccess, SessionsMatchSqlite) {
  SeededTwin t;
  auto ids = t.same([](Parts& p) {
    std::vector<Id> out;
    out.push_back(
        p.residents.insert_session({0, "lea@example.fr", "", kDay, kDay + 1h, {}}, "session-1"));
    out.push_back(
        p.residents.insert_session({0, "", "+33611111111", kDay, kDay + 2h, {}}, "session-2"));
    return out;
  });
  for (const char* hash : {"session-1", "session-2", "session-3"})
    t.same([&](Parts& p) { return p.residents.session_by_hash(hash); });
  t.same([&](Parts& p) { p.residents.end_session(ids[0], kDay + 10min); });
  t.same([&](Parts& p) { p.residents.end_session(ids[0], kDay + 20min); });  // kept
  t.same([&](Parts& p) { p.residents.end_session(99, kDay); });
  auto ended = t.same([](Parts& p) { return p.residents.session_by_hash("session-1"); });
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->ended_at, kDay + 10min);

  t.same([](Parts& p) { p.residents.purge(kDay + 1h); });  // expired before: none
  t.same([](Parts& p) { return p.residents.session_by_hash("session-1"); });
  t.same([](Parts& p) { p.residents.purge(kDay + 1h + 1s); });
  EXPECT_FALSE(t.same([](Parts& p) { return p.residents.session_by_hash("session-1"); }));
  EXPECT_TRUE(t.same([](Parts& p) { return p.residents.session_by_hash("session-2"); }));
}

}  // namespace
}  // namespace rdv::testing
