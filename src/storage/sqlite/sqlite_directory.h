// The directory's management and booking lists on SQLite.
#pragma once

#include "storage/directory_store.h"
#include "storage/sqlite/connection.h"

namespace rdv {

class SqliteDirectory final : public DirectoryWriter {
 public:
  explicit SqliteDirectory(sqlite::Connection& c) : c_(c) {}

  std::vector<Organisation> organisations(std::optional<Id> territory_id, bool archived,
                                          Id after_id, size_t limit) override;
  std::vector<Agent> agents_of(Id organisation_id) override;
  bool organisation_in_use(Id organisation_id) override;
  std::vector<Booking> bookings(const BookingFilter& filter) override;
  int bookings_of_service(Id service_id) override;
  int uses_of_place(Id place_id) override;
  std::vector<Booking> bookings_of_contact(const std::string& email,
                                           const std::string& phone) override;
  std::vector<BookingCount> booking_counts(Id organisation_id, TimeRange made) override;

  void update_organisation(const Organisation& o) override;
  void set_organisation_archived(Id organisation_id, bool archived) override;
  void delete_organisation(Id organisation_id) override;
  void update_place(const Place& p) override;
  void delete_place(Id place_id) override;
  void update_service(const Service& s) override;
  void set_service_archived(Id service_id, bool archived) override;
  void delete_service(Id service_id) override;
  void update_agent(const Agent& a) override;
  void delete_opening(Id opening_id) override;
  void delete_absence(Id absence_id) override;
  void delete_webhook(Id webhook_id) override;
  void anonymise_booking(Id booking_id) override;
  void clear_mandates_ended_before(Instant ended_before) override;

 private:
  sqlite::Connection& c_;
};

}  // namespace rdv
