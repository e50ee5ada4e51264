-- An organisation may let its agents see their colleagues' agendas (openings,
-- absences, busy times; never the residents of the bookings), read-only.
ALTER TABLE organisations ADD COLUMN colleagues_see_agendas INTEGER NOT NULL DEFAULT 0;
