-- IdP metadata by URL (issue 16): Sso.Api fetches the document at save time and then every
-- Sso:MetadataRefresh:Interval. A failed fetch keeps the last good document and its settings; the error and its
-- time are shown on the settings page. The URL is null for connections configured by paste or by hand.
ALTER TABLE sso_connections
    ADD COLUMN metadata_url             text NULL CHECK (metadata_url IS NULL OR (length(metadata_url) <= 2048 AND metadata_url LIKE 'https://%')),
    ADD COLUMN metadata_fetched_at      timestamptz NULL,
    ADD COLUMN metadata_error           text NULL CHECK (metadata_error IS NULL OR length(metadata_error) <= 200),
    ADD COLUMN metadata_error_at        timestamptz NULL,
    ADD COLUMN metadata_xml             text NULL;

-- The refresh service picks due connections; only those with a URL are ever due.
CREATE INDEX sso_connections_metadata_due ON sso_connections (metadata_fetched_at) WHERE metadata_url IS NOT NULL;
