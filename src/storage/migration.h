// Schema migrations, versioned in the repository and embedded in the binary.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace rdv {

struct Migration {
  std::string name;  // "0001_init": applied in name order, each once
  std::string sql;
};

const std::vector<Migration>& sqlite_migrations();
// src/storage/postgres/migrations, in library rdv_postgres.
const std::vector<Migration>& postgres_migrations();

// Whether a database that applied `applied` holds every one of `migrations`
// (a database restored from an older backup does not).
inline bool all_applied(const std::vector<Migration>& migrations,
                        const std::set<std::string>& applied) {
  return std::all_of(migrations.begin(), migrations.end(),
                     [&](const Migration& m) { return applied.count(m.name) > 0; });
}

}  // namespace rdv
