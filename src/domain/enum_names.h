// One table of wire names per enum, so that each enum has exactly one way to
// be named and parsed (in the API, the database and job payloads).
#pragma once

#include <optional>
#include <string_view>

namespace rdv {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

template <typename E, size_t N>
constexpr std::string_view name_in(const EnumName<E> (&table)[N], E value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name;
  return table[0].name;  // unreachable for a complete table
}

template <typename E, size_t N>
constexpr std::optional<E> parse_in(const EnumName<E> (&table)[N], std::string_view name) {
  for (const auto& entry : table)
    if (entry.name == name) return entry.value;
  return std::nullopt;
}

}  // namespace rdv
