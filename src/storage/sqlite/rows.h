// The SQLite store's side of the shared row mapping (storage/row_mapping.h):
// a Statement reads columns by name; what remains here is how SQLite binds.
#pragma once

#include <string>

#include "storage/row_mapping.h"
#include "storage/sqlite/connection.h"

namespace rdv::sqlite {

using namespace rdv::rows;  // the shared encodings and row readers

// "?,?,?" for n values.
std::string marks(size_t n);

// Binds ?1 organisation_id ... ?17 reminders, in the order of kServiceWrite.
void bind_service(Statement& st, const Service& s, const std::string& search_text);
inline constexpr const char* kServiceWrite =
    "organisation_id = ?1, name = ?2, description = ?3, keywords = ?4, documents_to_bring = ?5, "
    "duration_minutes = ?6, slot_step_minutes = ?7, modes = ?8, min_notice_minutes = ?9, "
    "horizon_days = ?10, buffer_before_minutes = ?11, buffer_after_minutes = ?12, capacity = ?13, "
    "cancel_until_minutes = ?14, bookable_by = ?15, search_text = ?16, reminders = ?17";

}  // namespace rdv::sqlite
