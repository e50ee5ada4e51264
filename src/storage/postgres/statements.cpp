#include "storage/postgres/statements.h"

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
      it = names.emplace(sql, is_catch_all(sql) ? "" : "rdv_" + std::to_string(names.size())).first;
    }
    if (it->second.empty()) return nullptr;
    name = &it->second;
  }
  connection.prepare(*name, sql);
  return name;
}

}  // namespace rdv::postgres
