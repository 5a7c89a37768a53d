-- Sign-up (issue 18): an account may be 'pending' until its first Account Manager confirms the email address.
-- Every reader of accounts.status treats anything but 'active' as closed (UserStore maps it to a disabled user).
ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_status_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_status_check CHECK (status IN ('active', 'disabled', 'pending'));
-- How the account came about, and when its creator accepted the Service terms and Privacy policy.
ALTER TABLE accounts ADD COLUMN origin text NOT NULL DEFAULT 'seed' CHECK (origin IN ('seed', 'self-service', 'operator'));
ALTER TABLE accounts ADD COLUMN terms_accepted_at timestamptz NULL;
ALTER TABLE accounts ADD COLUMN activated_at timestamptz NULL;
CREATE INDEX accounts_pending_created ON accounts (created_at) WHERE status = 'pending';

-- The activation link of a pending sign-up: only the SHA-256 of the 256-bit token is stored; redeeming deletes the
-- row in the statement that reads it, so a link works once. The row goes with its account.
CREATE TABLE signup_activations (
    account_id uuid PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
