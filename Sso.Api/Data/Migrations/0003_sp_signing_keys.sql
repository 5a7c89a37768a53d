-- SP signing keys, one row per key, so a rollover can publish two at once: 'next' (added, published, not yet used),
-- 'current' (signs AuthnRequests) and 'previous' (switched away from, still published until retired).
-- The private key is a PKCS#12 protected with the platform's Data Protection key ring (purpose
-- "AccessPlatform.Sso.SpSigningKey.v1"): a dump of this database alone yields no usable key.
CREATE TABLE sso_sp_keys (
    id            uuid PRIMARY KEY,
    account_key   text NOT NULL REFERENCES sso_connections (account_key) ON DELETE CASCADE,
    state         text NOT NULL CHECK (state IN ('next', 'current', 'previous')),
    -- The public certificate (DER): metadata and the admin page read only this.
    certificate   bytea NOT NULL,
    protected_key bytea NOT NULL,
    not_after     timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sso_sp_keys_one_per_state ON sso_sp_keys (account_key, state);

-- Existing keys move over at start-up (SpSigningKeys.MigratePlainKeysAsync: encryption needs the key ring, which SQL has not);
-- the plain PKCS#12 column is emptied row by row as that happens and is unused from then on.
ALTER TABLE sso_connections ALTER COLUMN sp_signing_pfx DROP NOT NULL;
