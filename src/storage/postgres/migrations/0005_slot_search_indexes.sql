-- As SQLite's 0016: the slot search reads only what these indexes hold (an
-- index-only scan wherever the visibility map allows), and events longer than
-- a day are read apart.
DROP INDEX bookings_agent_time;
CREATE INDEX bookings_agent_time
  ON bookings(agent_id, block_start, block_end, start_at, service_id, status)
  WHERE status <> 'cancelled';
DROP INDEX calendar_busy_agent;
CREATE INDEX calendar_busy_agent ON calendar_busy(agent_id, start_at, end_at);
CREATE INDEX calendar_busy_long ON calendar_busy(agent_id, end_at) WHERE end_at - start_at > 86400;
