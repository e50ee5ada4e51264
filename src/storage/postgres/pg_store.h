// The Store on PostgreSQL, for several instances on one database: a pool of
// connections; reads in a read-only snapshot; writes at READ COMMITTED,
// serialised across every instance by one transaction-level advisory lock so
// that the checks a use case makes before writing still hold at commit, as
// on SQLite. The schema's own constraints (no overlap, seats per session)
// hold without the lock too; they are the last line of defence.
#pragma once

#include <cstddef>
#include <string>

#include "storage/postgres/connection.h"
#include "storage/store.h"

namespace rdv {

class PostgresStore : public Store {
 public:
  // `url`: a libpq URL (postgresql://..., several hosts allowed). Applies the
  // migrations (once among instances starting together), then opens up to
  // `pool_size` connections as needed.
  PostgresStore(const std::string& url, std::size_t pool_size);

  void read(const std::function<void(StoreReader&)>& work) override;
  void write(const std::function<void(StoreWriter&)>& work) override;
  bool ready() override;
  Connections connections() override;
  WriteGroups::Counts writes() override;

 private:
  // f in one transaction with these options, never run twice.
  void run_once(postgres::TransactionOptions options,
                const std::function<void(postgres::Transaction&)>& f);

  postgres::Pool pool_;
  // Whether reads may be sent together (postgres::Batch): the server keeps
  // our statement names, which a pooler in transaction mode does not.
  bool reads_together_ = false;
  WriteGroups writes_;
};

// Whether `db` names a PostgreSQL database (postgresql:// or postgres://).
bool is_postgres_url(const std::string& db);

}  // namespace rdv
