// The things rendezvous knows about (SPEC section 2), as plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/events.h"
#include "domain/time.h"

namespace rdv {

using Id = std::int64_t;

enum class Mode : std::uint8_t { kInPerson = 1, kVideo = 2, kPhone = 4 };
std::string_view mode_name(Mode m);
std::optional<Mode> parse_mode(std::string_view name);
inline constexpr Mode kAllModes[] = {Mode::kInPerson, Mode::kVideo, Mode::kPhone};

// A set of modes, stored as bits.
class ModeSet {
 public:
  ModeSet() = default;
  void add(Mode m) { bits_ |= static_cast<std::uint8_t>(m); }
  bool has(Mode m) const { return bits_ & static_cast<std::uint8_t>(m); }
  bool empty() const { return bits_ == 0; }
  ModeSet operator&(ModeSet o) const { return ModeSet(bits_ & o.bits_); }
  std::vector<Mode> list() const;
  std::string to_csv() const;  // "in_person,video"
  static std::optional<ModeSet> from_csv(std::string_view csv);
  bool operator==(const ModeSet&) const = default;

 private:
  explicit ModeSet(int bits) : bits_(static_cast<std::uint8_t>(bits)) {}
  std::uint8_t bits_ = 0;
};

enum class VideoProvider { kNone, kJitsi, kBbb, kTemplate };
std::string_view provider_name(VideoProvider p);  // none, jitsi, bbb, template
std::optional<VideoProvider> parse_provider(std::string_view name);

// How an organisation's video visits are held.
struct VideoSettings {
  VideoProvider provider = VideoProvider::kNone;
  std::string url;               // Jitsi base URL, BBB API URL, or the template
  std::string app_id;            // Jitsi: iss and aud of the JWT
  std::string secret;            // Jitsi app secret, BBB shared secret
  int open_minutes_before = 15;  // the link opens this long before the start
};

struct Organisation {
  Id id = 0;
  std::string name;
  std::string kind;  // commune, epci, france_services, msap, association, department
  std::string timezone = "Europe/Paris";
  VideoSettings video;
  std::optional<Id> territory_id;       // the territory that groups it with others, if any
  bool colleagues_see_agendas = false;  // agents see each other's agendas, read-only
  bool archived = false;                // closed: its services are archived, it is no longer listed
};

struct Place {
  Id id = 0;
  Id organisation_id = 0;
  std::string name, address, postcode, city, accessibility, opening_hours;
  std::optional<double> latitude, longitude;
  std::string timezone;
};

// Where a place is, on one line: "France Services Cenon, 12 rue X, 33150 Cenon".
std::string place_line(const Place& p);

// The longest a service may last, and keep free before or after each visit
// (the API refuses more): a new booking reads its agent's agenda that far
// around the slot before it knows the service (Bookings::book).
inline constexpr int kMaxServiceMinutes = 720;
inline constexpr int kMaxBufferMinutes = 240;

struct Service {
  Id id = 0;
  Id organisation_id = 0;
  std::string name, description;
  std::vector<std::string> keywords;
  std::vector<std::string> documents_to_bring;
  int duration_minutes = 30;
  int slot_step_minutes = 0;  // 0: the duration
  ModeSet modes;
  int min_notice_minutes = 30;
  int horizon_days = 90;
  int buffer_before_minutes = 0;
  int buffer_after_minutes = 0;
  int capacity = 1;
  int cancel_until_minutes = 240;
  std::vector<std::string> bookable_by{"public", "desk", "agent"};
  std::vector<int> reminders{2880, 120};  // minutes before the visit
  bool archived = false;                  // kept for its bookings; not found nor bookable

  bool bookable_by_has(std::string_view who) const;
};

struct Agent {
  Id id = 0;
  std::string name, email, phone;
  std::string ics_secret;
  std::vector<Id> organisation_ids;
};

// A local period in a zone, optionally repeated by an RRULE with EXDATEs
// (start times of the occurrences to skip, in the same local time).
struct RepeatingPeriod {
  LocalDateTime start;
  LocalDateTime end;
  Zone zone = nullptr;
  std::string rrule;
  std::vector<LocalDateTime> exdates;
};

struct Opening {
  Id id = 0;
  Id agent_id = 0;
  Id place_id = 0;
  std::vector<Id> service_ids;
  ModeSet modes;
  RepeatingPeriod period;
};

struct Absence {
  Id id = 0;
  Id agent_id = 0;
  RepeatingPeriod period;
  std::string reason;
};

enum class BookingStatus { kConfirmed, kCancelled, kNoShow, kDone };
std::string_view status_name(BookingStatus s);
std::optional<BookingStatus> parse_status(std::string_view name);
// Every status but cancelled keeps the booking's time taken (done and no-show too).
inline bool holds_time(BookingStatus s) { return s != BookingStatus::kCancelled; }

// Who made a booking: the resident online, a desk on their behalf, or staff.
enum class BookedBy { kResident, kDesk, kAgent };
std::string_view booked_by_name(BookedBy b);
std::optional<BookedBy> parse_booked_by(std::string_view name);

struct Resident {
  std::string first_name, last_name, email, phone;
};

// What the slot search needs of a booking that holds time: when, whose, for
// which service (group seats are counted per start). Residents' data stays out.
struct HeldTime {
  Id booking_id = 0;
  Id agent_id = 0;
  Id service_id = 0;
  Instant start;
  TimeRange blocked;  // buffers included
  bool operator==(const HeldTime&) const = default;
};

struct Booking {
  Id id = 0;
  Id service_id = 0;
  Id agent_id = 0;
  Id place_id = 0;
  Mode mode = Mode::kInPerson;
  Instant start, end;
  // Time kept free around the visit; the agent is busy over [start - before, end + after].
  Minutes buffer_before{0}, buffer_after{0};
  int capacity = 1;  // of the service when booked: > 1 means a group session
  BookingStatus status = BookingStatus::kConfirmed;
  BookedBy booked_by = BookedBy::kResident;
  std::optional<Id> booked_by_account_id;  // the staff member who booked it, if any
  Resident resident;
  std::string mandate_json;  // what the desk recorded when booking on behalf
  std::string notes;
  std::string cancel_reason;
  Instant created_at;
  Instant updated_at;
  int sequence = 0;     // grows with every change (iCalendar SEQUENCE)
  std::string summary;  // written by the agent after the visit
  bool survey_answered = false;
  bool reminders_opt_out = false;

  TimeRange blocked() const { return {start - buffer_before, end + buffer_after}; }
  HeldTime held() const { return {id, agent_id, service_id, start, blocked()}; }
};

// What an agent's own calendar is read for. kBusy: its events block slots;
// kAvailability: events titled as openings become openings.
enum class CalendarPurpose { kBusy, kAvailability };
std::string_view purpose_name(CalendarPurpose p);  // busy, availability
std::optional<CalendarPurpose> parse_purpose(std::string_view name);

// An agent's own calendar, read from its iCal URL.
struct ExternalCalendar {
  Id id = 0;
  Id agent_id = 0;
  std::string url;
  CalendarPurpose purpose = CalendarPurpose::kBusy;
  std::string etag, last_modified;  // of the last good fetch, for conditional requests
  std::string content;              // the last good text
  std::optional<Instant> last_success_at, last_attempt_at;
  std::string last_error;
  std::vector<std::string> warnings;  // of the last good parse
  Instant next_fetch_at;
  Instant created_at;
};

enum class JobKind { kEmail, kSms, kWebhook };
std::string_view job_kind_name(JobKind k);
std::optional<JobKind> parse_job_kind(std::string_view name);

// pending -> running (claimed, under a lease) -> done, skipped (obsolete),
// failed (attempts exhausted), or pending again for a retry.
enum class JobStatus { kPending, kRunning, kDone, kSkipped, kFailed };
std::string_view job_status_name(JobStatus s);
std::optional<JobStatus> parse_job_status(std::string_view name);

// A message or webhook to send, from the outbox.
struct Job {
  Id id = 0;
  JobKind kind = JobKind::kEmail;
  std::string idempotency_key;  // one per message: enqueued once, sent once
  std::string payload;          // JSON
  std::optional<Id> organisation_id;
  Instant run_at;
  int attempts = 0;
  int max_attempts = 10;
  JobStatus status = JobStatus::kPending;
  std::string last_error;
  Instant created_at;
};

struct Webhook {
  Id id = 0;
  Id organisation_id = 0;
  std::string url;
  std::string secret;
  std::vector<WebhookEvent> events;
};

// A file a resident uploaded for the agent of their booking.
struct Document {
  Id id = 0;
  Id booking_id = 0;
  std::string filename, content_type;
  std::int64_t size = 0;
  std::string stored_name;
  Instant created_at;
};

struct SurveyAnswer {
  int rating = 0;  // 1 to 5
  bool solved = false;
  std::string comment;
};

// Satisfaction per service, with nobody's identity in it.
struct SurveyStats {
  Id service_id = 0;
  int answers = 0;
  double average_rating = 0;
  int solved = 0;
};

}  // namespace rdv
