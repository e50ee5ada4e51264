#include "domain/model.h"

#include <algorithm>

#include "domain/enum_names.h"

namespace rdv {

namespace {

constexpr EnumName<Mode> kModeNames[] = {
    {Mode::kInPerson, "in_person"}, {Mode::kVideo, "video"}, {Mode::kPhone, "phone"}};
constexpr EnumName<BookingStatus> kStatusNames[] = {{BookingStatus::kConfirmed, "confirmed"},
                                                    {BookingStatus::kCancelled, "cancelled"},
                                                    {BookingStatus::kNoShow, "noshow"},
                                                    {BookingStatus::kDone, "done"}};
constexpr EnumName<BookedBy> kBookedByNames[] = {
    {BookedBy::kResident, "resident"}, {BookedBy::kDesk, "desk"}, {BookedBy::kAgent, "agent"}};
constexpr EnumName<VideoProvider> kProviderNames[] = {{VideoProvider::kNone, "none"},
                                                      {VideoProvider::kJitsi, "jitsi"},
                                                      {VideoProvider::kBbb, "bbb"},
                                                      {VideoProvider::kTemplate, "template"}};
constexpr EnumName<CalendarPurpose> kPurposeNames[] = {
    {CalendarPurpose::kBusy, "busy"}, {CalendarPurpose::kAvailability, "availability"}};
constexpr EnumName<JobKind> kJobKindNames[] = {
    {JobKind::kEmail, "email"}, {JobKind::kSms, "sms"}, {JobKind::kWebhook, "webhook"}};
constexpr EnumName<JobStatus> kJobStatusNames[] = {{JobStatus::kPending, "pending"},
                                                   {JobStatus::kRunning, "running"},
                                                   {JobStatus::kDone, "done"},
                                                   {JobStatus::kSkipped, "skipped"},
                                                   {JobStatus::kFailed, "failed"}};

}  // namespace

std::string_view mode_name(Mode m) { return name_in(kModeNames, m); }
std::optional<Mode> parse_mode(std::string_view name) { return parse_in(kModeNames, name); }
std::string_view status_name(BookingStatus s) { return name_in(kStatusNames, s); }
std::optional<BookingStatus> parse_status(std::string_view name) {
  return parse_in(kStatusNames, name);
}
std::string_view booked_by_name(BookedBy b) { return name_in(kBookedByNames, b); }
std::optional<BookedBy> parse_booked_by(std::string_view name) {
  return parse_in(kBookedByNames, name);
}
std::string_view purpose_name(CalendarPurpose p) { return name_in(kPurposeNames, p); }
std::optional<CalendarPurpose> parse_purpose(std::string_view name) {
  return parse_in(kPurposeNames, name);
}
std::string place_line(const Place& p) {
  std::string out = p.name;
  if (!p.address.empty()) out += ", " + p.address;
  if (!p.postcode.empty() || !p.city.empty())
    out += ", " + p.postcode + (p.postcode.empty() ? "" : " ") + p.city;
  return out;
}

std::string_view provider_name(VideoProvider p) { return name_in(kProviderNames, p); }
std::optional<VideoProvider> parse_provider(std::string_view name) {
  return parse_in(kProviderNames, name);
}
std::string_view job_kind_name(JobKind k) { return name_in(kJobKindNames, k); }
std::optional<JobKind> parse_job_kind(std::string_view name) {
  return parse_in(kJobKindNames, name);
}
std::string_view job_status_name(JobStatus s) { return name_in(kJobStatusNames, s); }
std::optional<JobStatus> parse_job_status(std::string_view name) {
  return parse_in(kJobStatusNames, name);
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

}  // namespace rdv
