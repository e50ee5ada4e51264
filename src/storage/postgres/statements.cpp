#include "storage/postgres/statements.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <regex>
#include <stdexcept>
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

const pqxx::result& Batch::result(std::size_t i) {
  if (i >= results_.size() && !failed_) {
    try {
      run();
    } catch (...) {
      failed_ = std::current_exception();
    }
  }
  if (i < results_.size()) return results_[i];
  if (failed_) std::rethrow_exception(failed_);
  throw std::out_of_range("no statement " + std::to_string(i) + " in this batch");
}

void Batch::run() {
  std::size_t first = results_.size();
  if (together_ && calls_.size() - first > 1) {
    std::vector<const std::string*> names;
    for (std::size_t i = first; i < calls_.size(); ++i)
      names.push_back(statement_name(tx_.conn(), calls_[i].sql));
    if (std::find(names.begin(), names.end(), nullptr) == names.end())
      return run_together(first, names);
  }
  for (std::size_t i = first; i < calls_.size(); ++i) results_.push_back(calls_[i].alone());
}

void Batch::run_together(std::size_t first, const std::vector<const std::string*>& names) {
  Transaction* ours = as_ours(tx_);
  if (ours && !ours->waiting().empty() &&
      !std::all_of(names.begin(), names.end(),
                   [&](const std::string* name) { return ours->ran(*name); }))
    ours->send_waiting();  // before a preparation that may fail (see the header)
  // EXECUTE needs the statement on the server: once per connection.
  for (const std::string* name : names) tx_.conn().prepare_now(*name);
  std::vector<std::string> executes;
  for (std::size_t i = first; i < calls_.size(); ++i)
    executes.push_back(execute_sql(*names[i - first], calls_[i].values()));
  // The statements waiting to be sent go first, in the same round trip; they
  // stay waiting until they are in the pipeline.
  static const std::vector<std::string> none;
  const std::vector<std::string>& waiting = ours ? ours->waiting() : none;
  pqxx::pipeline pipeline(tx_);
  pipeline.retain(
      static_cast<int>(waiting.size() + executes.size()));  // sent at the first retrieve
  std::vector<pqxx::pipeline::query_id> before, ids;
  for (const std::string& sql : waiting) before.push_back(pipeline.insert(sql));
  for (const std::string& execute : executes) ids.push_back(pipeline.insert(execute));
  if (ours) ours->forget_waiting();
  try {
    for (auto id : before) pipeline.retrieve(id);  // throws the error of one that failed
    for (auto id : ids) results_.push_back(pipeline.retrieve(id));
    pipeline.complete();
    if (ours)
      for (const std::string* name : names) ours->note_ran(*name);
  } catch (...) {
    // Left to its destructor, the pipeline would send the server a cancel
    // request (a new connection) for each statement still waiting.
    try {
      pipeline.flush();
    } catch (...) {
    }
    throw;
  }
}

std::string execute_sql(const std::string& name, const std::vector<std::string>& values) {
  std::string execute = "EXECUTE " + name;
  for (std::size_t v = 0; v < values.size(); ++v) execute += (v == 0 ? "(" : ", ") + values[v];
  if (!values.empty()) execute += ")";
  return execute;
}

bool server_keeps_statement_names(pqxx::dbtransaction& tx) {
  const std::string* name = statement_name(tx.conn(), "SELECT 1 AS one /* names probe */");
  if (!name) return false;
  tx.conn().prepare_now(*name);
  return !tx.exec_params("SELECT 1 FROM pg_prepared_statements WHERE name = $1", *name).empty();
}

}  // namespace rdv::postgres
