-- Devices a user completed a second factor on. The browser holds a random id; only its hash is stored.
CREATE TABLE trusted_devices (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device_hash text NOT NULL,
    label       text NOT NULL,
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    last_ip     text NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz NULL,
    UNIQUE (user_id, device_hash)
);
CREATE INDEX trusted_devices_user ON trusted_devices (user_id);

-- The channel the user chose last time (preselected on the challenge page).
ALTER TABLE users ADD COLUMN otp_channel text NULL CHECK (otp_channel IS NULL OR otp_channel IN ('email', 'sms'));
