-- Password reset and invitation tokens. Only the SHA-256 of the token is stored; one row per user, so issuing a
-- new token replaces the old one (only the newest works). The user's security stamp at issue time is kept: any
-- password change rotates the stamp and so voids the token.
CREATE TABLE password_tokens (
    user_id        uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash     text NOT NULL UNIQUE,
    purpose        text NOT NULL CHECK (purpose IN ('reset', 'invitation')),
    security_stamp uuid NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL
);

-- Teams group users of one account; the Users list filters by them.
CREATE TABLE teams (
    id         uuid PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts(id),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX teams_account_name ON teams (account_id, lower(name));

CREATE TABLE team_members (
    team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

-- The audit page filters by user, type and time within an account.
CREATE INDEX audit_events_account_user_time ON audit_events (account_id, user_id, occurred_at DESC);
