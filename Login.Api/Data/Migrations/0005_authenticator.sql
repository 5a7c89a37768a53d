-- Authenticator app (TOTP, RFC 6238). The last accepted time step makes every code usable once (ASVS 6.5.1).
ALTER TABLE users ADD COLUMN totp_secret text NULL;
ALTER TABLE users ADD COLUMN totp_pending_secret text NULL;
ALTER TABLE users ADD COLUMN totp_last_step bigint NULL;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_otp_channel_check;
ALTER TABLE users ADD CONSTRAINT users_otp_channel_check CHECK (otp_channel IS NULL OR otp_channel IN ('email', 'sms', 'totp'));
