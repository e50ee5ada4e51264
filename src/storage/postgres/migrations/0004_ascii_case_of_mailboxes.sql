-- Mailboxes compare with ASCII letters folded and nothing else, as in SQLite,
-- whose lower() folds only ASCII. PostgreSQL's lower() also folds É to é, by
-- the database's locale: one address matched a resident's bookings (and the
-- per-contact limit) on one store and not on the other.
CREATE FUNCTION ascii_lower(text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') $$;

DROP INDEX bookings_service_email;
CREATE INDEX bookings_service_email ON bookings(service_id, ascii_lower(resident_email))
  WHERE resident_email <> '';
DROP INDEX bookings_resident_email;
CREATE INDEX bookings_resident_email ON bookings(ascii_lower(resident_email));
DROP INDEX resident_links_email;
CREATE INDEX resident_links_email ON resident_links(ascii_lower(email), created_at)
  WHERE email <> '';
