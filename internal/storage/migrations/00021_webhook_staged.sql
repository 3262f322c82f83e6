-- Webhook events staged on PostgreSQL (issue 12): a transaction that
-- emits events writes them here, with no lock, and the delivery worker
-- gives the committed ones their stream positions afterwards
-- (storage: webhook_staged.go). Positions taken before commit (00020)
-- made one program's emitting transactions commit one after another.
-- SQLite's single writer still writes straight into the stream; the
-- table is there, empty.

-- +goose Up
-- staged_at is the database server's clock when the writing statement
-- started (one clock for every node) and n the event's place in it:
-- together the order in which a program's events are given positions.
CREATE TABLE webhook_staged (
    id           TEXT PRIMARY KEY,
    program_code TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    staged_at    BIGINT NOT NULL,
    n            BIGINT NOT NULL
);
