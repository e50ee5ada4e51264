// Storage behind one interface, so the booking rules are the same on SQLite and
// PostgreSQL. All work happens in a transaction: `read` sees one snapshot;
// `write` is serialised with every other write to the same database and commits
// when the function returns (rolls back when it throws); writes that arrive
// together are committed together (write_groups.h).
//
// A transaction gives the store's parts, one per kind of data; each store
// (sqlite/, postgres/) implements every part in a file of its own.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>

#include "domain/model.h"
#include "storage/accounts_store.h"
#include "storage/agenda_store.h"
#include "storage/bookings_store.h"
#include "storage/calendars_store.h"
#include "storage/directory_store.h"
#include "storage/jobs_store.h"
#include "storage/resident_access_store.h"
#include "storage/write_groups.h"

namespace rdv {

struct ServiceAndAgenda {
  std::optional<ServiceContext> context;
  AgendaRows agenda;           // as StoreReader::agenda_rows
  std::optional<Agent> agent;  // the agent the query names, if it names one and it exists
};

// A booking inserted, and the open bookings its resident held for its
// service just before (as BookingsReader::open_of_contact counts them).
struct CountedInsert {
  Id id = 0;
  int open_of_contact = 0;
};

class StoreReader {
 public:
  virtual ~StoreReader() = default;

  virtual DirectoryReader& directory() = 0;
  virtual AgendaReader& agenda() = 0;
  virtual BookingsReader& bookings() = 0;
  virtual CalendarsReader& calendars() = 0;
  virtual AccountsReader& accounts() = 0;
  virtual JobsReader& jobs() = 0;
  virtual ResidentAccessReader& residents() = 0;

  // The rows of a slot search, in one read (agenda_store.h).
  virtual AgendaRows agenda_rows(const AgendaQuery& query) = 0;
  // A service with its organisation's context and the place when one is
  // asked for (no context when there is no such service), and the rows of a
  // slot search, in one read: what a new booking reads before its insert,
  // knowing its service and slot but not yet the service's rules (one round
  // trip on PostgreSQL when the query names the agent), and the agent the
  // query names (whom the booking's messages go to).
  virtual ServiceAndAgenda service_and_agenda(Id service_id, std::optional<Id> place_id,
                                              const AgendaQuery& query) = 0;

  // The lookups every use case makes.
  std::optional<Organisation> organisation(Id id) { return directory().organisation(id); }
  std::optional<Place> place(Id id) { return directory().place(id); }
  std::optional<Service> service(Id id) { return directory().service(id); }
  std::optional<Agent> agent(Id id) { return directory().agent(id); }
  std::optional<Booking> booking(Id id) { return bookings().find(id); }
};

class StoreWriter : public StoreReader {
 public:
  DirectoryWriter& directory() override = 0;
  AgendaWriter& agenda() override = 0;
  BookingsWriter& bookings() override = 0;
  CalendarsWriter& calendars() override = 0;
  AccountsWriter& accounts() override = 0;
  JobsWriter& jobs() override = 0;
  ResidentAccessWriter& residents() override = 0;

  // bookings().insert(b) (SlotTakenError included), and the open bookings of
  // its resident for its service at `now` counted just before: what a
  // booking under the limit per contact writes, in one round trip on
  // PostgreSQL. The caller refuses the booking (rolling the insert back) when
  // the count is at the limit.
  virtual CountedInsert insert_counting_contact(const Booking& b, Instant now) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual void read(const std::function<void(StoreReader&)>& work) = 0;
  virtual void write(const std::function<void(StoreWriter&)>& work) = 0;
  // The database answers and holds every migration of this binary (/readyz).
  virtual bool ready() = 0;
  // Connections to the database: how many the store may keep, has open, and
  // has idle (/metrics).
  struct Connections {
    std::size_t size = 0, open = 0, idle = 0;
  };
  virtual Connections connections() = 0;
  // The writes of this process: queued now, run so far and in how many
  // transactions (/metrics).
  virtual WriteGroups::Counts writes() = 0;
};

// Raised by a store when its own constraints find a double booking.
struct SlotTakenError : std::runtime_error {
  SlotTakenError() : std::runtime_error("slot taken") {}
};

}  // namespace rdv
