// The words of every message, in French, for residents and agents.
#pragma once

#include <optional>
#include <string>

#include "domain/events.h"
#include "domain/french_dates.h"
#include "domain/model.h"

namespace rdv {

struct MessageContext {
  const Booking& booking;
  const Service& service;
  const Organisation& organisation;
  const std::optional<Place>& place;
  const Agent& agent;
  Zone zone;  // of the place
  std::string manage_url, stop_reminders_url, survey_url, rebook_url;
  std::string video_url;             // the reader's own link, for video visits
  std::string my_bookings_url = "";  // "Mes rendez-vous", in the confirmation when set
};

struct RenderedEmail {
  std::string subject, text, html;
};

// Every event but kOpeningLost (std::invalid_argument otherwise).
RenderedEmail resident_email(MessageEvent event, const MessageContext& c);
// kConfirmation, kCancellation, kReschedule, kOpeningLost.
RenderedEmail agent_email(MessageEvent event, const MessageContext& c);
// kConfirmation, kReminder, kCancellation, kReschedule; at most 160 characters.
std::string resident_sms(MessageEvent event, const MessageContext& c);

// To a staff member: the link to choose their password (invitation) or a new
// one (reset), valid until `expires`.
RenderedEmail account_link_email(bool invitation, const std::string& name, const std::string& url,
                                 Instant expires, Zone zone);

// To a resident who asked on "Mes rendez-vous": the link that shows all their
// appointments, valid until `expires`. The SMS is at most 160 characters.
// The link's validity is said in minutes: a time of day would be in one
// time zone, and residents live in several (Paris, Cayenne, Saint-Denis).
RenderedEmail resident_link_email(const std::string& url, int minutes);
std::string resident_link_sms(const std::string& url, int minutes);

}  // namespace rdv
