-- Changing one's own (or an Account Manager changing a user's) email or phone (issue 11): the new value waits here
-- until it is confirmed from the new address or number. One pending change per user and kind; a new request replaces
-- it. Only the SHA-256 of the 256-bit link token is stored; redeeming deletes the row in the statement that reads it,
-- so a link works once. The security stamp at request time must still be the user's: a password change or reset in
-- between voids the change (a thief's pending change dies when the owner resets the password).
CREATE TABLE contact_changes (
    user_id        uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('email', 'phone')),
    new_value      text NOT NULL,
    token_hash     text NOT NULL UNIQUE,
    security_stamp uuid NOT NULL,
    requested_by   uuid NULL,            -- the Account Manager, or NULL when the user asked themselves
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    PRIMARY KEY (user_id, kind)
);
CREATE INDEX contact_changes_expires ON contact_changes (expires_at);

-- The addresses a user had before an email change, so a password reset soon after one also tells the old address.
CREATE TABLE email_history (
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    old_email  text NOT NULL,
    changed_at timestamptz NOT NULL
);
CREATE INDEX email_history_user ON email_history (user_id, changed_at DESC);
