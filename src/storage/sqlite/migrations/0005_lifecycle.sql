-- Every status but 'cancelled' holds its time: a booking marked done or
-- no-show stays in the agent's past, and must never free its slot.
DROP INDEX bookings_agent_time;
CREATE INDEX bookings_agent_time ON bookings(agent_id, block_start) WHERE status <> 'cancelled';

DROP TRIGGER bookings_no_overlap_insert;
DROP TRIGGER bookings_no_overlap_update;

-- Last line of defence against double booking, whatever the code above does:
-- an agent's bookings that hold time never overlap, except seats of one group session.
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

-- Idempotency keys keep no answer (it held the manage token and the
-- resident's data): only a hash of the client-scoped key, the request's hash
-- and the booking made, whose answer is rendered again on a replay.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
  key_hash TEXT PRIMARY KEY,   -- SHA-256 of client scope + Idempotency-Key header
  request_hash TEXT NOT NULL,
  booking_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- Open bookings of one contact for one service, counted at each booking.
CREATE INDEX bookings_service_email ON bookings(service_id, resident_email) WHERE resident_email <> '';
CREATE INDEX bookings_service_phone ON bookings(service_id, resident_phone) WHERE resident_phone <> '';
