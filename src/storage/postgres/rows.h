// The PostgreSQL store's side of the shared row mapping
// (storage/row_mapping.h): a result row read by column name, as the SELECT
// names it. An unknown name throws, and so does NULL where no optional is
// asked for, except text, which reads NULL as "" like SQLite's.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "storage/row_mapping.h"

namespace rdv::postgres {

using namespace rdv::rows;  // the shared encodings and row readers

class Row {
 public:
  explicit Row(const pqxx::row& row) : row_(row) {}

  std::int64_t int64(const char* column) const { return row_[column].as<std::int64_t>(); }
  std::string text(const char* column) const {
    auto field = row_[column];
    return field.is_null() ? std::string() : field.as<std::string>();
  }
  std::optional<std::int64_t> opt_int64(const char* column) const {
    auto field = row_[column];
    if (field.is_null()) return std::nullopt;
    return field.as<std::int64_t>();
  }
  std::optional<double> opt_real(const char* column) const {
    auto field = row_[column];
    if (field.is_null()) return std::nullopt;
    return field.as<double>();
  }

 private:
  const pqxx::row& row_;
};

// Every row of a result through a reader of the shared mapping, e.g.
// all_of(tx.exec_params(...), booking_from_row<Row>).
template <class T>
std::vector<T> all_of(const pqxx::result& result, T (*read)(const Row&)) {
  std::vector<T> out;
  out.reserve(result.size());
  for (const auto& r : result) out.push_back(read(Row(r)));
  return out;
}

// The first row of a result through a reader of the shared mapping, or
// nothing (a read by primary key).
template <class T>
std::optional<T> first_of(const pqxx::result& result, T (*read)(const Row&)) {
  if (result.empty()) return std::nullopt;
  return read(Row(result[0]));
}

// A list of integers as one array parameter, used as `= ANY($n::bigint[])`
// or in `unnest($n::bigint[])`: libpqxx 6 binds no container, and one
// statement text then serves every list size.
template <class Int>
std::string bigint_array(const std::vector<Int>& values) {
  std::string out = "{";
  for (Int v : values) out += (out.size() > 1 ? "," : "") + std::to_string(v);
  return out + "}";
}

// A LIMIT parameter: SQLite takes a size_t beyond int64 (a negative LIMIT)
// as no limit; PostgreSQL refuses a negative LIMIT and takes NULL as none.
inline std::optional<std::int64_t> limit_param(size_t limit) {
  if (limit > static_cast<size_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
  return static_cast<std::int64_t>(limit);
}

}  // namespace rdv::postgres
