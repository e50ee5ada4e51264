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

}  // namespace rdv
