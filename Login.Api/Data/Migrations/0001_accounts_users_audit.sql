-- Accounts are customer companies; users belong to exactly one account.
CREATE TABLE accounts (
    id           uuid PRIMARY KEY,
    key          text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name         text NOT NULL,
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    sso_enforced boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                 uuid PRIMARY KEY,
    account_id         uuid NOT NULL REFERENCES accounts(id),
    username           text NOT NULL,
    email              text NOT NULL,
    phone              text NULL CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{6,14}$'),
    password_hash      text NULL,
    preferred_language text NOT NULL DEFAULT 'en',
    roles              text[] NOT NULL DEFAULT '{User}',
    web_access         boolean NOT NULL DEFAULT true,
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    -- Lockout state lives here, not in Redis, so a cache restart cannot reset it.
    failed_attempts    integer NOT NULL DEFAULT 0,
    locked_until       timestamptz NULL,
    security_stamp     uuid NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
-- Usernames are unique across the platform, case-insensitively.
CREATE UNIQUE INDEX users_username_unique ON users (lower(username));
CREATE INDEX users_account ON users (account_id);
CREATE INDEX users_email ON users (lower(email));

-- Security events, append-only: the table refuses updates and deletes.
CREATE TABLE audit_events (
    id          bigserial PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    account_id  uuid NULL,
    user_id     uuid NULL,
    actor_id    uuid NULL,
    type        text NOT NULL,
    reason      text NULL,
    ip          text NULL,
    trace_id    text NULL
);
CREATE INDEX audit_events_account_time ON audit_events (account_id, occurred_at DESC);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
