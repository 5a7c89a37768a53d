-- Issue 16: single logout. The IdP's SingleLogoutService (HTTP-Redirect) from its metadata or entered by hand; both
-- null: the IdP has no single logout (Google Workspace), and signing out ends the platform session only.
ALTER TABLE sso_connections ADD COLUMN idp_slo_url text NULL;
ALTER TABLE sso_connections ADD COLUMN idp_slo_response_url text NULL;
