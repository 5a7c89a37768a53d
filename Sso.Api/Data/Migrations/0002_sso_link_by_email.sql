-- Issue 12: "Link existing users by email" (off by default). When on, a password-less user of the account (created
-- just in time or invited for SSO only) whose email the IdP asserts is linked on first use, if not yet linked to this
-- IdP. Users with a password always confirm the link with password and second factor instead.
ALTER TABLE sso_connections ADD COLUMN link_existing_users_by_email boolean NOT NULL DEFAULT false;
