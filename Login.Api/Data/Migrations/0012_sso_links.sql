-- SSO links like Keycloak's first-broker-login (issue 12): a link is stored only after the user proved it (password and
-- second factor on the link page: 'confirmed'), by the account's "link existing users by email" rule for password-less
-- users ('email-match'), or for a user created just in time ('jit'). Links keep the IdP entity id in their key, so an
-- IdP with a new entity id starts with no links.
ALTER TABLE sso_links DROP CONSTRAINT IF EXISTS sso_links_origin_check;
ALTER TABLE sso_links ADD CONSTRAINT sso_links_origin_check CHECK (origin IN ('email-match', 'jit', 'confirmed'));
-- The NameID format the link was made with (persistent, unspecified, emailAddress); transient NameIDs are never linked.
ALTER TABLE sso_links ADD COLUMN name_id_format text NULL;
-- Given and family name of a user created just in time, from the IdP's attributes.
ALTER TABLE users ADD COLUMN given_name text NULL CHECK (given_name IS NULL OR length(given_name) <= 256);
ALTER TABLE users ADD COLUMN family_name text NULL CHECK (family_name IS NULL OR length(family_name) <= 256);
