-- As SQLite's 0018: one index per kind of contact, the service after it,
-- serves both the resident's lookup and the per-service count; two indexes
-- fewer for every booking to write, none for a contact left empty.
DROP INDEX bookings_service_email;
DROP INDEX bookings_service_phone;
DROP INDEX bookings_resident_email;
DROP INDEX bookings_resident_phone;
CREATE INDEX bookings_contact_email ON bookings(ascii_lower(resident_email), service_id)
  WHERE resident_email <> '';
CREATE INDEX bookings_contact_phone ON bookings(resident_phone, service_id)
  WHERE resident_phone <> '';
