// Schema migrations, versioned in the repository and embedded in the binary.
#pragma once

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

}  // namespace rdv
