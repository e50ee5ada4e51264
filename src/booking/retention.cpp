#include "booking/retention.h"

#include <filesystem>

namespace rdv {

RetentionReport apply_retention(Store& store, const Clock& clock, const RetentionPolicy& policy) {
  Instant now = clock.now();
  std::vector<Document> files;
  store.write([&](StoreWriter& tx) {
    files = tx.delete_bookings_ended_before(now - policy.keep_bookings);
    for (Document& d : tx.anonymise_cancelled_before(now - policy.keep_cancelled_data))
      files.push_back(std::move(d));
    tx.delete_jobs_finished_before(now - policy.keep_finished_jobs);
    tx.accounts().purge_audit(now - policy.keep_audit);
    tx.accounts().purge_failures(now - policy.keep_sign_in_failures);
  });
  // The rows go first, in one transaction; a crash before the files are
  // removed leaves files that nothing points to any more (never the reverse).
  RetentionReport report;
  for (const Document& d : files) {
    std::error_code ec;
    auto folder = std::filesystem::path(policy.documents_dir) / std::to_string(d.booking_id);
    if (std::filesystem::remove(folder / d.stored_name, ec)) ++report.documents_removed;
    if (std::filesystem::is_empty(folder, ec)) std::filesystem::remove(folder, ec);
  }
  return report;
}

}  // namespace rdv
