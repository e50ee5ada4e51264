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
// ASCII letters in lower case, other bytes as they are (host names, schemes,
// mailboxes as accounts compare them).
std::string lower_ascii(std::string_view s);

// Bytes from other software as UTF-8 text: valid UTF-8 sequences kept as
// they are, every other byte read as Windows-1252 (the superset of Latin-1
// that older calendar software writes, whatever charset it declares), NUL
// bytes dropped. Both stores then keep the same text (PostgreSQL refuses
// invalid UTF-8 and NUL in text).
std::string utf8_from_legacy(std::string_view bytes);

// Text safe inside HTML elements and attribute values.
std::string escape_html(std::string_view text);

// Text typed by people, checked where it enters, since it reaches email
// headers, SMS, iCalendar and HTML: valid UTF-8 (no overlong forms, no
// surrogates) and no control characters (C0, DEL, C1, U+2028, U+2029).
// Multi-line text may hold line feeds, CR LF pairs and tabs.
// Throws ClientError kInvalidInput naming `field`.
enum class TextKind { kSingleLine, kMultiLine };
void check_text(std::string_view text, TextKind kind, const std::string& field);

// The words of a folded text.
std::vector<std::string> search_terms(std::string_view utf8);

}  // namespace rdv
