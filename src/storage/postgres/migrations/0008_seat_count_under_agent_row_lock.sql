-- The seat count of a session is made under a lock of the agent's row rather
-- than an advisory lock per session. Advisory locks live in the server's
-- shared lock table until the transaction ends (about 64 per connection by
-- default): one transaction writing thousands of sessions, as the copy from
-- SQLite of a department's bookings does, ran out of shared memory. A row
-- lock is written in the row itself and has no such limit. It is coarser
-- (one agent's sessions are counted one transaction at a time) and costs
-- nothing more: the store already writes one transaction at a time.
-- FOR NO KEY UPDATE leaves the foreign keys' FOR KEY SHARE free.
CREATE OR REPLACE FUNCTION bookings_session_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  taken BIGINT;
BEGIN
  IF NEW.status = 'cancelled' THEN
    RETURN NEW;
  END IF;
  -- Waits for any other transaction counting this agent's seats; the count
  -- below, a statement of its own, then sees what that one committed.
  PERFORM 1 FROM agents WHERE id = NEW.agent_id FOR NO KEY UPDATE;
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
