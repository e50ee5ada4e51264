// RGPD: how long residents' data is kept. Bookings (and their documents) are
// deleted once the retention period after the visit has passed; cancelled
// bookings lose the resident's data sooner; finished messages, old audit
// lines, old failed sign-ins and residents' expired sign-in links and
// sessions are forgotten.
// Anonymous statistics stay.
#pragma once

#include <chrono>
#include <string>

#include "domain/clock.h"
#include "storage/store.h"

namespace rdv {

struct RetentionPolicy {
  std::chrono::days keep_bookings{730};         // after the end of the visit
  std::chrono::days keep_cancelled_data{30};    // after the cancellation
  std::string documents_dir = "var/documents";  // where uploaded files are
  std::chrono::days keep_finished_jobs{90};     // messages sent, skipped or failed
  std::chrono::days keep_mandates{30};          // a desk's mandate, after the visit
  std::chrono::days keep_audit{365};            // the audit log (CNIL: six months to a year)
  std::chrono::days keep_sign_in_failures{1};   // longer than any lockout needs
};

struct RetentionReport {
  size_t documents_removed = 0;
};

RetentionReport apply_retention(Store& store, const Clock& clock, const RetentionPolicy& policy);

// Removes the files of documents whose rows are gone (and their emptied
// folders); returns how many files went.
size_t remove_document_files(const std::string& documents_dir, const std::vector<Document>& docs);

}  // namespace rdv
