-- "Mes rendez-vous": a resident signs in with a link sent to their email or
-- phone, without a password. The link and the session it opens are known by
-- their token's hash only; both are short-lived and purged by retention.
-- The contact is stored as the bookings store it (a checked mailbox, or E.164).
CREATE TABLE resident_links (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
-- The requests of one contact in the last hour are counted (a few at most).
CREATE INDEX resident_links_email ON resident_links(lower(email), created_at) WHERE email <> '';
CREATE INDEX resident_links_phone ON resident_links(phone, created_at) WHERE phone <> '';
CREATE INDEX resident_links_expires ON resident_links(expires_at);

-- Anyone may ask for a link: finding a contact's bookings must not scan the
-- table (also used by the RGPD export and erasure).
CREATE INDEX bookings_resident_email ON bookings(lower(resident_email));
CREATE INDEX bookings_resident_phone ON bookings(resident_phone);

CREATE TABLE resident_sessions (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE INDEX resident_sessions_expires ON resident_sessions(expires_at);
