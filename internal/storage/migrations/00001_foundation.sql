-- Foundation schema: partners, programs, accounts, cards, audit trail and
-- the outbox. Portable SQL: it runs unchanged on SQLite and PostgreSQL.
-- Timestamps are BIGINT microseconds since the Unix epoch (UTC); ids are
-- UUID text; lists are JSON text.

-- +goose Up
CREATE TABLE partners (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    client_id      TEXT NOT NULL UNIQUE,
    secret_hash    TEXT NOT NULL,
    secret_version INTEGER NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE programs (
    code             TEXT PRIMARY KEY,
    partner_id       TEXT NOT NULL REFERENCES partners (id),
    name             TEXT NOT NULL,
    bin              TEXT NOT NULL,
    currency         TEXT NOT NULL DEFAULT 'USD',
    adjustment_types TEXT NOT NULL DEFAULT '[]',
    features         TEXT NOT NULL DEFAULT '[]',
    terms_enforced   TEXT NOT NULL DEFAULT '[]',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX programs_partner ON programs (partner_id);

CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,
    program_code TEXT NOT NULL REFERENCES programs (code),
    status       TEXT NOT NULL,
    first_name   TEXT NOT NULL,
    last_name    TEXT NOT NULL,
    zip_code     TEXT NOT NULL,
    customer_id  TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX accounts_program ON accounts (program_code);

-- Cards (payment instruments). The PAN is sealed (AES-256-GCM, pan_key_id
-- names the key) and indexed by keyed HMAC; several cards may share a PAN
-- (replacements and reissues), so the index is not unique.
CREATE TABLE cards (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    program_code    TEXT NOT NULL REFERENCES programs (code),
    pan_sealed      TEXT NOT NULL,
    pan_key_id      TEXT NOT NULL,
    pan_index       TEXT NOT NULL,
    last4           TEXT NOT NULL,
    bin             TEXT NOT NULL,
    expiry_year     TEXT NOT NULL,
    expiry_month    TEXT NOT NULL,
    type            TEXT NOT NULL,
    status          TEXT NOT NULL,
    emboss_type     TEXT NOT NULL DEFAULT '',
    delivery_method TEXT NOT NULL DEFAULT 'reg',
    issued_at       BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX cards_pan_index ON cards (pan_index);
CREATE INDEX cards_account ON cards (account_id);

-- Append-only audit trail of operator and partner actions that change
-- state (who, when, what). detail is JSON and never holds PAN/SSN/DOB.
CREATE TABLE audit_events (
    id         TEXT PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_subject ON audit_events (subject, at);

-- Outbox: side effects leaving the process (email, SMS, CRM) are written
-- here in the same transaction as the business change and delivered by a
-- worker with retries (internal/outbox).
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    topic           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- +goose Down
-- Forward-only: verdant never rolls a schema back.
