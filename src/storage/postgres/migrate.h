// Bringing a PostgreSQL database to the schema this binary was built with.
#pragma once

#include <string>
#include <vector>

#include "storage/migration.h"

namespace rdv::postgres {

// Applies, in name order, the migrations not yet recorded in
// schema_migrations, each in its own transaction with its record. Instances
// starting together take turns under one advisory lock, so each migration
// runs once. Returns the names applied ({} when the schema was current).
std::vector<std::string> migrate(const std::string& url, const std::vector<Migration>& migrations);
// The same with postgres_migrations(), embedded in the binary.
std::vector<std::string> migrate(const std::string& url);

}  // namespace rdv::postgres
