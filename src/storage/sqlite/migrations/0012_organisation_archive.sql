-- An organisation that closes is archived when it has a history (places,
-- services, agents, accounts, webhooks), removed otherwise.
ALTER TABLE organisations ADD COLUMN archived_at INTEGER;
