-- Webhook cursors (issue 12, second design): a posting writes only its
-- event; each subscription reads its program's events past a leased
-- cursor, and a delivery row is written only for an event whose POST
-- failed, or that an operator sends again (redeliver, replay, test).

-- +goose Up
-- An event's place in its program's stream (webhook.Position). Positions
-- are handed out just before the writing transaction commits, under the
-- program's webhook_streams row lock, so they follow commit order: a
-- reader that sees position n sees every position below it, and a cursor
-- never passes an event that commits later. NULL: not in the stream (a
-- test event, or one written before this migration, delivered through
-- its delivery rows).
ALTER TABLE webhook_events ADD COLUMN seq BIGINT;
-- The stream, in order (the cursors read it; pruning walks it).
CREATE UNIQUE INDEX webhook_events_stream ON webhook_events (program_code, seq);
-- The delivery log lists stream events newest first by their time.
CREATE INDEX webhook_events_listed ON webhook_events (program_code, created_at);

-- The last position handed out in each program's stream. A row exists
-- for every program that has (had) a subscription.
CREATE TABLE webhook_streams (
    program_code TEXT PRIMARY KEY,
    last_seq     BIGINT NOT NULL
);
INSERT INTO webhook_streams (program_code, last_seq)
    SELECT DISTINCT program_code, 0 FROM webhook_subscriptions;

-- One per subscription: every event of its program at or below position
-- has been handled (acknowledged, or turned into a delivery row). A
-- worker leases the cursor (lease_until, also the claim's identity) to
-- send the events after it; window_to is the end of a window whose
-- outcomes were partly recorded by a holder that then lost the lease, so
-- the next holder skips what is already handled there.
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

-- +goose Down
-- Forward-only.
