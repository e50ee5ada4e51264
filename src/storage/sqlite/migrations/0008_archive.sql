-- A service with bookings is archived rather than deleted: its bookings keep
-- their service, it is no longer found nor bookable.
ALTER TABLE services ADD COLUMN archived_at INTEGER;
CREATE INDEX bookings_service_start ON bookings(service_id, start_at);
CREATE INDEX bookings_booked_by_account ON bookings(booked_by_account_id, start_at)
  WHERE booked_by_account_id IS NOT NULL;
