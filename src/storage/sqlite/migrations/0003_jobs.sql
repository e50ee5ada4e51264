-- The outbox: messages and webhooks to send, written in the same transaction
-- as the booking change they come from, run by the scheduler.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,               -- email, sms, webhook
  idempotency_key TEXT NOT NULL UNIQUE,
  payload TEXT NOT NULL,            -- JSON
  organisation_id INTEGER,          -- for statistics
  run_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  status TEXT NOT NULL,             -- pending, running, done, skipped, failed
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_until INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX jobs_due ON jobs(status, run_at);

CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  url TEXT NOT NULL,
  secret TEXT NOT NULL,             -- HMAC key, shown only to its creator
  events TEXT NOT NULL,             -- "booking.created,booking.cancelled"
  created_at INTEGER NOT NULL
);
CREATE INDEX webhooks_organisation ON webhooks(organisation_id);

-- After the visit: the agent's written summary, whether the survey was
-- answered, and the resident's opt-out of reminders.
ALTER TABLE bookings ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN survey_answered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN reminders_opt_out INTEGER NOT NULL DEFAULT 0;

-- Process-wide secrets made on first start (the key that signs links).
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

ALTER TABLE services ADD COLUMN reminders TEXT NOT NULL DEFAULT '[2880,120]';  -- minutes before

-- Answers are kept apart from bookings: statistics never see who answered.
CREATE TABLE survey_answers (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL,
  service_id INTEGER NOT NULL,
  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  solved INTEGER NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  answered_on TEXT NOT NULL         -- the day only
);
CREATE INDEX survey_answers_org ON survey_answers(organisation_id, service_id);
