-- Every booking of one service at one start is a seat of one session,
-- whatever its capacity, as SQLite's rule has it: when a service's capacity
-- is raised from 1, the booking already made there is the session's first
-- seat (before, its own key made every new seat overlap it: a false 409).
-- The seat count below then guards every booking, individual ones included:
-- a capacity of 1 is a session of one seat.
ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap;
ALTER TABLE bookings DROP COLUMN session_key;
ALTER TABLE bookings ADD COLUMN session_key TEXT NOT NULL GENERATED ALWAYS AS (
  'g:' || service_id::text || ':' || start_at::text) STORED;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
  agent_id WITH =,
  int8range(block_start, block_end) WITH &&,
  session_key WITH <>) WHERE (status <> 'cancelled');

CREATE OR REPLACE FUNCTION bookings_session_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  taken BIGINT;
BEGIN
  IF NEW.status = 'cancelled' THEN
    RETURN NEW;
  END IF;
  -- Not NEW.session_key: a BEFORE trigger sees generated columns as NULL.
  PERFORM pg_advisory_xact_lock(hashtextextended(
    'seats/' || NEW.agent_id::text || '/' || NEW.service_id::text || '/' || NEW.start_at::text, 0));
  SELECT count(*) INTO taken FROM bookings b
  WHERE b.agent_id = NEW.agent_id AND b.status <> 'cancelled'
    AND b.service_id = NEW.service_id AND b.start_at = NEW.start_at
    AND b.id <> NEW.id;
  IF taken >= NEW.capacity THEN
    RAISE EXCEPTION 'slot_taken: session full'
      USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'bookings_session_capacity';
  END IF;
  RETURN NEW;
END;
$$;
