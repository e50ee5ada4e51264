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
  std::string out(text ? text : "");
  std::free(text);
  return out;
}

}  // namespace rdv
