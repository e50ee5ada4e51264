-- Grows with every change of the busy time read from an agent's calendars
-- (a refresh, a calendar removed), in the transaction that makes it: slot
-- searches keep that busy time in memory under this number and read it again
-- only when the number moved, in any process.
ALTER TABLE agents ADD COLUMN busy_version INTEGER NOT NULL DEFAULT 0;
