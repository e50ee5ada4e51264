-- Openings' services are read and removed by opening (agendas, edits,
-- calendars replacing their openings): without this index each lookup
-- scanned the whole table, whose key starts with the service. (SQLite 0015;
-- SQLite 0014, ids never given twice, needs nothing here: an identity
-- column never gives an id again.)
CREATE INDEX opening_services_opening ON opening_services(opening_id);
