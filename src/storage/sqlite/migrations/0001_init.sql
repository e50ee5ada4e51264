-- Initial schema. Instants are UTC epoch seconds; local times are ISO text
-- together with their IANA zone.
CREATE TABLE organisations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  timezone TEXT NOT NULL
);

CREATE TABLE places (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  name TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  postcode TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  accessibility TEXT NOT NULL DEFAULT '',
  opening_hours TEXT NOT NULL DEFAULT '',
  latitude REAL,
  longitude REAL,
  timezone TEXT NOT NULL
);
CREATE INDEX places_organisation ON places(organisation_id);

CREATE TABLE services (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  keywords TEXT NOT NULL DEFAULT '[]',            -- JSON array
  documents_to_bring TEXT NOT NULL DEFAULT '[]',  -- JSON array
  duration_minutes INTEGER NOT NULL,
  slot_step_minutes INTEGER NOT NULL DEFAULT 0,
  modes TEXT NOT NULL,                            -- "in_person,video"
  min_notice_minutes INTEGER NOT NULL,
  horizon_days INTEGER NOT NULL,
  buffer_before_minutes INTEGER NOT NULL DEFAULT 0,
  buffer_after_minutes INTEGER NOT NULL DEFAULT 0,
  capacity INTEGER NOT NULL DEFAULT 1,
  cancel_until_minutes INTEGER NOT NULL,
  bookable_by TEXT NOT NULL,                      -- "public,desk,agent"
  search_text TEXT NOT NULL                       -- folded name, description, keywords, organisation
);
CREATE INDEX services_organisation ON services(organisation_id);

CREATE TABLE agents (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  ics_secret TEXT NOT NULL UNIQUE
);

CREATE TABLE agent_organisations (
  agent_id INTEGER NOT NULL REFERENCES agents(id),
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  PRIMARY KEY (agent_id, organisation_id)
);

CREATE TABLE openings (
  id INTEGER PRIMARY KEY,
  agent_id INTEGER NOT NULL REFERENCES agents(id),
  place_id INTEGER NOT NULL REFERENCES places(id),
  modes TEXT NOT NULL,
  start_local TEXT NOT NULL,
  end_local TEXT NOT NULL,
  timezone TEXT NOT NULL,
  rrule TEXT NOT NULL DEFAULT '',
  exdates TEXT NOT NULL DEFAULT '[]',  -- JSON array of local date-times
  first_start INTEGER NOT NULL,        -- bounds of all occurrences, for window queries
  last_end INTEGER                     -- NULL: repeats without end
);
CREATE INDEX openings_agent ON openings(agent_id);

CREATE TABLE opening_services (
  service_id INTEGER NOT NULL REFERENCES services(id),
  opening_id INTEGER NOT NULL REFERENCES openings(id),
  PRIMARY KEY (service_id, opening_id)
) WITHOUT ROWID;

CREATE TABLE absences (
  id INTEGER PRIMARY KEY,
  agent_id INTEGER NOT NULL REFERENCES agents(id),
  start_local TEXT NOT NULL,
  end_local TEXT NOT NULL,
  timezone TEXT NOT NULL,
  rrule TEXT NOT NULL DEFAULT '',
  exdates TEXT NOT NULL DEFAULT '[]',
  reason TEXT NOT NULL DEFAULT '',
  first_start INTEGER NOT NULL,
  last_end INTEGER
);
CREATE INDEX absences_agent ON absences(agent_id, first_start);

CREATE TABLE bookings (
  id INTEGER PRIMARY KEY,
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
  created_at INTEGER NOT NULL
);
-- Serves the slot search: an agent's confirmed bookings in a window.
CREATE INDEX bookings_agent_time ON bookings(agent_id, block_start) WHERE status = 'confirmed';

-- Last line of defence against double booking, whatever the code above does:
-- an agent's confirmed bookings never overlap, except seats of one group session.
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status = 'confirmed'
BEGIN
  SELECT RAISE(ABORT, 'slot_taken') WHERE EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.agent_id = NEW.agent_id AND b.status = 'confirmed'
      AND b.block_start < NEW.block_end AND b.block_end > NEW.block_start
      AND b.block_start > NEW.block_start - 2 * 86400
      AND NOT (NEW.capacity > 1 AND b.service_id = NEW.service_id AND b.start_at = NEW.start_at));
  SELECT RAISE(ABORT, 'slot_taken') WHERE NEW.capacity > 1 AND (
    SELECT count(*) FROM bookings b
    WHERE b.agent_id = NEW.agent_id AND b.status = 'confirmed'
      AND b.service_id = NEW.service_id AND b.start_at = NEW.start_at) >= NEW.capacity;
END;

CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF start_at, end_at, agent_id, status ON bookings
WHEN NEW.status = 'confirmed'
BEGIN
  SELECT RAISE(ABORT, 'slot_taken') WHERE EXISTS (
    SELECT 1 FROM bookings b
    WHERE b.id <> NEW.id AND b.agent_id = NEW.agent_id AND b.status = 'confirmed'
      AND b.block_start < NEW.block_end AND b.block_end > NEW.block_start
      AND b.block_start > NEW.block_start - 2 * 86400
      AND NOT (NEW.capacity > 1 AND b.service_id = NEW.service_id AND b.start_at = NEW.start_at));
  SELECT RAISE(ABORT, 'slot_taken') WHERE NEW.capacity > 1 AND (
    SELECT count(*) FROM bookings b
    WHERE b.id <> NEW.id AND b.agent_id = NEW.agent_id AND b.status = 'confirmed'
      AND b.service_id = NEW.service_id AND b.start_at = NEW.start_at) >= NEW.capacity;
END;

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  role TEXT NOT NULL,
  organisation_id INTEGER REFERENCES organisations(id),
  agent_id INTEGER REFERENCES agents(id),
  name TEXT NOT NULL DEFAULT '',
  token_hash TEXT NOT NULL UNIQUE  -- SHA-256 of the API token; the token itself is never stored
);

CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,       -- client scope + Idempotency-Key header
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
