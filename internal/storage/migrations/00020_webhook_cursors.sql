-- Webhook cursors (issue 12, second design): a posting writes only its
-- event, into its program's stream; each subscription reads the stream
-- past a leased cursor, and a delivery row is written only for an event
-- whose POST failed, or that an operator sends again (redeliver, replay,
-- test).

-- +goose Up
-- A program's events in commit order. seq is the event's position,
-- handed out just before the writing transaction commits (storage:
-- webhook_stream.go), so a reader that sees position n sees every
-- position below it and a cursor never passes an event that commits
-- later. This table has one index (its key): every posting that emits
-- pays for each index in every commit. An event that gets a delivery row
-- is copied into webhook_events, which the rows refer to.
CREATE TABLE webhook_stream (
    program_code TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    id           TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (program_code, seq)
);

-- PostgreSQL: the last position handed out in each program's stream
-- (its row lock orders concurrent writers). SQLite's single writer takes
-- the next position from the stream itself.
CREATE TABLE webhook_streams (
    program_code TEXT PRIMARY KEY,
    last_seq     BIGINT NOT NULL
);

-- One per subscription: every event of its program's stream at or below
-- position has been handled (acknowledged, or turned into a delivery
-- row). A worker leases the cursor (lease_until, also the claim's
-- identity) to send the span after it; window_to is the end of a span
-- whose outcomes were partly recorded by a holder that then lost the
-- lease, so the next holder leaves out what is handled there.
CREATE TABLE webhook_cursors (
    subscription_id TEXT PRIMARY KEY REFERENCES webhook_subscriptions (id),
    program_code    TEXT NOT NULL,
    position        BIGINT NOT NULL,
    window_to       BIGINT NOT NULL DEFAULT 0,
    lease_until     BIGINT NOT NULL DEFAULT 0
);
INSERT INTO webhook_cursors (subscription_id, program_code, position)
    SELECT id, program_code, 0 FROM webhook_subscriptions;

-- One row per acknowledged POST sent from a cursor: it delivered every
-- event of the account with a position in [first_seq, last_seq] whose
-- type is in event_mask (the subscription's types when it was sent). The
-- ranges of one subscription and account never overlap. request_id is a
-- UUIDv7 (time order: pruning ranges over it).
CREATE TABLE webhook_posts (
    request_id      TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    program_code    TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    first_seq       BIGINT NOT NULL,
    last_seq        BIGINT NOT NULL,
    event_mask      BIGINT NOT NULL,
    events          INTEGER NOT NULL,
    message_id      TEXT NOT NULL,
    attempted_at    BIGINT NOT NULL,
    http_status     INTEGER NOT NULL,
    latency_us      BIGINT NOT NULL,
    response        TEXT NOT NULL
);
-- Which POST delivered an event: the first range of the subscription and
-- account ending at or after the event's position.
CREATE INDEX webhook_posts_range ON webhook_posts (subscription_id, account_id, last_seq);

-- A delivery row's place in the delivery log, which lists newest first
-- by stream position: its event's position (for a test event, the
-- stream's head when it was sent; 0 for rows from before this migration,
-- listed last).
ALTER TABLE webhook_deliveries ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (program_code, seq, id);

-- +goose Down
-- Forward-only.
