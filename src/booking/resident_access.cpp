#include "booking/resident_access.h"

#include <nlohmann/json.hpp>

namespace rdv {

ResidentAccess::ResidentAccess(Store& store, const Clock& clock, Random& random,
                               const LinkSigner& links, ResidentAccessPolicy policy)
    : store_(store), clock_(clock), random_(random), links_(links), policy_(policy) {}

void ResidentAccess::request_link(const ResidentContact& contact) {
  bool by_sms = contact.email.empty();
  if (by_sms ? (contact.phone.empty() || !policy_.sms) : !policy_.email) return;
  Instant now = clock_.now();
  // Read first: anyone may ask, and the write lock is for those who get a link.
  bool known = false;
  store_.read([&](StoreReader& r) {
    known = !r.bookings().of_contact(contact.email, contact.phone).empty();
  });
  if (!known) return;
  store_.write([&](StoreWriter& tx) {
    // A few per hour: enough to retry, too few to flood someone's mailbox.
    if (tx.residents().links_since(contact.email, contact.phone, now - std::chrono::hours{1}) >=
        policy_.links_per_contact_per_hour)
      return;
    ResidentLink l;
    l.email = contact.email;
    l.phone = contact.phone;
    l.created_at = now;
    l.expires_at = now + policy_.link_valid;
    // The token is made from the id: the outbox sends it without holding it.
    l.id = tx.residents().insert_link(l);
    tx.residents().set_link_token_hash(l.id, token_hash(links_.resident_link_token(l.id)));
    Job j;
    j.kind = by_sms ? JobKind::kSms : JobKind::kEmail;
    j.idempotency_key = "resident-link:" + std::to_string(l.id);
    j.payload = nlohmann::json{{"resident_link_id", l.id}}.dump();
    j.run_at = j.created_at = now;
    j.max_attempts = 5;
    tx.jobs().enqueue({j});
  });
}

bool ResidentAccess::link_usable(const std::string& link_token) {
  bool usable = false;
  store_.read([&](StoreReader& r) {
    auto l = r.residents().link_by_hash(token_hash(link_token));
    usable = l && !l->used_at && clock_.now() < l->expires_at;
  });
  return usable;
}

std::optional<std::string> ResidentAccess::open_session(const std::string& link_token) {
  Instant now = clock_.now();
  std::optional<std::string> token;
  store_.write([&](StoreWriter& tx) {
    auto l = tx.residents().link_by_hash(token_hash(link_token));
    if (!l || l->used_at || now >= l->expires_at || !tx.residents().use_link(l->id, now)) return;
    ResidentSession s;
    s.email = l->email;
    s.phone = l->phone;
    s.created_at = now;
    s.expires_at = now + policy_.session_valid;
    std::string t = new_token(random_);
    tx.residents().insert_session(s, token_hash(t));
    token = t;
  });
  return token;
}

std::optional<ResidentContact> ResidentAccess::session(const std::string& session_token) {
  std::optional<ResidentContact> contact;
  store_.read([&](StoreReader& r) {
    auto s = r.residents().session_by_hash(token_hash(session_token));
    if (s && !s->ended_at && clock_.now() < s->expires_at)
      contact = ResidentContact{s->email, s->phone};
  });
  return contact;
}

void ResidentAccess::end_session(const std::string& session_token) {
  store_.write([&](StoreWriter& tx) {
    if (auto s = tx.residents().session_by_hash(token_hash(session_token)))
      tx.residents().end_session(s->id, clock_.now());
  });
}

}  // namespace rdv
