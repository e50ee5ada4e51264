#include "storage/postgres/statements.h"

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <regex>
#include <unordered_map>

namespace rdv::postgres {
namespace {

// "$2 IS NULL OR ...", "$3::bigint IS NULL OR ...": a parameter tested for
// NULL, not a column.
bool is_catch_all(const std::string& sql) {
  static const std::regex parameter_is_null(R"(\$[0-9]+(::[a-z_\[\]]+)? IS NULL OR)");
  return std::regex_search(sql, parameter_is_null);
}

// The name comes from the text (FNV-1a, 64 bits), not from the order texts
// were first seen: every instance and version gives one text one name, so a
// pooler that shares server connections between them (PgBouncer 1.21+ with
// max_prepared_statements) never runs one text under another's name.
std::string name_of(const std::string& sql) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : sql) h = (h ^ c) * 1099511628211ull;
  char buf[24];
  std::snprintf(buf, sizeof buf, "rdv_%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

const std::string* statement_name(pqxx::connection_base& connection, const std::string& sql) {
  static std::mutex mutex;
  // Never erased: the values stay where they are. "" marks a text that stays
  // unnamed.
  static std::unordered_map<std::string, std::string> names;
  const std::string* name = nullptr;
  {
    std::lock_guard lock(mutex);
    auto it = names.find(sql);
    if (it == names.end()) {
      if (names.size() >= kMaxNamedStatements) return nullptr;
      it = names.emplace(sql, is_catch_all(sql) ? "" : name_of(sql)).first;
    }
    if (it->second.empty()) return nullptr;
    name = &it->second;
  }
  connection.prepare(*name, sql);
  return name;
}

}  // namespace rdv::postgres
