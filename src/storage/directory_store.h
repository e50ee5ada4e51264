// Managing what administrators and agents set up (organisations, places,
// services, agents, openings, absences, webhooks) and listing bookings:
// a part of the store split by kind of data (see StoreReader::directory()).
#pragma once

#include <optional>
#include <vector>

#include "domain/model.h"

namespace rdv {

// Bookings by start time then id; a page continues after (start, id).
struct BookingFilter {
  std::optional<Id> agent_id, organisation_id, booked_by_account_id, service_id, place_id;
  std::optional<BookingStatus> status;
  std::optional<Instant> from, to;  // start in [from, to)
  std::optional<std::pair<Instant, Id>> after;
  size_t limit = 100;
};

// How many bookings of a service, with this status, made through this
// channel: statistics without anybody's identity.
struct BookingCount {
  Id service_id = 0;
  BookingStatus status = BookingStatus::kConfirmed;
  BookedBy booked_by = BookedBy::kResident;
  int count = 0;
};

class DirectoryReader {
 public:
  virtual ~DirectoryReader() = default;

  // Organisations by id, those of a territory when given, the archived ones
  // too when asked.
  virtual std::vector<Organisation> organisations(std::optional<Id> territory_id, bool archived,
                                                  Id after_id, size_t limit) = 0;
  virtual std::vector<Agent> agents_of(Id organisation_id) = 0;
  // Whether anything names the organisation: places, services, agents,
  // accounts' memberships, webhooks.
  virtual bool organisation_in_use(Id organisation_id) = 0;
  virtual std::vector<Booking> bookings(const BookingFilter& filter) = 0;
  // How many bookings (any status) and openings name this service or place.
  virtual int bookings_of_service(Id service_id) = 0;
  virtual int uses_of_place(Id place_id) = 0;
  // Every booking of a resident: this email (whatever its case) or this phone ("" matches nothing).
  virtual std::vector<Booking> bookings_of_contact(const std::string& email,
                                                   const std::string& phone) = 0;
  // The organisation's bookings made (created) in `made`, counted by
  // service, status and channel in one query.
  virtual std::vector<BookingCount> booking_counts(Id organisation_id, TimeRange made) = 0;
};

class DirectoryWriter : public DirectoryReader {
 public:
  // name, kind, timezone, colleagues_see_agendas
  virtual void update_organisation(const Organisation& o) = 0;
  virtual void set_organisation_archived(Id organisation_id, bool archived) = 0;
  virtual void delete_organisation(Id organisation_id) = 0;  // one not in use
  virtual void update_place(const Place& p) = 0;
  virtual void delete_place(Id place_id) = 0;
  virtual void update_service(const Service& s) = 0;  // every field but the organisation
  virtual void set_service_archived(Id service_id, bool archived) = 0;
  virtual void delete_service(Id service_id) = 0;
  virtual void update_agent(const Agent& a) = 0;  // name, email, phone
  virtual void delete_opening(Id opening_id) = 0;
  virtual void delete_absence(Id absence_id) = 0;
  virtual void delete_webhook(Id webhook_id) = 0;
  // Clears the resident's data of a booking (names, contact, notes, mandate,
  // summary) and removes its documents' rows (read them first with
  // documents_of: their files go too).
  virtual void anonymise_booking(Id booking_id) = 0;
  // The procedure is over: the mandates' details go, who booked and when stay.
  virtual void clear_mandates_ended_before(Instant ended_before) = 0;
};

}  // namespace rdv
