-- Contact verification (one-time codes over email, SMS and voice) and its
-- sent-messages log. Handles and codes are never stored in clear: the
-- handle is sealed (vault.Seal, context "contact:<id>") and indexed by
-- keyed HMAC; the code is stored as a keyed HMAC for checking and sealed
-- (context "otp:<id>") for delivery.

-- +goose Up
CREATE TABLE contact_verifications (
    id             TEXT PRIMARY KEY,
    program_code   TEXT NOT NULL REFERENCES programs (code),
    account_id     TEXT NOT NULL DEFAULT '',
    event_type     TEXT NOT NULL DEFAULT '',
    contact_type   TEXT NOT NULL,
    channel        TEXT NOT NULL,
    handle_index   TEXT NOT NULL,
    handle_sealed  TEXT NOT NULL,
    handle_masked  TEXT NOT NULL,
    code_hash      TEXT NOT NULL,
    code_sealed    TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    first_name     TEXT NOT NULL DEFAULT '',
    last_name      TEXT NOT NULL DEFAULT '',
    product_code   TEXT NOT NULL DEFAULT '',
    retail_card_id TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    verified_at    BIGINT NOT NULL DEFAULT 0,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX contact_verifications_handle ON contact_verifications (handle_index, created_at);

-- One row per contact handle: the lock every code request for that
-- handle takes (SELECT ... FOR UPDATE), so rate limits hold across nodes.
CREATE TABLE contact_rate_limits (
    handle_index TEXT PRIMARY KEY,
    last_at      BIGINT NOT NULL
);

-- The sent-messages log (GET /admin/v1/messages). body has the code
-- redacted; the outbox row only names the message id.
CREATE TABLE verification_messages (
    id              TEXT PRIMARY KEY,
    verification_id TEXT NOT NULL REFERENCES contact_verifications (id),
    program_code    TEXT NOT NULL,
    channel         TEXT NOT NULL,
    to_index        TEXT NOT NULL,
    to_masked       TEXT NOT NULL,
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX verification_messages_to ON verification_messages (to_index, created_at);

-- +goose Down
-- Forward-only.
