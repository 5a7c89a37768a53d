-- SAML single sign-on: which user an IdP identity is. The identity is namespaced by account and IdP entity id
-- (ASVS 6.8.1), so the same NameID at two IdPs, or in two accounts, never names the same user.
CREATE TABLE sso_links (
    account_id    uuid NOT NULL REFERENCES accounts(id),
    idp_entity_id text NOT NULL,
    name_id       text NOT NULL,
    user_id       uuid NOT NULL REFERENCES users(id),
    -- How the link came about: 'email-match' on first use, or 'jit' when the user was created for it.
    origin        text NOT NULL CHECK (origin IN ('email-match', 'jit')),
    given_name    text NULL,
    family_name   text NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, idp_entity_id, name_id)
);
CREATE INDEX sso_links_user ON sso_links (user_id);
