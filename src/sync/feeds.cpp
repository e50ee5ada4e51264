#include "sync/feeds.h"

#include <map>

#include "calendar/recurrence.h"
#include "net/url.h"

namespace rdv {
namespace {

constexpr auto kOpeningsAhead = std::chrono::days{90};

std::string mode_text(Mode m) {
  switch (m) {
    case Mode::kInPerson:
      return "sur place";
    case Mode::kPhone:
      return "par téléphone";
    case Mode::kVideo:
      return "en visio";
  }
  return "";
}

std::string documents_text(const Service& s) {
  if (s.documents_to_bring.empty()) return "";
  std::string out = "Pièces à apporter :\n";
  for (const auto& d : s.documents_to_bring) out += "- " + d + "\n";
  return out;
}

IcsEvent booking_event(const Booking& b, const std::optional<Service>& service,
                       const std::optional<Place>& place, const std::string& public_url,
                       const std::string& video_url) {
  std::string resident = b.resident.first_name + " " + b.resident.last_name;
  IcsEvent e;
  e.uid = booking_uid(b.id, public_url);
  e.sequence = b.sequence;
  e.stamp = b.updated_at;
  e.range = {b.start, b.end};
  e.summary = (service ? service->name : std::string("Rendez-vous")) + " — " + resident;
  e.description = "Usager : " + resident + "\n";
  if (!b.resident.phone.empty()) e.description += "Téléphone : " + b.resident.phone + "\n";
  if (!b.resident.email.empty()) e.description += "Courriel : " + b.resident.email + "\n";
  e.description += "Mode : " + mode_text(b.mode) + "\n";
  if (b.booked_by == BookedBy::kDesk)
    e.description += "Pris par un guichet pour l'usager (mandat enregistré)\n";
  if (!b.notes.empty()) e.description += "Notes : " + b.notes + "\n";
  if (service) e.description += documents_text(*service);
  // The booking's page in the agent's space (signing in opens it; no secret).
  e.url = public_url + "/espace/rendez-vous/" + std::to_string(b.id);
  e.description += "Le rendez-vous dans mon espace : " + e.url + "\n";
  if (b.mode == Mode::kPhone)
    e.location = "Appel au " + b.resident.phone;
  else if (b.mode == Mode::kVideo)
    e.location = "Visio : " + video_url;
  else if (place)
    e.location = place_line(*place);
  e.cancelled = b.status == BookingStatus::kCancelled;
  return e;
}

}  // namespace

std::string booking_uid(Id booking_id, const std::string& public_url) {
  return "booking-" + std::to_string(booking_id) + "@" + host_of_url(public_url);
}

IcsEvent agent_booking_event(StoreReader& r, const Booking& b, const std::string& public_url,
                             const std::string& video_url) {
  return booking_event(b, r.service(b.service_id), r.place(b.place_id), public_url, video_url);
}

std::string agent_feed(StoreReader& r, const Agent& agent, Instant now,
                       const std::string& public_url, const LinkSigner& links) {
  std::vector<IcsEvent> events;
  // A feed holds thousands of bookings of a few services and places.
  std::map<Id, std::optional<Service>> services;
  std::map<Id, std::optional<Place>> places;
  for (const Booking& b :
       r.bookings().of_agent(agent.id, {now - kFeedPast, now + kFeedFuture}, true)) {
    bool recently_cancelled =
        b.status == BookingStatus::kCancelled && b.updated_at >= now - kFeedPast;
    if (!holds_time(b.status) && !recently_cancelled) continue;
    auto service = services.find(b.service_id);
    if (service == services.end())
      service = services.emplace(b.service_id, r.service(b.service_id)).first;
    auto place = places.find(b.place_id);
    if (place == places.end()) place = places.emplace(b.place_id, r.place(b.place_id)).first;
    std::string video_url = b.mode == Mode::kVideo
                                ? public_url + "/visio/" + links.visio_token(b.id, true)
                                : std::string();
    events.push_back(booking_event(b, service->second, place->second, public_url, video_url));
  }
  std::string host = host_of_url(public_url);
  for (const Opening& o : r.agenda().agent_openings(agent.id, {now, now + kOpeningsAhead})) {
    std::string services;
    for (Id id : o.service_ids)
      if (auto s = r.service(id)) services += (services.empty() ? "" : ", ") + s->name;
    auto place = r.place(o.place_id);
    for (TimeRange t : occurrences(o.period, {now, now + kOpeningsAhead})) {
      IcsEvent e;
      e.uid =
          "opening-" + std::to_string(o.id) + "-" + std::to_string(to_epoch(t.start)) + "@" + host;
      e.stamp = now;
      e.range = t;
      e.summary = "Permanence : " + services;
      if (place) e.location = place_line(*place);
      e.transparent = true;
      events.push_back(std::move(e));
    }
  }
  return write_ics(events, "", "Rendez-vous — " + agent.name);
}

std::string booking_ics(StoreReader& r, const Booking& b, const std::string& public_url,
                        const std::string& manage_url, const std::string& video_url) {
  auto service = r.service(b.service_id);
  auto place = r.place(b.place_id);
  auto org = service ? r.organisation(service->organisation_id) : std::nullopt;
  IcsEvent e;
  e.uid = booking_uid(b.id, public_url);
  e.sequence = b.sequence;
  e.stamp = b.updated_at;
  e.range = {b.start, b.end};
  e.summary = "Rendez-vous : " + (service ? service->name : std::string("service public"));
  if (org) e.summary += " (" + org->name + ")";
  e.description = "Rendez-vous " + mode_text(b.mode) + ".\n";
  if (b.mode == Mode::kPhone)
    e.description += "Un agent vous appellera au " + b.resident.phone + ".\n";
  if (b.mode == Mode::kVideo) {
    e.location = "Visio : " + video_url;
    e.description += "Lien de la visio : " + video_url + "\n";
  }
  if (place && b.mode == Mode::kInPerson) {
    e.location = place_line(*place);
    if (!place->accessibility.empty())
      e.description += "Accessibilité : " + place->accessibility + "\n";
  }
  if (service) e.description += documents_text(*service);
  e.description += "Pour annuler ou déplacer ce rendez-vous : " + manage_url + "\n";
  e.url = manage_url;
  e.cancelled = b.status == BookingStatus::kCancelled;
  return write_ics({e}, "PUBLISH", "");
}

}  // namespace rdv
