-- Second-factor guesses count on their own, per user, across logins: only a passed second factor or an Account
-- Manager's unlock clears them (a right password or a reset does not).
ALTER TABLE users ADD COLUMN second_factor_failures integer NOT NULL DEFAULT 0;

-- Users are offered only their strongest second factor unless the account allows falling back to weaker ones.
ALTER TABLE accounts ADD COLUMN second_factor_fallback boolean NOT NULL DEFAULT false;

-- Trust used to be stored under one browser id shared by every user of the browser; trust is now a secret per
-- (user, browser). The old records end, so each user passes a second factor once more on each device.
UPDATE trusted_devices SET revoked_at = now() WHERE revoked_at IS NULL;

-- Lockout escalates: consecutive lock periods double (15 min up to 24 h); after 100 consecutive failures the account
-- stays locked until a reset or an Account Manager's unlock. Guesses in flight hold a slot of the threshold without
-- counting as failures, so parallel right passwords are not refused.
ALTER TABLE users ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN lockouts integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN attempts_in_flight integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_claim_at timestamptz NULL;
