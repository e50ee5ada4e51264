// Moving a deployment from SQLite to PostgreSQL: every table copied as it is
// (ids, token hashes, signing keys, jobs, calendars), so that links and
// tokens issued before keep working, then each table's count checked.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rdv::postgres {

// Tables in the order they were copied, with their number of rows.
using CopyReport = std::vector<std::pair<std::string, std::int64_t>>;

// Brings both databases to this binary's schema, then copies every row of
// the SQLite database at `sqlite_path` into the PostgreSQL database at `url`
// in one transaction, which commits only when every table has as many rows
// on both sides. Refuses a target that already holds data. Throws
// std::runtime_error saying what went wrong; nothing is written then.
CopyReport copy_from_sqlite(const std::string& sqlite_path, const std::string& url);

}  // namespace rdv::postgres
