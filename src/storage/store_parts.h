// One transaction's view of a database: every part of a store working on
// the same connection or transaction. `Parts` names a store's classes
// (Directory, Agenda, Bookings, Calendars, Accounts, Jobs, Residents); each
// is built on the transaction, and the calendars also on the agenda (the
// openings a calendar publishes are written through it).
#pragma once

#include "storage/store.h"

namespace rdv {

template <class Parts>
class PartsTransaction final : public StoreWriter {
 public:
  template <class Transaction>
  explicit PartsTransaction(Transaction& tx)
      : directory_(tx),
        agenda_(tx),
        bookings_(tx),
        calendars_(tx, agenda_),
        accounts_(tx),
        jobs_(tx),
        residents_(tx) {}

  DirectoryWriter& directory() override { return directory_; }
  AgendaWriter& agenda() override { return agenda_; }
  BookingsWriter& bookings() override { return bookings_; }
  CalendarsWriter& calendars() override { return calendars_; }
  AccountsWriter& accounts() override { return accounts_; }
  JobsWriter& jobs() override { return jobs_; }
  ResidentAccessWriter& residents() override { return residents_; }

 private:
  typename Parts::Directory directory_;
  typename Parts::Agenda agenda_;
  typename Parts::Bookings bookings_;
  typename Parts::Calendars calendars_;
  typename Parts::Accounts accounts_;
  typename Parts::Jobs jobs_;
  typename Parts::Residents residents_;
};

}  // namespace rdv
