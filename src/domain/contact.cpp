#include "domain/contact.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>

#include "domain/error.h"
#include "domain/text.h"

namespace rdv {
namespace {

// RFC 5322 atext: what a dot-atom may hold besides dots.
bool is_atext(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
                                std::string_view::npos;
}

bool valid_local_part(std::string_view local) {
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.')
    return false;
  for (size_t i = 0; i < local.size(); ++i) {
    auto c = static_cast<unsigned char>(local[i]);
    if (c == '.' ? local[i - 1] == '.' : !is_atext(c)) return false;
  }
  return true;
}

// Labels of letters, digits and hyphens (UTF-8 letters allowed for IDN), not
// starting or ending with a hyphen; at least two labels.
bool valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  size_t labels = 0;
  size_t start = 0;
  while (start <= domain.size()) {
    size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (unsigned char c : label)
      if (!(std::isalnum(c) || c == '-' || c >= 0x80)) return false;
    ++labels;
    start = end + 1;
  }
  return labels >= 2;
}

}  // namespace

std::string checked_mailbox(std::string_view text, const std::string& field) {
  check_text(text, TextKind::kSingleLine, field);
  auto at = text.find('@');
  if (at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos ||
      text.size() > 254 || !valid_local_part(text.substr(0, at)) ||
      !valid_domain(text.substr(at + 1)))
    invalid_field(field, "must be an email address such as prenom.nom@example.fr");
  std::string out(text);
  for (size_t i = at + 1; i < out.size(); ++i)
    out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
  return out;
}

namespace {
const std::pair<std::string_view, const char*> kOverseas[] = {
    {"Indian/Reunion", "RE"},        {"America/Guadeloupe", "GP"}, {"America/Martinique", "MQ"},
    {"America/Cayenne", "GF"},       {"Indian/Mayotte", "YT"},     {"America/Miquelon", "PM"},
    {"America/St_Barthelemy", "BL"}, {"America/Marigot", "MF"}};
}  // namespace

std::string phone_region_of_zone(std::string_view zone_name) {
  for (const auto& [zone, region] : kOverseas)
    if (zone == zone_name) return region;
  return "FR";
}

std::string checked_phone(std::string_view text, const std::string& region,
                          const std::string& field) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  check_text(text, TextKind::kSingleLine, field);
  const char* example = "must be a phone number such as 06 12 34 56 78 or +33612345678";
  // Only what people write in a number: digits, spaces, dots, dashes, brackets, a leading +.
  if (text.empty() || text.size() > 30 || !std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) ||
               std::string_view(" .-()+").find(c) != std::string_view::npos;
      }))
    invalid_field(field, example);
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse(std::string(text), region, &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
      !util.IsValidNumber(number))
    invalid_field(field, example);
  switch (util.GetNumberType(number)) {
    case PhoneNumberUtil::PREMIUM_RATE:
    case PhoneNumberUtil::SHARED_COST:
      invalid_field(field, "must not be a premium-rate or shared-cost number");
    default:
      break;
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

std::string checked_french_phone(std::string_view text, const std::string& field) {
  for (const auto& entry : kOverseas) {
    try {
      return checked_phone(text, entry.second, field);
    } catch (const ClientError&) {
    }
  }
  return checked_phone(text, "FR", field);  // metropolitan last: its error is the one shown
}

}  // namespace rdv
