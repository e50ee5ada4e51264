#include "domain/model.h"

#include <algorithm>

namespace rdv {

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::kInPerson:
      return "in_person";
    case Mode::kVideo:
      return "video";
    case Mode::kPhone:
      return "phone";
  }
  return "in_person";
}

std::optional<Mode> parse_mode(std::string_view name) {
  for (Mode m : kAllModes)
    if (mode_name(m) == name) return m;
  return std::nullopt;
}

std::vector<Mode> ModeSet::list() const {
  std::vector<Mode> out;
  for (Mode m : kAllModes)
    if (has(m)) out.push_back(m);
  return out;
}

std::string ModeSet::to_csv() const {
  std::string out;
  for (Mode m : list()) {
    if (!out.empty()) out += ',';
    out += mode_name(m);
  }
  return out;
}

std::optional<ModeSet> ModeSet::from_csv(std::string_view csv) {
  ModeSet set;
  while (!csv.empty()) {
    auto comma = csv.find(',');
    auto item = csv.substr(0, comma);
    auto mode = parse_mode(item);
    if (!mode) return std::nullopt;
    set.add(*mode);
    if (comma == std::string_view::npos) break;
    csv.remove_prefix(comma + 1);
  }
  return set;
}

bool Service::bookable_by_has(std::string_view who) const {
  return std::find(bookable_by.begin(), bookable_by.end(), who) != bookable_by.end();
}

std::string_view status_name(BookingStatus s) {
  switch (s) {
    case BookingStatus::kConfirmed:
      return "confirmed";
    case BookingStatus::kCancelled:
      return "cancelled";
    case BookingStatus::kNoShow:
      return "noshow";
    case BookingStatus::kDone:
      return "done";
  }
  return "confirmed";
}

std::optional<BookingStatus> parse_status(std::string_view name) {
  for (auto s : {BookingStatus::kConfirmed, BookingStatus::kCancelled, BookingStatus::kNoShow,
                 BookingStatus::kDone})
    if (status_name(s) == name) return s;
  return std::nullopt;
}

std::string_view role_name(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kOrgAdmin:
      return "org_admin";
    case Role::kAgent:
      return "agent";
    case Role::kDesk:
      return "desk";
  }
  return "admin";
}

std::optional<Role> parse_role(std::string_view name) {
  for (auto r : {Role::kAdmin, Role::kOrgAdmin, Role::kAgent, Role::kDesk})
    if (role_name(r) == name) return r;
  return std::nullopt;
}

}  // namespace rdv
