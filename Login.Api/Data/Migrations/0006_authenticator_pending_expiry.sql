-- A pending authenticator secret lives 10 minutes from the moment it was issued (checked against the app's clock).
ALTER TABLE users ADD COLUMN totp_pending_since timestamptz NULL;
