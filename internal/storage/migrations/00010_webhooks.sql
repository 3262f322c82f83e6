-- Partner webhooks: subscriptions, events, deliveries and their attempts.
-- Events and deliveries are written in the same transaction as the
-- business change that causes them, so a change that rolls back sends
-- nothing and one that commits is delivered even if the process dies.

-- +goose Up
-- A partner endpoint receiving a program's events of the listed types
-- (event_types is a JSON list; event_mask the same as bits,
-- webhook.Mask, which emission tests without re-planning a LIKE). The signing secret is sealed by the
-- vault; after a rotation the previous one also signs until
-- previous_until.
CREATE TABLE webhook_subscriptions (
    id               TEXT PRIMARY KEY,
    program_code     TEXT NOT NULL REFERENCES programs (code),
    url              TEXT NOT NULL,
    event_types      TEXT NOT NULL,
    event_mask       BIGINT NOT NULL,
    enabled          BOOLEAN NOT NULL,
    retries          BOOLEAN NOT NULL,
    secret_sealed    TEXT NOT NULL,
    secret_key_id    TEXT NOT NULL,
    previous_sealed  TEXT NOT NULL DEFAULT '',
    previous_key_id  TEXT NOT NULL DEFAULT '',
    previous_until   BIGINT NOT NULL DEFAULT 0,
    disabled_reason  TEXT NOT NULL DEFAULT '',
    disabled_at      BIGINT NOT NULL DEFAULT 0,
    failing_since    BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (program_code, url)
);

-- An event as sent (payload is the event's JSON object). Ids are UUIDv7,
-- so id order is time order (pruning ranges over the primary key). An
-- event is only written when some subscription wants it.
CREATE TABLE webhook_events (
    id           TEXT PRIMARY KEY,
    program_code TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

-- One event to one subscription. status: pending (due at
-- next_attempt_at, or in flight while lease_until is ahead), delivered or
-- failed (replayable). message_id is the webhook-id of the POST it was
-- first sent in ('' before): a retry sends the same message, claimed
-- through its head row (message_id = id). cycle_at starts the retry
-- schedule (the event's time, or the last replay's).
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES webhook_events (id),
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    program_code    TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    status          TEXT NOT NULL,
    test            BOOLEAN NOT NULL DEFAULT FALSE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    cycle_at        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT NOT NULL DEFAULT 0,
    message_id      TEXT NOT NULL DEFAULT '',
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    delivered_at    BIGINT NOT NULL DEFAULT 0
);
-- Every index here costs each posting that emits an event, so there are
-- few. Claiming due deliveries: only pending rows are indexed.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- The rest of a message being retried (new rows have no message yet).
CREATE INDEX webhook_deliveries_message ON webhook_deliveries (message_id) WHERE status = 'pending' AND message_id <> '';
-- Listing (newest first, keyset paging), replay and pruning, per program
-- (a program has few subscriptions); a delivery's created_at is its
-- event's, so this also finds the deliveries of an event.
CREATE INDEX webhook_deliveries_program ON webhook_deliveries (program_code, created_at, id);

-- Every attempt: when, the HTTP status (0: no answer), latency, error
-- class and the first KiB of the answer.
CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt      INTEGER NOT NULL,
    message_id   TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    attempted_at BIGINT NOT NULL,
    http_status  INTEGER NOT NULL,
    latency_us   BIGINT NOT NULL,
    error_class  TEXT NOT NULL,
    error        TEXT NOT NULL,
    response     TEXT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- +goose Down
-- Forward-only.
