-- Staff become nominative accounts: a person with memberships (a role in an
-- organisation or a territory), a password and browser sessions, named API
-- tokens, single-use links to set a password, and an audit log.

CREATE TABLE territories (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
ALTER TABLE organisations ADD COLUMN territory_id INTEGER REFERENCES territories(id);

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT UNIQUE,               -- lower case; NULL for accounts made before this version
  phone TEXT NOT NULL DEFAULT '',  -- E.164
  status TEXT NOT NULL,            -- invited, active, deactivated
  agent_id INTEGER REFERENCES agents(id),  -- the agenda this person keeps, if any
  password_hash TEXT,              -- argon2id, libsodium's encoded form
  created_at INTEGER NOT NULL,
  last_sign_in_at INTEGER,
  locked_until INTEGER             -- too many failed sign-ins
);

CREATE TABLE memberships (
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  role TEXT NOT NULL,              -- admin, territory_admin, org_admin, agent, desk, observer
  organisation_id INTEGER REFERENCES organisations(id),
  territory_id INTEGER REFERENCES territories(id)
);
CREATE INDEX memberships_account ON memberships(account_id);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,  -- SHA-256; the token is shown once and never stored
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  last_used_at INTEGER
);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,      -- absolute
  ended_at INTEGER
);

-- Invitation and password reset links: single use, short-lived.
CREATE TABLE account_links (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  purpose TEXT NOT NULL,            -- invitation, reset
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);

-- Failed sign-ins, by account ("account:ID") and by client address ("address:IP").
CREATE TABLE sign_in_failures (
  subject TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_subject ON sign_in_failures(subject, at);

-- Who did what: writes, sign-ins, reads of residents' data. The application
-- only appends; old entries go by retention, never by update.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  account_id INTEGER,
  address TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,             -- sign_in, sign_in_failed, write, read_personal_data...
  route TEXT NOT NULL DEFAULT '',   -- the route pattern, never the path
  target TEXT NOT NULL DEFAULT '',  -- kind:id of what was touched
  outcome INTEGER NOT NULL DEFAULT 0  -- HTTP status
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- The staff member who made a booking (desks see and manage the ones they made).
ALTER TABLE bookings ADD COLUMN booked_by_account_id INTEGER REFERENCES accounts(id);

-- Every user of before becomes an account with the same rights and its token.
INSERT INTO accounts(id, name, status, agent_id, created_at)
  SELECT id, name, 'active', agent_id, strftime('%s','now') FROM users;
INSERT INTO memberships(account_id, role, organisation_id)
  SELECT id, role, organisation_id FROM users WHERE role IN ('org_admin', 'desk');
INSERT INTO memberships(account_id, role)
  SELECT id, 'admin' FROM users WHERE role = 'admin';
INSERT INTO memberships(account_id, role, organisation_id)
  SELECT u.id, 'agent', ao.organisation_id
  FROM users u JOIN agent_organisations ao ON ao.agent_id = u.agent_id WHERE u.role = 'agent';
INSERT INTO api_tokens(account_id, name, token_hash, created_at)
  SELECT id, 'first token', token_hash, strftime('%s','now') FROM users;
DROP TABLE users;
