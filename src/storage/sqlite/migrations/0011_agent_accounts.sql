-- Slot searches leave out the openings of agents whose account is
-- deactivated: find that account by its agent quickly.
CREATE INDEX accounts_agent ON accounts(agent_id);
