-- Single sign-on (OpenID Connect): the provider's subject an account is bound
-- to at its first sign-in ("issuer subject"), and the sign-ins under way.
ALTER TABLE accounts ADD COLUMN sso_subject TEXT;
CREATE UNIQUE INDEX accounts_sso_subject ON accounts(sso_subject);

-- One row per redirection to the provider; single use, short-lived. The
-- state is known by its hash; the nonce and PKCE verifier are needed in clear
-- when the browser comes back, and live for minutes.
CREATE TABLE sso_logins (
  id INTEGER PRIMARY KEY,
  state_hash TEXT NOT NULL UNIQUE,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  return_to TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX sso_logins_created ON sso_logins(created_at);
