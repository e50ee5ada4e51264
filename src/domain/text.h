// Text normalisation for keyword search: residents type "numerique" or "CAF"
// and must find "Aide numérique" or "Permanence Caf".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rdv {

// Lower case, accents removed (é -> e, ç -> c, œ -> oe), every run of characters
// that is not a letter or digit turned into one space, trimmed.
std::string fold_for_search(std::string_view utf8);

// Text safe inside HTML elements and attribute values.
std::string escape_html(std::string_view text);

// The words of a folded text.
std::vector<std::string> search_terms(std::string_view utf8);

}  // namespace rdv
