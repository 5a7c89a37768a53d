-- Recovery codes: a set per user (generating a new set replaces the old one). Each code is stored as its
-- HMAC-SHA256 under the set's own random key; the key is stored encrypted with the Data Protection key ring (as the
-- authenticator secrets are), so a database dump alone cannot test guesses offline against the 50-bit codes.
CREATE TABLE recovery_code_sets (
    user_id    uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    hmac_key   text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE recovery_codes (
    user_id   uuid NOT NULL REFERENCES recovery_code_sets(user_id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at   timestamptz NULL,
    PRIMARY KEY (user_id, code_hash)
);
