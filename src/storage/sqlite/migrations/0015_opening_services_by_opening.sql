-- Openings' services are read and removed by opening (agendas, edits,
-- calendars replacing their openings): without this index each lookup
-- scanned the whole table, whose key starts with the service.
CREATE INDEX opening_services_opening ON opening_services(opening_id);
