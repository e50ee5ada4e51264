#include "booking/mandate.h"

#include <nlohmann/json.hpp>

#include "domain/enum_names.h"

namespace rdv {
namespace {

constexpr EnumName<IdentityCheck> kIdentityCheckNames[] = {
    {IdentityCheck::kIdentityCard, "identity_card"},
    {IdentityCheck::kPassport, "passport"},
    {IdentityCheck::kResidencePermit, "residence_permit"},
    {IdentityCheck::kDrivingLicence, "driving_licence"},
    {IdentityCheck::kOtherDocument, "other_document"},
    {IdentityCheck::kKnownPerson, "known_person"}};

}  // namespace

std::string_view identity_check_name(IdentityCheck c) { return name_in(kIdentityCheckNames, c); }
std::optional<IdentityCheck> parse_identity_check(std::string_view name) {
  return parse_in(kIdentityCheckNames, name);
}

bool Mandate::active(const std::string& today) const {
  return !withdrawn_at && (!valid_until || today <= *valid_until);
}

std::string Mandate::to_json() const {
  nlohmann::json j = {{"consent", true}, {"kind", kind}, {"procedures", procedures}};
  if (!reference.empty()) j["reference"] = reference;
  if (identity_check) j["identity_check"] = identity_check_name(*identity_check);
  if (valid_until) j["valid_until"] = *valid_until;
  if (withdrawn_at) j["withdrawn_at"] = to_epoch(*withdrawn_at);
  return j.dump();
}

std::optional<Mandate> Mandate::from_json(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  Mandate m;
  m.kind = j.value("kind", "");
  m.reference = j.value("reference", "");
  if (j.contains("procedures") && j["procedures"].is_array())
    for (const auto& p : j["procedures"])
      if (p.is_string()) m.procedures.push_back(p.get<std::string>());
  if (j.contains("identity_check") && j["identity_check"].is_string())
    m.identity_check = parse_identity_check(j["identity_check"].get<std::string>());
  if (j.contains("valid_until") && j["valid_until"].is_string())
    m.valid_until = j["valid_until"].get<std::string>();
  if (j.contains("withdrawn_at") && j["withdrawn_at"].is_number_integer())
    m.withdrawn_at = from_epoch(j["withdrawn_at"].get<std::int64_t>());
  return m;
}

}  // namespace rdv
