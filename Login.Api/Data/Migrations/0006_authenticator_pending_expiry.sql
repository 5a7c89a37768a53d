-- A pending authenticator secret lives 10 minutes from the moment it was issued (checked against the app's clock).
ALTER TABLE users ADD COLUMN totp_pending_since timestamptz NULL;
-- Start-up steps that need .NET (e.g. encrypting with Data Protection) and must run once, journaled like DbUp's scripts.
CREATE TABLE IF NOT EXISTS startup_migrations (
    name text PRIMARY KEY,
    completed_at timestamptz NOT NULL DEFAULT now()
);
