// Residents' "mes rendez-vous" without a password: the sign-in links sent to
// an email or phone, and the sessions they open. Known by their token's hash.
#pragma once

#include <optional>
#include <string>

#include "domain/model.h"
#include "domain/time.h"

namespace rdv {

// "Mes rendez-vous": a sign-in link sent to a resident's email or phone (the
// contact as bookings store it; the other one is ""), and the session it
// opens in their browser. Both are known by their token's hash only.
struct ResidentLink {
  Id id = 0;
  std::string email, phone;
  Instant created_at, expires_at;
  std::optional<Instant> used_at;
};
struct ResidentSession {
  Id id = 0;
  std::string email, phone;
  Instant created_at, expires_at;
  std::optional<Instant> ended_at;
};

class ResidentAccessReader {
 public:
  virtual ~ResidentAccessReader() = default;
  virtual std::optional<ResidentLink> link(Id id) = 0;
  virtual std::optional<ResidentLink> link_by_hash(const std::string& token_hash) = 0;
  // Links asked for this email (whatever its case) or this phone at or after `since`.
  virtual int links_since(const std::string& email, const std::string& phone, Instant since) = 0;
  virtual std::optional<ResidentSession> session_by_hash(const std::string& token_hash) = 0;
};

class ResidentAccessWriter : public ResidentAccessReader {
 public:
  // The token is made from the id (LinkSigner::resident_link_token): the
  // link is inserted, then given its token's hash in the same transaction.
  virtual Id insert_link(const ResidentLink& l) = 0;
  virtual void set_link_token_hash(Id id, const std::string& token_hash) = 0;
  // Marks the link used; false when it was used already (single use).
  virtual bool use_link(Id id, Instant at) = 0;
  virtual Id insert_session(const ResidentSession& s, const std::string& token_hash) = 0;
  virtual void end_session(Id id, Instant at) = 0;
  // RGPD: forgets the links and sessions that expired before `expired_before`.
  virtual void purge(Instant expired_before) = 0;
};

}  // namespace rdv
