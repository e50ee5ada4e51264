-- As SQLite's 0017: grows with every change of an agent's calendar busy time.
ALTER TABLE agents ADD COLUMN busy_version bigint NOT NULL DEFAULT 0;
