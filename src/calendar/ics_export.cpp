#include "calendar/ics_export.h"

#include <cstdlib>
#include <memory>

#include "calendar/ical_runtime.h"

namespace rdv {
namespace {

icaltimetype ical_time(Instant t) {
  return icaltime_from_timet_with_zone(static_cast<time_t>(to_epoch(t)), 0, ical_utc());
}

icalproperty* x_property(const char* name, std::string_view value) {
  icalproperty* p = icalproperty_new_x(std::string(value).c_str());
  icalproperty_set_x_name(p, name);
  return p;
}

// Removes the folds (CRLF then a space or a tab) of iCalendar text.
std::string unfold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "\r\n ") == 0 || text.compare(i, 3, "\r\n\t") == 0)
      i += 2;
    else
      out += text[i];
  }
  return out;
}

bool continues_utf8(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Appends one content line and its CRLF, folded (RFC 5545, 3.1): at most 75
// octets a line, a space first on each continuation, no UTF-8 sequence cut.
void append_folded(std::string& out, std::string_view line) {
  size_t room = 75;
  while (line.size() > room) {
    size_t cut = room;
    while (cut > 0 && continues_utf8(line[cut])) --cut;
    if (cut == 0) cut = room;  // not UTF-8: any cut will do
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    room = 74;  // after the space
  }
  out.append(line);
  out += "\r\n";
}

// libical folds at 75 octets counting the CR of the line end, so a line whose
// last part is 74 octets comes out as "...\r", "\r\n ", "\n". Its folds are
// undone and every content line folded again, before its CRLF is added.
std::string refold(std::string_view text) {
  std::string lines = unfold(text), out;
  std::string_view rest = lines;
  while (!rest.empty()) {
    size_t end = rest.find("\r\n");
    append_folded(out, rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
  }
  return out;
}

}  // namespace

std::string write_ics(const std::vector<IcsEvent>& events, std::string_view method,
                      std::string_view name) {
  ical_utc();
  std::unique_ptr<icalcomponent, decltype(&icalcomponent_free)> cal(icalcomponent_new_vcalendar(),
                                                                    &icalcomponent_free);
  icalcomponent_add_property(cal.get(), icalproperty_new_version("2.0"));
  icalcomponent_add_property(cal.get(), icalproperty_new_prodid("-//rendezvous//rendez-vous//FR"));
  icalcomponent_add_property(cal.get(), icalproperty_new_calscale("GREGORIAN"));
  if (!method.empty())
    icalcomponent_add_property(
        cal.get(), icalproperty_new_method(icalenum_string_to_method(std::string(method).c_str())));
  if (!name.empty()) icalcomponent_add_property(cal.get(), x_property("X-WR-CALNAME", name));

  for (const IcsEvent& e : events) {
    icalcomponent* ev = icalcomponent_new_vevent();
    icalcomponent_add_property(ev, icalproperty_new_uid(e.uid.c_str()));
    icalcomponent_add_property(ev, icalproperty_new_sequence(e.sequence));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(ical_time(e.stamp)));
    icalcomponent_add_property(ev, icalproperty_new_dtstart(ical_time(e.range.start)));
    icalcomponent_add_property(ev, icalproperty_new_dtend(ical_time(e.range.end)));
    icalcomponent_add_property(ev, icalproperty_new_summary(e.summary.c_str()));
    if (!e.description.empty())
      icalcomponent_add_property(ev, icalproperty_new_description(e.description.c_str()));
    if (!e.location.empty())
      icalcomponent_add_property(ev, icalproperty_new_location(e.location.c_str()));
    if (!e.url.empty()) icalcomponent_add_property(ev, icalproperty_new_url(e.url.c_str()));
    icalcomponent_add_property(
        ev, icalproperty_new_status(e.cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
    icalcomponent_add_property(
        ev, icalproperty_new_transp(e.transparent ? ICAL_TRANSP_TRANSPARENT : ICAL_TRANSP_OPAQUE));
    if (!e.organizer_email.empty()) {
      icalproperty* p = icalproperty_new_organizer(("mailto:" + e.organizer_email).c_str());
      if (!e.organizer_name.empty())
        icalproperty_add_parameter(p, icalparameter_new_cn(e.organizer_name.c_str()));
      icalcomponent_add_property(ev, p);
    }
    if (!e.attendee_email.empty()) {
      icalproperty* p = icalproperty_new_attendee(("mailto:" + e.attendee_email).c_str());
      if (!e.attendee_name.empty())
        icalproperty_add_parameter(p, icalparameter_new_cn(e.attendee_name.c_str()));
      icalproperty_add_parameter(p, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
      icalproperty_add_parameter(p,
                                 icalparameter_new_partstat(e.cancelled ? ICAL_PARTSTAT_DECLINED
                                                                        : ICAL_PARTSTAT_ACCEPTED));
      icalcomponent_add_property(ev, p);
    }
    icalcomponent_add_component(cal.get(), ev);
  }
  char* text = icalcomponent_as_ical_string_r(cal.get());
  std::string out = refold(text ? text : "");
  std::free(text);
  return out;
}

}  // namespace rdv
