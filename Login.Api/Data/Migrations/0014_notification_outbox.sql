-- Notices the broker did not take within a request's publish budget (a lockout email while RabbitMQ is slow or down):
-- the request has already changed something (a lock, a password), so it must not answer "nothing changed" with a 503
-- and drop the notice. The message waits here, encrypted with the Data Protection key ring (a reset link is a secret),
-- until NotificationOutboxRelay on any Login.Api replica hands it to the broker. The worker sends each MessageId at
-- most once, so a notice the broker did take after all is not sent twice.
CREATE TABLE notification_outbox (
    message_id uuid PRIMARY KEY,
    payload text NOT NULL,
    created_at timestamptz NOT NULL,
    attempts int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at);
