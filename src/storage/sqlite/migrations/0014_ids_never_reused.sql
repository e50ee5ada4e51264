-- Ids are never given twice. Links sign a row's id (a booking's manage,
-- survey and video links, a resident's or a staff member's emailed link):
-- without AUTOINCREMENT SQLite gives the largest id again once that row is
-- deleted (retention, purges), and an old link would open the new row.
-- Each table is rebuilt with AUTOINCREMENT, same columns in the same order,
-- its indexes and triggers made again. (The store runs migrations with
-- foreign keys off, and checks them all before turning them back on.)

CREATE TABLE bookings_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  service_id INTEGER NOT NULL REFERENCES services(id),
  agent_id INTEGER NOT NULL REFERENCES agents(id),
  place_id INTEGER NOT NULL REFERENCES places(id),
  mode TEXT NOT NULL,
  start_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL,
  block_start INTEGER NOT NULL,  -- start minus the buffer before
  block_end INTEGER NOT NULL,    -- end plus the buffer after
  capacity INTEGER NOT NULL,     -- of the service when booked; > 1: group session
  status TEXT NOT NULL,
  booked_by TEXT NOT NULL,
  resident_first_name TEXT NOT NULL DEFAULT '',
  resident_last_name TEXT NOT NULL DEFAULT '',
  resident_email TEXT NOT NULL DEFAULT '',
  resident_phone TEXT NOT NULL DEFAULT '',
  mandate TEXT NOT NULL DEFAULT '',
  manage_token_hash TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT '',
  cancel_reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  sequence INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL DEFAULT 0,
  summary TEXT NOT NULL DEFAULT '',
  survey_answered INTEGER NOT NULL DEFAULT 0,
  reminders_opt_out INTEGER NOT NULL DEFAULT 0,
  booked_by_account_id INTEGER REFERENCES accounts(id)
);
INSERT INTO bookings_new SELECT * FROM bookings;
DROP TABLE bookings;
ALTER TABLE bookings_new RENAME TO bookings;
CREATE INDEX bookings_agent_start ON bookings(agent_id, start_at);
CREATE INDEX bookings_agent_time ON bookings(agent_id, block_start) WHERE status <> 'cancelled';
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status <> 'cancelled'
BEGIN
  SELECT RAISE(ABORT, 'slot_taken') WHERE EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.agent_id = NEW.agent_id AND b.status <> 'cancelled'
      AND b.block_start < NEW.block_end AND b.block_end > NEW.block_start
      AND b.block_start > NEW.block_start - 2 * 86400
      AND NOT (NEW.capacity > 1 AND b.service_id = NEW.service_id AND b.start_at = NEW.start_at));
  SELECT RAISE(ABORT, 'slot_taken') WHERE NEW.capacity > 1 AND (
    SELECT count(*) FROM bookings b
    WHERE b.agent_id = NEW.agent_id AND b.status <> 'cancelled'
      AND b.service_id = NEW.service_id AND b.start_at = NEW.start_at) >= NEW.capacity;
END;
CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF start_at, end_at, agent_id, status ON bookings
WHEN NEW.status <> 'cancelled'
BEGIN
  SELECT RAISE(ABORT, 'slot_taken') WHERE EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.id <> NEW.id AND b.agent_id = NEW.agent_id AND b.status <> 'cancelled'
      AND b.block_start < NEW.block_end AND b.block_end > NEW.block_start
      AND b.block_start > NEW.block_start - 2 * 86400
      AND NOT (NEW.capacity > 1 AND b.service_id = NEW.service_id AND b.start_at = NEW.start_at));
  SELECT RAISE(ABORT, 'slot_taken') WHERE NEW.capacity > 1 AND (
    SELECT count(*) FROM bookings b
    WHERE b.id <> NEW.id AND b.agent_id = NEW.agent_id AND b.status <> 'cancelled'
      AND b.service_id = NEW.service_id AND b.start_at = NEW.start_at) >= NEW.capacity;
END;
CREATE INDEX bookings_service_phone ON bookings(service_id, resident_phone) WHERE resident_phone <> '';
CREATE INDEX bookings_service_email ON bookings(service_id, lower(resident_email))
  WHERE resident_email <> '';
CREATE INDEX bookings_service_start ON bookings(service_id, start_at);
CREATE INDEX bookings_booked_by_account ON bookings(booked_by_account_id, start_at)
  WHERE booked_by_account_id IS NOT NULL;
CREATE INDEX bookings_resident_email ON bookings(lower(resident_email));
CREATE INDEX bookings_resident_phone ON bookings(resident_phone);

CREATE TABLE resident_links_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
INSERT INTO resident_links_new SELECT * FROM resident_links;
DROP TABLE resident_links;
ALTER TABLE resident_links_new RENAME TO resident_links;
CREATE INDEX resident_links_email ON resident_links(lower(email), created_at) WHERE email <> '';
CREATE INDEX resident_links_phone ON resident_links(phone, created_at) WHERE phone <> '';
CREATE INDEX resident_links_expires ON resident_links(expires_at);

CREATE TABLE account_links_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  purpose TEXT NOT NULL,            -- invitation, reset
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
INSERT INTO account_links_new SELECT * FROM account_links;
DROP TABLE account_links;
ALTER TABLE account_links_new RENAME TO account_links;

