// The PostgreSQL store's statements: named and prepared once per connection,
// except catch-all filters, which stay planned with their values.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "storage/postgres/statements.h"
#include "unit/storage/pg_test_cluster.h"

namespace {

using rdv::postgres::Batch;
using rdv::postgres::Lease;
using rdv::postgres::Pool;
using rdv::postgres::server_keeps_statement_names;
using rdv::postgres::statement_name;
using rdv::postgres::Statements;
using rdv::postgres::Transaction;
using rdv::postgres::TransactionOptions;
using rdv::postgres::with_transaction;
using rdv::testing::scratch_database;

long long prepared_here(pqxx::dbtransaction& tx, const std::string& sql) {
  return tx.exec_params1("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", sql)[0]
      .as<long long>();
}

TEST(PgStatements, RunPreparedOncePerConnectionAndAnswerAsUnnamed) {
  pqxx::connection c(scratch_database());
  const std::string sql = "SELECT $1::bigint + $2::bigint AS n /* statements test */";
  for (int i = 0; i < 3; ++i) {
    pqxx::work tx(c);
    Statements st(tx);
    EXPECT_EQ(st.exec_params1(sql, i, 40).at("n").as<long long>(), i + 40);
    EXPECT_EQ(prepared_here(tx, sql), 1) << "prepared once, used again";
    tx.commit();
  }
  // Another connection prepares it for itself, under the same name.
  pqxx::connection other(scratch_database());
  EXPECT_EQ(*statement_name(other, sql), *statement_name(c, sql));
  pqxx::work tx(other);
  EXPECT_EQ(prepared_here(tx, sql), 0) << "libpqxx prepares at first use";
  EXPECT_EQ(Statements(tx).exec_params1(sql, 1, 1).at("n").as<long long>(), 2);
  EXPECT_EQ(prepared_here(tx, sql), 1);
}

TEST(PgStatements, NameFollowsTheTextInEveryProcess) {
  // FNV-1a of the text: another instance, or another version of the server,
  // gives the same text the same name (a pooler may share their connections).
  pqxx::connection c(scratch_database());
  const std::string sql = "SELECT $1::int AS n /* statements test: name */";
  EXPECT_EQ(*statement_name(c, sql), "rdv_8c9dc990c30d4ae8");
  EXPECT_NE(*statement_name(c, sql + " "), *statement_name(c, sql));
}

TEST(PgStatements, CatchAllFiltersStayUnnamed) {
  pqxx::connection c(scratch_database());
  EXPECT_EQ(statement_name(c, "SELECT 1 WHERE ($1::bigint IS NULL OR 1 = $1)"), nullptr);
  EXPECT_EQ(statement_name(c, "SELECT 1 WHERE ($2 IS NULL OR 1 = $2) AND $1 = 1"), nullptr);
  // A nullable column is no catch-all.
  EXPECT_NE(statement_name(c,
                           "SELECT 1 FROM pg_class WHERE (reltoastrelid IS NULL OR "
                           "reltoastrelid = $1) /* statements test */"),
            nullptr);
  const std::string catch_all =
      "SELECT count(*) AS n FROM pg_class WHERE ($1::text IS NULL OR "
      "relname = $1) /* statements test */";
  pqxx::work tx(c);
  Statements st(tx);
  EXPECT_GT(st.exec_params1(catch_all, nullptr).at("n").as<long long>(), 1);
  EXPECT_EQ(st.exec_params1(catch_all, "pg_class").at("n").as<long long>(), 1);
  EXPECT_EQ(prepared_here(tx, catch_all), 0);
}

TEST(PgStatements, RowCountsAreChecked) {
  pqxx::connection c(scratch_database());
  pqxx::work tx(c);
  Statements st(tx);
  EXPECT_THROW(st.exec_params1("SELECT 1 WHERE $1::int > 5 /* statements test */", 1),
               pqxx::unexpected_rows);
  EXPECT_THROW(st.exec_params0("SELECT 1 WHERE $1::int > 5 /* statements test */", 9),
               pqxx::unexpected_rows);
  EXPECT_NO_THROW(st.exec_params0("SELECT 1 WHERE $1::int > 5 /* statements test */", 1));
}

// The time PostgreSQL received the message that carried a statement:
// statements sent together share it.
const std::string kReceivedAt =
    "SELECT statement_timestamp()::text AS t, pg_sleep($1) IS NULL AS slept /* batch test */";

TEST(PgBatch, SendsItsStatementsInOneMessageEachWithItsPreparedPlan) {
  pqxx::connection c(scratch_database());
  pqxx::work tx(c);
  Batch batch(tx);
  auto first = batch.add(kReceivedAt, 0.002);
  auto second = batch.add(kReceivedAt, 0.0);
  auto sum = batch.add("SELECT $1::bigint + $2::bigint AS n /* batch test */", 40, 2);
  EXPECT_EQ(batch.result(sum).at(0).at("n").as<long long>(), 42);
  EXPECT_THROW(batch.result(sum + 1), std::out_of_range);
  EXPECT_EQ(batch.result(first).at(0).at("t").as<std::string>(),
            batch.result(second).at(0).at("t").as<std::string>())
      << "one message for both, though the first slept 2 ms";
  EXPECT_EQ(prepared_here(tx, kReceivedAt), 1);

  // Run again with what was added since: a second message.
  auto third = batch.add(kReceivedAt, 0.0);
  EXPECT_NE(batch.result(third).at(0).at("t").as<std::string>(),
            batch.result(first).at(0).at("t").as<std::string>());
}

TEST(PgBatch, AloneOrNotTogetherEachStatementGoesByItself) {
  pqxx::connection c(scratch_database());
  pqxx::work tx(c);
  Batch one(tx), other(tx);
  auto a = one.add(kReceivedAt, 0.002);
  auto b = other.add(kReceivedAt, 0.0);
  EXPECT_NE(one.result(a).at(0).at("t").as<std::string>(),
            other.result(b).at(0).at("t").as<std::string>());

  Batch apart(tx, /*together=*/false);
  auto first = apart.add(kReceivedAt, 0.002);
  auto second = apart.add(kReceivedAt, 0.0);
  EXPECT_NE(apart.result(first).at(0).at("t").as<std::string>(),
            apart.result(second).at(0).at("t").as<std::string>());
}

TEST(PgBatch, ADirectConnectionKeepsOurStatementNames) {
  pqxx::connection c(scratch_database());
  pqxx::work tx(c);
  EXPECT_TRUE(server_keeps_statement_names(tx));
}

TEST(PgBatch, ValuesArriveExactlyAsSent) {
  pqxx::connection c(scratch_database());
  pqxx::work tx(c);
  Batch batch(tx);
  const std::string tricky = "l'été \\\\' \"; DROP TABLE x; -- $$ \n\t 🙂";
  const std::string echo = "SELECT $1::text AS v, $2::bigint[] AS ids /* batch test */";
  auto text = batch.add(echo, tricky, std::string("{1,2,3}"));
  auto none = batch.add(echo, std::optional<std::string>(), std::optional<std::string>());
  auto some = batch.add(echo, std::optional<std::string>("x"), std::string("{}"));
  const std::string numbers =
      "SELECT $1::bigint AS big, $2::bigint AS small, $3::int AS i, $4::boolean AS b, "
      "$5::double precision AS d /* batch test */";
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const std::int64_t small = std::numeric_limits<std::int64_t>::min();
  auto together = batch.add(numbers, big, small, -7, true, 1.0 / 3);
  EXPECT_EQ(batch.result(text).at(0).at("v").as<std::string>(), tricky);
  EXPECT_EQ(batch.result(text).at(0).at("ids").as<std::string>(), "{1,2,3}");
  EXPECT_TRUE(batch.result(none).at(0).at("v").is_null());
  EXPECT_TRUE(batch.result(none).at(0).at("ids").is_null());
  EXPECT_EQ(batch.result(some).at(0).at("v").as<std::string>(), "x");
  EXPECT_EQ(batch.result(some).at(0).at("ids").as<std::string>(), "{}");
  // As exec_params gives them.
  pqxx::row alone = Statements(tx).exec_params1(numbers, big, small, -7, true, 1.0 / 3);
  pqxx::row sent = batch.result(together).at(0);
  EXPECT_EQ(sent.at("big").as<std::int64_t>(), big);
  EXPECT_EQ(sent.at("small").as<std::int64_t>(), small);
  for (const char* column : {"big", "small", "i", "b", "d"})
    EXPECT_EQ(sent.at(column).as<std::string>(), alone.at(column).as<std::string>()) << column;
}

TEST(PgBatch, AnUnnamedStatementRunsTheBatchOneByOne) {
  pqxx::connection c(scratch_database());
  pqxx::work tx(c);
  Batch batch(tx);
  auto named = batch.add(kReceivedAt, 0.002);
  auto catch_all = batch.add(
      "SELECT count(*) AS n FROM pg_class WHERE ($1::text IS NULL OR relname = $1) "
      "/* batch test */",
      std::string("pg_class"));
  auto after = batch.add(kReceivedAt, 0.0);
  EXPECT_EQ(batch.result(catch_all).at(0).at("n").as<long long>(), 1);
  EXPECT_NE(batch.result(named).at(0).at("t").as<std::string>(),
            batch.result(after).at(0).at("t").as<std::string>());
}

// The failing statement's error reaches its caller and every later one's,
// and nothing is sent again: the transaction is as after a failing exec, so
// a savepoint before the batch saves it (a grouped write's ROLLBACK TO).
TEST(PgBatch, AnErrorReachesTheCallerAsAloneAndLeavesTheTransactionUsable) {
  pqxx::connection c(scratch_database());
  pqxx::work tx(c);
  tx.exec0("SAVEPOINT before_batch");
  Batch batch(tx);
  auto fine = batch.add("SELECT 1 AS n /* batch test */");
  auto failing = batch.add("SELECT 1 / $1::int AS n /* batch test */", 0);
  auto after = batch.add("SELECT 2 AS n /* batch test */");
  auto sqlstate_of = [&](std::size_t i) {
    try {
      batch.result(i);
    } catch (const pqxx::sql_error& e) {
      return e.sqlstate();
    }
    return std::string("answered");
  };
  EXPECT_EQ(sqlstate_of(fine), "answered");
  EXPECT_EQ(sqlstate_of(failing), "22012");
  EXPECT_EQ(sqlstate_of(after), "22012") << "not sent again into the aborted transaction";
  batch.add("SELECT 3 AS n /* batch test */");
  EXPECT_EQ(sqlstate_of(3), "22012");

  tx.exec0("ROLLBACK TO SAVEPOINT before_batch");
  EXPECT_EQ(tx.exec1("SELECT 4 AS n")[0].as<int>(), 4);
  tx.commit();
}

// Statements waiting on a Transaction (a grouped write's savepoint) go with
// the next statement. This one notes the time its message was received, and
// sleeps so that a later message's time differs; kSeesNote answers with its
// own message's time and what it sees of the note (so, whether it ran after).
const std::string kNoteSent =
    "SELECT set_config('rdv.sent', statement_timestamp()::text, true), pg_sleep(0.002)";
const std::string kSeesNote =
    "SELECT statement_timestamp()::text AS t, current_setting('rdv.sent', true) AS noted, "
    "$1::int AS n /* batch test */";

TEST(PgTransaction, WaitingStatementsRideFirstInTheMessageOfABatchTheTransactionRanBefore) {
  pqxx::connection c(scratch_database());
  Transaction tx(c, "");
  Batch ran(tx);
  ran.add(kSeesNote, 0);
  ran.add(kSeesNote, 1);
  ran.result(0);

  tx.send_with_next(kNoteSent);
  Batch batch(tx);
  auto first = batch.add(kSeesNote, 2);
  auto second = batch.add(kSeesNote, 3);
  const pqxx::row row = batch.result(first).at(0);
  const std::string sent = row.at("t").as<std::string>();
  EXPECT_EQ(row.at("noted").as<std::string>(), sent) << "ran first, in the batch's message";
  EXPECT_EQ(batch.result(second).at(0).at("t").as<std::string>(), sent);
  EXPECT_TRUE(tx.waiting().empty());

  // Sent once: the next batch carries nothing.
  tx.exec("SELECT set_config('rdv.sent', '', true)");
  Batch next(tx);
  next.add(kSeesNote, 4);
  next.add(kSeesNote, 5);
  EXPECT_EQ(next.result(0).at(0).at("noted").as<std::string>(), "");
}

// A statement new to the transaction may need preparing, a round trip of its
// own that can fail and abort the transaction: the waiting statements go
// before it, so that a savepoint they set is there to roll back to.
TEST(PgTransaction, WaitingStatementsGoBeforeAStatementThatMayNeedPreparing) {
  pqxx::connection c(scratch_database());
  Transaction tx(c, "");
  tx.exec0("CREATE TEMPORARY TABLE kept (x int)");
  tx.exec0("INSERT INTO kept VALUES (1)");  // a grouped write before
  tx.send_with_next("SAVEPOINT next_write");
  Batch batch(tx);
  batch.add("SELECT x FROM no_such_table /* batch test */");
  batch.add(kSeesNote, 0);
  EXPECT_THROW(batch.result(0), pqxx::sql_error);  // its preparation failed
  tx.exec0("ROLLBACK TO SAVEPOINT next_write");
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM kept")[0].as<int>(), 1) << "the write before is kept";

  tx.send_with_next(kNoteSent);
  Batch fresh(tx);
  fresh.add(kSeesNote, 0);
  fresh.add(kSeesNote, 1);
  const pqxx::row row = fresh.result(0).at(0);
  EXPECT_FALSE(row.at("noted").as<std::string>().empty());
  EXPECT_NE(row.at("noted").as<std::string>(), row.at("t").as<std::string>())
      << "sent apart: the transaction had not run these statements";
}

TEST(PgTransaction, ExecCarriesWaitingStatementsAndExecParamsSendsThemFirst) {
  pqxx::connection c(scratch_database());
  Transaction tx(c, "");
  tx.send_with_next(kNoteSent);
  const pqxx::row carried = tx.exec1(
      "SELECT statement_timestamp()::text AS t, current_setting('rdv.sent', true) AS noted");
  EXPECT_EQ(carried.at("noted").as<std::string>(), carried.at("t").as<std::string>())
      << "ran first, in the same simple query, answered as the last statement";

  tx.send_with_next(kNoteSent);
  const pqxx::row prepared = Statements(tx).exec_params1(kSeesNote, 0);
  const std::string noted = prepared.at("noted").as<std::string>();
  EXPECT_NE(noted, carried.at("noted").as<std::string>()) << "sent";
  EXPECT_NE(noted, prepared.at("t").as<std::string>())
      << "a prepared statement cannot carry them: sent just before";
}

// A grouped write's first savepoint goes with the BEGIN and the write lock:
// it ran in the message that began the transaction.
TEST(PgTransaction, TheOpeningCarriesAStatementOfOursAfterTheLock) {
  Pool pool(scratch_database(), 1);
  TransactionOptions options = rdv::postgres::kWrite;
  options.advisory_lock = 42;
  options.then = "SELECT set_config('rdv.sent', statement_timestamp()::text, true)";
  const std::string opening = rdv::postgres::detail::opening_sql(options);
  ASSERT_NE(opening.find(options.then), std::string::npos) << opening;
  EXPECT_GT(opening.find(options.then), opening.find("pg_advisory_xact_lock")) << opening;
  const auto [noted, began, now] = with_transaction(
      pool,
      [](Transaction& tx) {
        const pqxx::row r = tx.exec1(
            "SELECT current_setting('rdv.sent', true) AS noted, "
            "transaction_timestamp()::text AS began, statement_timestamp()::text AS now");
        return std::tuple{r.at("noted").as<std::string>(), r.at("began").as<std::string>(),
                          r.at("now").as<std::string>()};
      },
      options);
  EXPECT_EQ(noted, began) << "ran in the message of the BEGIN";
  EXPECT_NE(noted, now);
}

// The messages a connection sends while `f` runs, as libpq's trace writes
// them (one line each: "F", its length, its type, ...).
std::vector<std::string> messages_sent(pqxx::connection& c, const std::function<void()>& f) {
  std::FILE* trace = std::tmpfile();
  c.trace(trace);
  try {
    f();
  } catch (...) {
    c.trace(nullptr);
    std::fclose(trace);
    throw;
  }
  c.trace(nullptr);
  std::rewind(trace);
  std::vector<std::string> out;
  char line[4096];
  while (std::fgets(line, sizeof line, trace))
    if (std::string(line).find("\tF\t") != std::string::npos ||
        std::string(line).rfind("F\t", 0) == 0)
      out.emplace_back(line);
  std::fclose(trace);
  return out;
}

// A fresh table `table` holding one row, written by `tx`.
void write_one_row(Transaction& tx, const std::string& table) {
  tx.exec0("DROP TABLE IF EXISTS " + table + "; CREATE TABLE " + table + " (x int)");
  tx.exec0("INSERT INTO " + table + " VALUES (1)");
}

// A write's jobs (and a grouped write's RELEASE) wait on the transaction:
// COMMIT carries them, one simple query for them all.
TEST(PgTransaction, CommitCarriesTheWaitingStatementsInItsMessage) {
  pqxx::connection c(scratch_database());
  Transaction tx(c, "");
  write_one_row(tx, "carried");
  tx.send_with_next("INSERT INTO carried VALUES (2)");
  tx.send_with_next("INSERT INTO carried VALUES (3)");
  auto sent = messages_sent(c, [&] { tx.commit(); });
  ASSERT_EQ(sent.size(), 1u) << "one message";
  EXPECT_NE(sent[0].find("Query"), std::string::npos) << sent[0];
  EXPECT_NE(sent[0].find("INSERT INTO carried VALUES (2); INSERT INTO carried VALUES (3); COMMIT"),
            std::string::npos)
      << sent[0];
  EXPECT_EQ(pqxx::nontransaction(c).exec1("SELECT count(*) FROM carried")[0].as<int>(), 3);
}

// A statement with values (a write's jobs) waits as EXECUTE of its prepared
// statement, which keeps its plan, where the server keeps our statement
// names; elsewhere it runs at once.
TEST(PgTransaction, AStatementWithValuesWaitsAsExecuteWhereNamesAreKept) {
  pqxx::connection c(scratch_database());
  pqxx::nontransaction(c).exec0(
      "DROP TABLE IF EXISTS with_values; CREATE TABLE with_values (x int, t text)");
  for (bool kept : {true, false}) {
    Transaction tx(c, "");
    tx.set_names_kept(kept);
    Statements(tx).send_with_next("INSERT INTO with_values VALUES ($1, $2)", kept ? 1 : 2,
                                  std::string("l'accueil"));
    auto sent = messages_sent(c, [&] { tx.commit(); });
    ASSERT_EQ(sent.size(), 1u);
    if (kept)
      EXPECT_NE(sent[0].find("EXECUTE rdv_"), std::string::npos) << sent[0];
    else
      EXPECT_EQ(sent[0].find("EXECUTE"), std::string::npos) << "ran before COMMIT: " << sent[0];
  }
  auto rows = pqxx::nontransaction(c).exec("SELECT x, t FROM with_values ORDER BY x");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1].as<std::string>(), "l'accueil");
  EXPECT_EQ(rows[1][1].as<std::string>(), "l'accueil");
}

// Should one of them fail (a fault of the database: ours cannot), COMMIT
// does not run: the error reaches the caller, nothing is stored, and the
// connection is clean for its next transaction.
TEST(PgTransaction, AWaitingStatementThatFailsAtCommitLeavesNothingAndACleanConnection) {
  pqxx::connection c(scratch_database());
  {
    Transaction tx(c, "");
    write_one_row(tx, "not_carried");
    tx.send_with_next("INSERT INTO not_carried VALUES (1 / 0)");
    try {
      tx.commit();
      ADD_FAILURE() << "committed";
    } catch (const pqxx::sql_error& e) {
      EXPECT_EQ(e.sqlstate(), "22012");
    }
  }
  Transaction next(c, "");
  EXPECT_TRUE(next.exec1("SELECT to_regclass('not_carried') IS NULL")[0].as<bool>())
      << "the table the transaction made is not stored either";
  next.commit();
}

TEST(PgTransaction, WaitingStatementsAreSentBeforeCommitAndDroppedByARollback) {
  Pool pool(scratch_database(), 1);
  with_transaction(pool, [](Transaction& tx) { tx.exec0("DROP TABLE IF EXISTS waited"); });
  with_transaction(pool, [](Transaction& tx) { tx.send_with_next("CREATE TABLE waited (x int)"); });
  EXPECT_TRUE(with_transaction(pool, [](Transaction& tx) {
    return tx.exec1("SELECT to_regclass('waited') IS NOT NULL")[0].as<bool>();
  })) << "sent, then committed";

  Lease lease = pool.acquire();
  Transaction tx(lease.connection(), "");
  tx.send_with_next("DROP TABLE waited");
  tx.abort();
  EXPECT_TRUE(tx.waiting().empty());
}

}  // namespace
