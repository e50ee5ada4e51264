-- A mailbox is one person whatever the letter case it is typed in: the limit
-- of open bookings per contact compares addresses in lower case.
DROP INDEX bookings_service_email;
CREATE INDEX bookings_service_email ON bookings(service_id, lower(resident_email))
  WHERE resident_email <> '';
