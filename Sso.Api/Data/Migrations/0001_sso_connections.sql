-- One SAML connection per account: the IdP it trusts and our SP signing key.
CREATE TABLE sso_connections (
    account_key                text PRIMARY KEY CHECK (account_key ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    -- Null until the Account Manager configured the IdP; the SP key exists from the first visit of the settings.
    idp_entity_id              text NULL,
    idp_sso_url                text NULL,
    -- DER certificates, base64; two at once during a rollover.
    idp_certificates           text[] NOT NULL DEFAULT '{}',
    want_authn_requests_signed boolean NOT NULL DEFAULT false,
    enforce_sso                boolean NOT NULL DEFAULT false,
    jit_provisioning           boolean NOT NULL DEFAULT false,
    allow_idp_initiated        boolean NOT NULL DEFAULT false,
    -- The SP signing certificate with its private key (PKCS#12, no password). Acceptable at this stage only:
    -- production should keep the key in a key vault or encrypt it with a key that is not in this database.
    sp_signing_pfx             bytea NOT NULL,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now()
);
