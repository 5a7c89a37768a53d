-- SP keys get a use: 'signing' (AuthnRequests, as before) or 'encryption' (IdPs encrypt assertions to it; Sso.Api
-- decrypts). A separate key per use, each with its own next/current/previous rollover, so one state per use.
ALTER TABLE sso_sp_keys ADD COLUMN use text NOT NULL DEFAULT 'signing' CHECK (use IN ('signing', 'encryption'));
DROP INDEX sso_sp_keys_one_per_state;
CREATE UNIQUE INDEX sso_sp_keys_one_per_use_and_state ON sso_sp_keys (account_key, use, state);

-- "Require encrypted assertions": a plain assertion is refused (saml-encryption-required). Off by default.
ALTER TABLE sso_connections ADD COLUMN require_encrypted_assertions boolean NOT NULL DEFAULT false;
