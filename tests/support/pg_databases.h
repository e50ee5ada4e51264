// Fresh, migrated PostgreSQL databases for tests, from one throwaway cluster
// per test process (started at first use): each database is a copy of a
// migrated template, which costs a file copy instead of a migration.
#pragma once

#include <string>

namespace rdv::testing {

// The URL of a new database at this binary's schema.
std::string fresh_migrated_database();

}  // namespace rdv::testing
