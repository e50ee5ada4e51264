-- Video visits: each organisation's provider settings, and the documents
-- residents upload for their agent. (Rooms are derived from the link key.)
ALTER TABLE organisations ADD COLUMN video TEXT NOT NULL DEFAULT '{}';  -- JSON VideoSettings

CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  booking_id INTEGER NOT NULL REFERENCES bookings(id),
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  stored_name TEXT NOT NULL,   -- random file name under the documents directory
  created_at INTEGER NOT NULL
);
CREATE INDEX documents_booking ON documents(booking_id);
