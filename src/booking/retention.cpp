#include "booking/retention.h"

#include <filesystem>

namespace rdv {

RetentionReport apply_retention(Store& store, const Clock& clock, const RetentionPolicy& policy) {
  Instant now = clock.now();
  std::vector<Document> files;
  store.write([&](StoreWriter& tx) {
    files = tx.bookings().delete_ended_before(now - policy.keep_bookings);
    for (Document& d : tx.bookings().anonymise_cancelled_before(now - policy.keep_cancelled_data))
      files.push_back(std::move(d));
    tx.jobs().delete_finished_before(now - policy.keep_finished_jobs);
    tx.bookings().clear_mandates_ended_before(now - policy.keep_mandates);
    tx.accounts().purge_audit(now - policy.keep_audit);
    tx.accounts().purge_failures(now - policy.keep_sign_in_failures);
    // Residents' sign-in links and sessions serve for minutes: gone once expired.
    tx.residents().purge(now);
  });
  // The rows go first, in one transaction; a crash before the files are
  // removed leaves files that nothing points to any more (never the reverse).
  return {remove_document_files(policy.documents_dir, files)};
}

size_t remove_document_files(const std::string& documents_dir, const std::vector<Document>& docs) {
  size_t removed = 0;
  for (const Document& d : docs) {
    std::error_code ec;
    auto folder = std::filesystem::path(documents_dir) / std::to_string(d.booking_id);
    if (std::filesystem::remove(folder / d.stored_name, ec)) ++removed;
    if (std::filesystem::is_empty(folder, ec)) std::filesystem::remove(folder, ec);
  }
  return removed;
}

}  // namespace rdv
