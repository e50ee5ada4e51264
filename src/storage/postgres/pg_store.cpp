#include "storage/postgres/pg_store.h"

#include <set>

#include "storage/migration.h"
#include "storage/postgres/migrate.h"
#include "storage/postgres/pg_accounts.h"
#include "storage/postgres/pg_agenda.h"
#include "storage/postgres/pg_bookings.h"
#include "storage/postgres/pg_calendars.h"
#include "storage/postgres/pg_directory.h"
#include "storage/postgres/pg_jobs.h"
#include "storage/postgres/pg_resident_access.h"
#include "storage/store_parts.h"

namespace rdv {
namespace {

// The advisory lock every write transaction takes first ("rdv-writ").
constexpr std::int64_t kWriteLock = 0x7264762d77726974;

// Every part of the store in one transaction.
struct PgParts {
  using Directory = PgDirectory;
  using Agenda = PgAgenda;
  using Bookings = PgBookings;
  using Calendars = PgCalendars;
  using Accounts = PgAccounts;
  using Jobs = PgJobs;
  using Residents = PgResidentAccess;
};

// The agenda rows of a query, read through `batch` (with whatever it holds
// already): with the agent named, the four reads in one round trip; otherwise
// the openings first, to know their agents, then the other three.
AgendaRows agenda_rows_in(postgres::Batch& batch, const AgendaQuery& q) {
  auto openings =
      PgAgenda::openings_for_service(batch, q.service_id, q.openings_window, q.agent_id);
  AgendaRows rows;
  if (!q.agent_id) rows.openings = openings.get();
  std::vector<Id> agents = q.agent_id ? std::vector<Id>{*q.agent_id} : agents_of(rows.openings);
  if (agents.empty()) return rows;
  auto absences = PgAgenda::absences_of(batch, agents, q.busy_window);
  auto held = PgBookings::holding_time(batch, agents, q.busy_window);
  auto versions = PgCalendars::busy_versions(batch, agents);
  if (q.agent_id) rows.openings = openings.get();
  // Every answer is read, so that a statement's error reaches the caller.
  rows.absences = absences.get();
  rows.held = held.get();
  rows.busy_versions = versions.get();
  if (rows.openings.empty()) return {};  // no agent offers it: nothing else, as from the parts
  return rows;
}

// A service's context added to a batch, answered once the batch has run.
class PendingContext {
 public:
  PendingContext(postgres::Batch& batch, Id service_id, std::optional<Id> place_id)
      : service_(PgDirectory::service(batch, service_id)),
        organisation_(PgDirectory::organisation_of_service(batch, service_id)),
        webhooks_(PgDirectory::webhooks_of_service(batch, service_id)) {
    if (place_id) place_.emplace(PgDirectory::place(batch, *place_id));
  }
  std::optional<ServiceContext> get() {
    std::optional<Service> s = service_.get();
    std::optional<Organisation> o = organisation_.get();
    if (!s || !o) return std::nullopt;
    return ServiceContext{std::move(*s), std::move(*o), place_ ? place_->get() : std::nullopt,
                          webhooks_.get()};
  }

 private:
  postgres::Pending<std::optional<Service>> service_;
  postgres::Pending<std::optional<Organisation>> organisation_;
  postgres::Pending<std::vector<Webhook>> webhooks_;
  std::optional<postgres::Pending<std::optional<Place>>> place_;
};

// The parts, with the reads made together sent in one round trip when the
// server keeps our statement names (postgres::Batch).
class PgTx final : public PartsTransaction<PgParts> {
 public:
  explicit PgTx(postgres::Transaction& tx) : PartsTransaction(tx), tx_(tx) {}

  AgendaRows agenda_rows(const AgendaQuery& q) override {
    if (!together()) return agenda_rows_of_parts(*this, q);
    postgres::Batch batch(tx_);
    return agenda_rows_in(batch, q);
  }

  // The context's reads and the agent's ride with the agenda's first.
  ServiceAndAgenda service_and_agenda(Id service_id, std::optional<Id> place_id,
                                      const AgendaQuery& q) override {
    if (!together()) return service_and_agenda_of_parts(*this, service_id, place_id, q);
    postgres::Batch batch(tx_);
    PendingContext context(batch, service_id, place_id);
    std::optional<postgres::Pending<std::optional<Agent>>> agent;
    if (q.agent_id) agent.emplace(PgDirectory::agent(batch, *q.agent_id));
    AgendaRows agenda = agenda_rows_in(batch, q);
    return {context.get(), std::move(agenda), agent ? agent->get() : std::nullopt};
  }

  CountedInsert insert_counting_contact(const Booking& b, Instant now) override {
    if (!together()) return insert_counting_contact_of_parts(*this, b, now);
    postgres::Batch batch(tx_);
    auto open =
        PgBookings::open_of_contact(batch, b.service_id, b.resident.email, b.resident.phone, now);
    auto id = PgBookings::insert(batch, b);
    int counted = open.get();
    return {PgBookings::inserted_id(std::move(id)), counted};
  }

 private:
  bool together() const { return tx_.names_kept(); }
  postgres::Transaction& tx_;
};

class PgGroupTransaction final : public GroupTransaction {
 public:
  explicit PgGroupTransaction(postgres::Transaction& tx) : tx_(tx), parts_(tx) {}
  StoreWriter& parts() override { return parts_; }
  void exec(const std::string& sql) override { tx_.exec0(sql); }
  void exec_with_next(const std::string& sql) override { tx_.send_with_next(sql); }
  // PostgreSQL keeps the transaction until ROLLBACK TO; a lost connection
  // makes that statement throw.
  bool alive() override { return true; }
  std::exception_ptr reported(std::exception_ptr e) override {
    try {
      std::rethrow_exception(e);
    } catch (...) {
      try {
        postgres::rethrow_translated();
      } catch (...) {
        return std::current_exception();
      }
    }
    return e;
  }

 private:
  postgres::Transaction& tx_;
  PgTx parts_;
};

}  // namespace

bool is_postgres_url(const std::string& db) {
  return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

PostgresStore::PostgresStore(const std::string& url, std::size_t pool_size)
    : pool_(url, pool_size), writes_([this](const char* after_begin, const auto& body) {
        postgres::TransactionOptions options = postgres::kWrite;
        options.advisory_lock = kWriteLock;
        options.then = after_begin;
        run_once(options, [&](postgres::Transaction& tx) {
          PgGroupTransaction group(tx);
          body(group);
        });
      }) {
  postgres::migrate(url);
  postgres::with_transaction(
      pool_,
      [&](pqxx::dbtransaction& tx) {
        reads_together_ = postgres::server_keeps_statement_names(tx);
      },
      postgres::kRead);
}

// The use cases' functions keep what they read and move what they write:
// they run once. A transaction runs again only when its connection was found
// lost, or the write lock busy, before the function began.
void PostgresStore::run_once(postgres::TransactionOptions options,
                             const std::function<void(postgres::Transaction&)>& f) {
  options.run_again = false;
  postgres::with_transaction(
      pool_,
      [&](postgres::Transaction& tx) {
        tx.set_names_kept(reads_together_);  // the parts and batches ask the transaction
        f(tx);
      },
      options);
}

void PostgresStore::read(const std::function<void(StoreReader&)>& work) {
  run_once(postgres::kRead, [&](postgres::Transaction& tx) {
    PgTx parts(tx);
    work(parts);
  });
}

void PostgresStore::write(const std::function<void(StoreWriter&)>& work) { writes_.run(work); }

WriteGroups::Counts PostgresStore::writes() { return writes_.counts(); }

bool PostgresStore::ready() {
  try {
    std::set<std::string> applied;
    postgres::with_transaction(
        pool_,
        [&](pqxx::dbtransaction& tx) {
          // A database that hangs makes a probe fail, not wait.
          tx.exec0("SET LOCAL statement_timeout = '2s'");
          // A standby answers reads but takes no booking: not ready.
          if (tx.exec1("SELECT pg_is_in_recovery()")[0].as<bool>()) return;
          for (const auto& row : tx.exec("SELECT name FROM schema_migrations"))
            applied.insert(row[0].as<std::string>());
        },
        postgres::kRead);
    return all_applied(postgres_migrations(), applied);
  } catch (const std::exception&) {
    return false;
  }
}

Store::Connections PostgresStore::connections() {
  auto use = pool_.use();
  return {use.size, use.open, use.idle};
}

}  // namespace rdv
