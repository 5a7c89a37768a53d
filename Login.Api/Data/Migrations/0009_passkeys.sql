-- Passkeys (WebAuthn, issue 11): discoverable credentials registered through Fido2. Only public data is stored: the
-- credential id, its COSE public key, the signature counter (a counter that stops growing means a cloned
-- authenticator), and the user handle the authenticator returns on a passwordless sign-in.
CREATE TABLE passkeys (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id bytea NOT NULL UNIQUE,
    public_key    bytea NOT NULL,
    sign_count    bigint NOT NULL CHECK (sign_count >= 0),
    user_handle   bytea NOT NULL,
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    created_at    timestamptz NOT NULL,
    last_used_at  timestamptz NULL
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- The account policy: who must have a passkey ('off' by default, 'account-managers', or 'everyone').
ALTER TABLE accounts ADD COLUMN passkey_policy text NOT NULL DEFAULT 'off'
    CHECK (passkey_policy IN ('off', 'account-managers', 'everyone'));
