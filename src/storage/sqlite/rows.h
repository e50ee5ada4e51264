// How the SQLite store encodes the model in columns, shared by its parts:
// lists as JSON or comma-separated text, instants as epoch seconds, the
// columns each entity is read from and the functions that read them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/model.h"
#include "storage/sqlite/connection.h"

namespace rdv::sqlite {

std::string strings_to_json(const std::vector<std::string>& v);
std::vector<std::string> strings_from_json(const std::string& text);
std::string csv(const std::vector<std::string>& v);
std::vector<std::string> from_csv(const std::string& s);
std::string webhook_events_csv(const std::vector<WebhookEvent>& events);
// Names this version no longer knows are dropped rather than guessed.
std::vector<WebhookEvent> webhook_events_from_csv(const std::string& s);
std::string exdates_json(const std::vector<LocalDateTime>& v);
std::optional<std::int64_t> epoch_or_null(const std::optional<Instant>& t);
// "?,?,?" for n values.
std::string marks(size_t n);

// columns: start_local, end_local, timezone, rrule, exdates from `col` on.
RepeatingPeriod period_from_row(const Statement& st, int col);

extern const char* const kServiceColumns;
Service service_from_row(const Statement& st);
// The folded text the keyword search looks in (name, description, keywords,
// organisation), with a space at both ends so that words match whole.
std::string service_search_text(const Service& s, const std::string& organisation_name);
// Binds ?1 organisation_id ... ?17 reminders, in the order of kServiceWrite.
void bind_service(Statement& st, const Service& s, const std::string& search_text);
inline constexpr const char* kServiceWrite =
    "organisation_id = ?1, name = ?2, description = ?3, keywords = ?4, documents_to_bring = ?5, "
    "duration_minutes = ?6, slot_step_minutes = ?7, modes = ?8, min_notice_minutes = ?9, "
    "horizon_days = ?10, buffer_before_minutes = ?11, buffer_after_minutes = ?12, capacity = ?13, "
    "cancel_until_minutes = ?14, bookable_by = ?15, search_text = ?16, reminders = ?17";
extern const char* const kOrganisationColumns;
Organisation organisation_from_row(const Statement& st);
extern const char* const kPlaceColumns;
Place place_from_row(const Statement& st);
extern const char* const kBookingColumns;
Booking booking_from_row(const Statement& st);
extern const char* const kOpeningColumns;  // of "openings o"
// service_ids are read apart.
Opening opening_from_row(const Statement& st);
extern const char* const kCalendarColumns;
ExternalCalendar calendar_from_row(const Statement& st);
extern const char* const kDocumentColumns;  // of "documents d"
Document document_from_row(const Statement& st);
extern const char* const kJobColumns;
Job job_from_row(const Statement& st);

}  // namespace rdv::sqlite
