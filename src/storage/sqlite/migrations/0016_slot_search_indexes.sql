-- The slot search reads, for the agents offering a service, the time their
-- bookings hold and the busy time of their own calendars. Both indexes now
-- hold every column it reads (status too, which the partial index tests),
-- so the search does not visit the tables.
DROP INDEX bookings_agent_time;
CREATE INDEX bookings_agent_time
  ON bookings(agent_id, block_start, block_end, start_at, service_id, status)
  WHERE status <> 'cancelled';
DROP INDEX calendar_busy_agent;
CREATE INDEX calendar_busy_agent ON calendar_busy(agent_id, start_at, end_at);
-- Events longer than a day are few: read apart, they spare the search a walk
-- over the 400 days of short events before each window.
CREATE INDEX calendar_busy_long ON calendar_busy(agent_id, end_at) WHERE end_at - start_at > 86400;
