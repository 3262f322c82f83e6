-- Card delivery tracking ("Track My Mail") and retail cash-reload
-- validation ("Get Card Details").

-- +goose Up

-- Fulfilment record of a physical card. Delivery method and emboss type
-- are the card's own columns; this adds what only fulfilment knows.
CREATE TABLE card_fulfilments (
    card_id    TEXT PRIMARY KEY REFERENCES cards (id),
    material   TEXT NOT NULL DEFAULT 'pvc',
    created_at BIGINT NOT NULL
);

-- Delivery status events from the card processor's feed, idempotent by
-- (card, status, time); they may arrive out of order.
CREATE TABLE card_delivery_events (
    card_id         TEXT NOT NULL REFERENCES cards (id),
    status          TEXT NOT NULL,
    occurred_at     BIGINT NOT NULL,
    tracking_number TEXT NOT NULL DEFAULT '',
    received_at     BIGINT NOT NULL,
    PRIMARY KEY (card_id, status, occurred_at)
);

-- Retail network: merchants (owned by a partner), their stores and users.
-- Fees are minor units; NULL means no fee is configured.
CREATE TABLE retail_merchants (
    id           TEXT PRIMARY KEY,
    partner_id   TEXT NOT NULL REFERENCES partners (id),
    name         TEXT NOT NULL,
    merchant_fee BIGINT,
    enabled      BOOLEAN NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE retail_stores (
    merchant_id TEXT NOT NULL REFERENCES retail_merchants (id),
    store_id    TEXT NOT NULL,
    blocked     BOOLEAN NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, store_id)
);

CREATE TABLE retail_users (
    merchant_id TEXT NOT NULL REFERENCES retail_merchants (id),
    user_id     TEXT NOT NULL,
    active      BOOLEAN NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, user_id)
);

-- A program's retail reload settings (operator field "reload").
CREATE TABLE program_reload (
    program_code     TEXT PRIMARY KEY REFERENCES programs (code),
    enabled          BOOLEAN NOT NULL,
    reload_fee       BIGINT,
    min_load_amount  BIGINT NOT NULL,
    max_load_amount  BIGINT NOT NULL,
    daily_load_limit BIGINT NOT NULL,
    card_type        TEXT NOT NULL DEFAULT 'Normal',
    updated_at       BIGINT NOT NULL
);

-- Every POST /card/details and its outcome, for the retailer's audit.
-- Never a full PAN: last4 only. merchant_id/request_id are NULL when the
-- request did not carry valid ones; otherwise they are unique (a repeated
-- X-GD-RequestId of a merchant is a duplicate request). fingerprint is a
-- keyed HMAC of the request, to tell a replay from a different request.
CREATE TABLE retail_validations (
    id                   TEXT PRIMARY KEY,
    merchant_id          TEXT,
    request_id           TEXT,
    partner_id           TEXT NOT NULL,
    store_id             TEXT NOT NULL DEFAULT '',
    user_id              TEXT NOT NULL DEFAULT '',
    register_id          TEXT NOT NULL DEFAULT '',
    account_id           TEXT NOT NULL DEFAULT '',
    last4                TEXT NOT NULL DEFAULT '',
    amount               BIGINT NOT NULL DEFAULT 0,
    payment_program_type TEXT NOT NULL DEFAULT '',
    request_date_time    TEXT NOT NULL DEFAULT '',
    response_code        INTEGER NOT NULL,
    response_description TEXT NOT NULL,
    response_body        TEXT NOT NULL,
    fingerprint          TEXT NOT NULL,
    approved             BOOLEAN NOT NULL,
    created_at           BIGINT NOT NULL,
    UNIQUE (merchant_id, request_id)
);
CREATE INDEX retail_validations_account_day ON retail_validations (account_id, approved, created_at);
CREATE INDEX retail_validations_merchant ON retail_validations (merchant_id, created_at);

-- +goose Down
-- Forward-only.
