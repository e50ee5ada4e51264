// Writes that arrive together are committed together, and each still behaves
// as if it ran alone: WriteGroups over SQLite's writer transaction, with raw
// SQL (and a database capped in size for a full disk). Each test holds the
// first write open until the others are queued behind it, so the group they
// form is known (no sleep, no timing). The same on both stores, through
// their parts: store_contract_test.cpp.
#include "storage/write_groups.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/connection.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store_errors.h"
#include "support/temp_dir.h"

namespace rdv::sqlite {

using Work = std::function<void()>;
namespace {

class WriteGroupsTest : public ::testing::Test {
 protected:
  WriteGroupsTest()
      : path_(dir_.file("db.sqlite")), writer_(path_), group_(write_transaction(writer_)) {
    writer_.exec("CREATE TABLE t (name TEXT PRIMARY KEY)");
  }

  void insert(const std::string& name) {
    writer_.prepare("INSERT INTO t(name) VALUES (?)").bind(1, name).run();
  }
  // What another connection sees: only what was committed.
  std::vector<std::string> committed() {
    Connection reader(path_);
    std::vector<std::string> names;
    auto st = reader.prepare("SELECT name FROM t ORDER BY name");
    while (st.step()) names.push_back(st.text(0));
    return names;
  }

  // Runs `first` in a write that stays open until the writes of `then`, each
  // started on its own thread in order, are all queued behind it; each
  // write's outcome is "" or what it threw.
  void run(const Work& work, WriteGroups& groups) {
    groups.run([&](StoreWriter&) { work(); });
  }
  void run(const Work& work) { run(work, group_); }
  std::vector<std::string> grouped(const Work& first, const std::vector<Work>& then) {
    return grouped(group_, first, then);
  }
  std::vector<std::string> grouped(WriteGroups& groups, const Work& first,
                                   const std::vector<Work>& then) {
    std::vector<std::string> outcome(then.size() + 1);
    auto run_one = [&](std::size_t i, const Work& work) {
      try {
        run(work, groups);
      } catch (const std::exception& e) {
        outcome[i] = e.what();
      }
    };
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};  // the first write ends once all are queued
    threads.emplace_back(run_one, 0, [&] {
      while (!go) std::this_thread::yield();
      first();
    });
    auto waiting = [&] { return groups.counts().waiting; };
    while (waiting() < 1) std::this_thread::yield();
    for (std::size_t i = 0; i < then.size(); ++i) {
      threads.emplace_back(run_one, i + 1, then[i]);
      while (waiting() < i + 2) std::this_thread::yield();  // queued in this order
    }
    go = true;
    for (auto& t : threads) t.join();
    return outcome;
  }

  std::size_t waiting() const { return group_.counts().waiting; }

  testing::TempDir dir_;
  std::string path_;
  Connection writer_;
  WriteGroups group_;
};

TEST_F(WriteGroupsTest, AWriteAloneIsCommittedInItsOwnTransaction) {
  run([&] { insert("a"); });
  EXPECT_EQ(committed(), (std::vector<std::string>{"a"}));
  EXPECT_EQ(group_.counts().writes, 1u);
  EXPECT_EQ(group_.counts().groups, 1u);
  EXPECT_FALSE(writer_.in_transaction());
}

TEST_F(WriteGroupsTest, WritesQueuedBehindAnotherAreCommittedTogether) {
  auto outcome = grouped([&] { insert("a"); },
                         {[&] { insert("b"); }, [&] { insert("c"); }, [&] { insert("d"); }});
  EXPECT_EQ(outcome, (std::vector<std::string>{"", "", "", ""}));
  EXPECT_EQ(committed(), (std::vector<std::string>{"a", "b", "c", "d"}));
  // The first alone, then the three that waited in one transaction.
  EXPECT_EQ(group_.counts().writes, 4u);
  EXPECT_EQ(group_.counts().groups, 2u);
}

TEST_F(WriteGroupsTest, AWriteThatThrowsLosesOnlyItsOwnRowsAndItsCallerGetsTheError) {
  auto outcome = grouped([&] { insert("a"); }, {[&] { insert("b"); },
                                                [&] {
                                                  insert("c");
                                                  throw std::runtime_error("c refused");
                                                },
                                                [&] { insert("d"); }});
  EXPECT_EQ(outcome, (std::vector<std::string>{"", "", "c refused", ""}));
  EXPECT_EQ(committed(), (std::vector<std::string>{"a", "b", "d"}));
  EXPECT_EQ(group_.counts().groups, 2u);
}

TEST_F(WriteGroupsTest, EachWriteSeesTheWritesBeforeItInItsGroup) {
  std::vector<std::string> seen;
  auto count = [&] {
    auto st = writer_.prepare("SELECT count(*) FROM t");
    st.step();
    return std::to_string(st.int64(0));
  };
  auto outcome = grouped([&] { insert("a"); }, {[&] {
                                                  insert("b");
                                                  seen.push_back(count());
                                                },
                                                [&] {
                                                  seen.push_back(count());
                                                  insert("b");  // taken by the one before
                                                },
                                                [&] { seen.push_back(count()); }});
  EXPECT_EQ(seen, (std::vector<std::string>{"2", "2", "2"}));
  EXPECT_EQ(outcome[0], "");
  EXPECT_EQ(outcome[1], "");
  EXPECT_NE(outcome[2].find("UNIQUE"), std::string::npos) << outcome[2];
  EXPECT_EQ(outcome[3], "");
  EXPECT_EQ(committed(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(WriteGroupsTest, AGroupHoldsAtMostItsSizeOfWrites) {
  WriteGroups pairs(write_transaction(writer_), 2);
  auto outcome = grouped(
      pairs, [&] { insert("a"); },
      {[&] { insert("b"); }, [&] { insert("c"); }, [&] { insert("d"); }, [&] { insert("e"); }});
  EXPECT_EQ(outcome, (std::vector<std::string>(5, "")));
  EXPECT_EQ(committed(), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(pairs.counts().writes, 5u);
  EXPECT_EQ(pairs.counts().groups, 3u);  // a alone, then b c, then d e
}

TEST_F(WriteGroupsTest, AWriteInsideAWriteIsRefusedInsteadOfWaitingForItself) {
  auto outcome = grouped([&] { insert("a"); }, {[&] {
                                                  insert("b");
                                                  run([&] { insert("c"); });
                                                },
                                                [&] { insert("d"); }});
  EXPECT_EQ(outcome[0], "");
  EXPECT_NE(outcome[1].find("inside a write"), std::string::npos) << outcome[1];
  EXPECT_EQ(outcome[2], "");
  EXPECT_EQ(committed(), (std::vector<std::string>{"a", "d"}));
}

TEST_F(WriteGroupsTest, AFullDiskFailsTheWritesThatRanInTheGroupAndNotThoseAfter) {
  auto pages = [&] {
    auto st = writer_.prepare("PRAGMA page_count");
    st.step();
    return st.int64(0);
  };
  writer_.exec("PRAGMA max_page_count = " + std::to_string(pages() + 2));
  auto outcome =
      grouped([&] { insert("a"); },
              {[&] { insert("b"); }, [&] { insert(std::string(200000, 'c')); },  // too big
               [&] { insert("d"); }});
  EXPECT_EQ(outcome[0], "");
  EXPECT_NE(outcome[1].find("rolled back their transaction"), std::string::npos) << outcome[1];
  EXPECT_NE(outcome[2].find("full"), std::string::npos) << outcome[2];
  EXPECT_EQ(outcome[3], "");
  EXPECT_EQ(committed(), (std::vector<std::string>{"a", "d"}));
  EXPECT_FALSE(writer_.in_transaction());
}

// A stress of the queue (run 20 times under ThreadSanitizer by make test-tsan):
// every write committed exactly once, none left waiting.
TEST_F(WriteGroupsTest, ConcurrentWritesAreEachCommittedOnce) {
  writer_.exec("CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)");
  const int threads = 8, each = 200;
  std::atomic<int> failed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i = 0; i < each; ++i) try {
          run([&] { writer_.exec("UPDATE counter SET n = n + 1"); });
        } catch (...) {
          ++failed;
        }
    });
  for (auto& t : pool) t.join();
  Connection reader(path_);
  auto st = reader.prepare("SELECT n FROM counter");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.int64(0), threads * each);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(group_.counts().writes, static_cast<std::uint64_t>(threads * each));
  EXPECT_EQ(waiting(), 0u);
}

}  // namespace
}  // namespace rdv::sqlite
