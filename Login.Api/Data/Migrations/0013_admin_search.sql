-- The admin users list (issue 15): prefix search on username, email, given and family name, filters and sorts, all
-- within one account. Every index leads with account_id, so an account's list never reads another account's rows.
-- The expressions are lower(...) COLLATE "C": a btree in C order answers a prefix as a range (x >= p AND x < p||max),
-- which the queries state explicitly, so a prepared (generic) plan uses the index as well as a one-off plan does.
-- bench/admin-search-explain.sh prints the plans on 100,000 users.
CREATE INDEX users_admin_username ON users (account_id, (lower(username) COLLATE "C"));
CREATE INDEX users_admin_email ON users (account_id, (lower(email) COLLATE "C"));
CREATE INDEX users_admin_given_name ON users (account_id, (lower(given_name) COLLATE "C"));
-- Family name first, then given name and username: the "name" sort walks this index; a family-name prefix uses it too.
CREATE INDEX users_admin_name ON users (account_id, (lower(family_name) COLLATE "C"), (lower(given_name) COLLATE "C"),
    (lower(username) COLLATE "C"));
CREATE INDEX users_admin_created ON users (account_id, created_at, id);

-- The last sign-in as the profile shows it: when, how (password, passkey, sso) and on which device (the session's
-- label, e.g. "Firefox on Linux"). Written with the session, so it is the last successful sign-in, never an attempt.
ALTER TABLE users ADD COLUMN last_login_at timestamptz NULL;
ALTER TABLE users ADD COLUMN last_login_method text NULL CHECK (last_login_method IS NULL OR last_login_method IN ('password', 'passkey', 'sso'));
ALTER TABLE users ADD COLUMN last_login_device text NULL CHECK (last_login_device IS NULL OR length(last_login_device) <= 200);
-- NULLS FIRST: scanned forward it lists "never" then the oldest; backward it lists the newest first and "never" last.
CREATE INDEX users_admin_last_login ON users (account_id, last_login_at NULLS FIRST, id);

