-- Sandbox (issue 13): per-program test clocks and the webhook loopback
-- receiver's configured answer. Both are read from the database on every
-- use, so every node sees a change at once.

-- +goose Up

-- A program's test clock: every timer of the program that honours it
-- (docs/sandbox.md) runs offset_micros ahead of the real clock.
CREATE TABLE sandbox_clocks (
    program_code  TEXT PRIMARY KEY REFERENCES programs (code),
    offset_micros BIGINT NOT NULL CHECK (offset_micros >= 0),
    updated_at    BIGINT NOT NULL
);

-- The answer the program's loopback webhook receiver gives: a delay drawn
-- from [min_delay_ms, max_delay_ms], an HTTP status, a body and its type.
CREATE TABLE sandbox_loopbacks (
    program_code TEXT PRIMARY KEY REFERENCES programs (code),
    min_delay_ms INTEGER NOT NULL,
    max_delay_ms INTEGER NOT NULL,
    http_status  INTEGER NOT NULL,
    body         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- +goose Down
-- Forward-only.
