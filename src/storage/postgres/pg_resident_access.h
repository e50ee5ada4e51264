// Residents' "mes rendez-vous" links and sessions on PostgreSQL.
#pragma once

#include <pqxx/pqxx>

#include "storage/postgres/statements.h"
#include "storage/resident_access_store.h"

namespace rdv {

class PgResidentAccess final : public ResidentAccessWriter {
 public:
  explicit PgResidentAccess(pqxx::dbtransaction& tx) : tx_(tx) {}

  std::optional<ResidentLink> link(Id id) override;
  std::optional<ResidentLink> link_by_hash(const std::string& token_hash) override;
  int links_since(const std::string& email, const std::string& phone, Instant since) override;
  std::optional<ResidentSession> session_by_hash(const std::string& token_hash) override;
  Id insert_link(const ResidentLink& l) override;
  void set_link_token_hash(Id id, const std::string& token_hash) override;
  bool use_link(Id id, Instant at) override;
  Id insert_session(const ResidentSession& s, const std::string& token_hash) override;
  void end_session(Id id, Instant at) override;
  void purge(Instant expired_before) override;

 private:
  postgres::Statements tx_;
};

}  // namespace rdv
