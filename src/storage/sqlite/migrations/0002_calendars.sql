-- Calendar sync: iCal SEQUENCE of bookings, agents' external calendars, the
-- busy time read from them, and openings that come from a calendar.
ALTER TABLE bookings ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE bookings SET updated_at = created_at;
-- Serves the agent's feed and busy view: all of an agent's bookings by time.
CREATE INDEX bookings_agent_start ON bookings(agent_id, start_at);

CREATE TABLE external_calendars (
  id INTEGER PRIMARY KEY,
  agent_id INTEGER NOT NULL REFERENCES agents(id),
  url TEXT NOT NULL,
  purpose TEXT NOT NULL,            -- busy, availability
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  content TEXT NOT NULL DEFAULT '', -- last good iCalendar text
  last_success_at INTEGER,
  last_attempt_at INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  warnings TEXT NOT NULL DEFAULT '[]',
  next_fetch_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX external_calendars_agent ON external_calendars(agent_id);
CREATE INDEX external_calendars_due ON external_calendars(next_fetch_at);

-- Busy intervals of `busy` calendars, expanded at each good fetch over the
-- slot search horizon.
CREATE TABLE calendar_busy (
  calendar_id INTEGER NOT NULL REFERENCES external_calendars(id) ON DELETE CASCADE,
  agent_id INTEGER NOT NULL,
  start_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL
);
CREATE INDEX calendar_busy_agent ON calendar_busy(agent_id, start_at);
CREATE INDEX calendar_busy_calendar ON calendar_busy(calendar_id);

ALTER TABLE openings ADD COLUMN calendar_id INTEGER REFERENCES external_calendars(id);
CREATE INDEX openings_calendar ON openings(calendar_id);
