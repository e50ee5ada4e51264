// The Store on an embedded SQLite database (WAL): one writer connection whose
// concurrent writes are committed in groups (write_groups.h), a small pool of
// reader connections.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/store.h"

namespace rdv {

namespace sqlite {
class Connection;
// How SqliteStore runs a group of writes on `writer`: BEGIN IMMEDIATE, the
// group, COMMIT. BEGIN IMMEDIATE takes the write lock at once, so checks made
// in a write still hold at commit, also against other processes on the file.
WriteGroups::RunTransaction write_transaction(Connection& writer);
}  // namespace sqlite

class SqliteStore : public Store {
 public:
  // Opens (creating if needed) the database at `path` and applies migrations.
  explicit SqliteStore(const std::string& path, size_t readers = 4);
  ~SqliteStore() override;

  void read(const std::function<void(StoreReader&)>& work) override;
  void write(const std::function<void(StoreWriter&)>& work) override;
  bool ready() override;
  Connections connections() override;
  WriteGroups::Counts writes() override;

 private:
  std::unique_ptr<sqlite::Connection> take_reader();
  void give_back(std::unique_ptr<sqlite::Connection> c);

  std::string path_;
  std::unique_ptr<sqlite::Connection> writer_;
  std::unique_ptr<WriteGroups> writes_;
  static constexpr std::size_t kKeptReaders = 16;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<sqlite::Connection>> readers_;
  std::size_t opened_readers_ = 0;  // idle in readers_ or lent
};

}  // namespace rdv
