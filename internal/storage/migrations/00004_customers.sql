-- Customer profiles, OFAC sanctions screening and customer lookup.

-- +goose Up
-- Customers belong to the partner that created them: (partner_id, id) is
-- the key, so two partners may use the same customer id. SSN and DOB are
-- sealed (vault.Seal, context bound to the row); ssn_index is a keyed HMAC
-- for look-ups; fingerprint is a keyed HMAC of the request's canonical
-- content, which tells a replay from a conflicting re-post.
CREATE TABLE customers (
    partner_id    TEXT NOT NULL REFERENCES partners (id),
    id            TEXT NOT NULL,
    link_id       TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    address1      TEXT NOT NULL DEFAULT '',
    address2      TEXT NOT NULL DEFAULT '',
    city          TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT '',
    zip_code      TEXT NOT NULL,
    ssn_sealed    TEXT NOT NULL DEFAULT '',
    ssn_key_id    TEXT NOT NULL DEFAULT '',
    ssn_index     TEXT NOT NULL DEFAULT '',
    last4_sealed  TEXT NOT NULL DEFAULT '',
    last4_key_id  TEXT NOT NULL DEFAULT '',
    dob_sealed    TEXT NOT NULL DEFAULT '',
    dob_key_id    TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    detail_code   INTEGER NOT NULL DEFAULT 0,
    detail        TEXT NOT NULL DEFAULT '',
    is_active     BOOLEAN NOT NULL,
    fingerprint   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (partner_id, id)
);
CREATE INDEX customers_id ON customers (id);
CREATE INDEX customers_ssn ON customers (ssn_index);

-- Sanctions matches held for an operator's review; the decision (who,
-- when, note) stays on the row, and each decision is also an audit event.
CREATE TABLE sanctions_reviews (
    id            TEXT PRIMARY KEY,
    partner_id    TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    entry_id      INTEGER NOT NULL,
    matched_name  TEXT NOT NULL,
    score         TEXT NOT NULL,
    list_version  TEXT NOT NULL,
    matches       TEXT NOT NULL,
    status        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    decided_at    BIGINT NOT NULL DEFAULT 0,
    decided_by    TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (partner_id, customer_id) REFERENCES customers (partner_id, id)
);
CREATE INDEX sanctions_reviews_status ON sanctions_reviews (status, created_at);
CREATE INDEX sanctions_reviews_customer ON sanctions_reviews (customer_id, partner_id);

-- Every list ever put in force; the newest loaded_at is in force. The
-- embedded snapshot is recorded without its files (every binary has them).
-- Files are gzip + base64 text, portable across engines.
CREATE TABLE sanctions_lists (
    version    TEXT PRIMARY KEY,
    published  TEXT NOT NULL,
    sdn_rows   INTEGER NOT NULL,
    alt_rows   INTEGER NOT NULL,
    add_rows   INTEGER NOT NULL,
    source     TEXT NOT NULL,
    loaded_by  TEXT NOT NULL,
    loaded_at  BIGINT NOT NULL,
    sdn_gz     TEXT NOT NULL DEFAULT '',
    alt_gz     TEXT NOT NULL DEFAULT '',
    add_gz     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sanctions_lists_loaded ON sanctions_lists (loaded_at);

-- Audit log of customer lookups by card number: never the PAN, only the
-- card found (if any), its last four digits and the retailer block.
CREATE TABLE customer_lookups (
    id           TEXT PRIMARY KEY,
    at           BIGINT NOT NULL,
    partner_id   TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    card_id      TEXT NOT NULL DEFAULT '',
    last4        TEXT NOT NULL DEFAULT '',
    store_number TEXT NOT NULL DEFAULT '',
    store_name   TEXT NOT NULL DEFAULT '',
    state_code   TEXT NOT NULL DEFAULT '',
    latitude     TEXT NOT NULL DEFAULT '',
    longitude    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX customer_lookups_partner ON customer_lookups (partner_id, at);

-- +goose Down
-- Forward-only.
