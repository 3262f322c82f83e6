-- Retail cash loads and their voids, the retail network between partners
-- (which retailers may reload a program's cards), and the enumeration
-- guard's throttles.

-- +goose Up

-- A program is open to every retail partner while retail_open is true
-- (the default, reload.retailPartners null); otherwise only its owner and
-- the partners listed in program_reload_partners may reload its cards.
ALTER TABLE program_reload ADD COLUMN retail_open BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE program_reload_partners (
    program_code TEXT NOT NULL REFERENCES program_reload (program_code),
    partner_id   TEXT NOT NULL REFERENCES partners (id),
    PRIMARY KEY (program_code, partner_id)
);

-- A cash load (kind 'load', ref_id the approved validation's responseId)
-- or the void of one (kind 'void', ref_id the load's responseId), with the
-- answer given. A posted row was posted to the ledger in the same
-- transaction (posting_id is the ledger posting); a rejected row posted
-- nothing. A load whose void posted is 'voided'. X-GD-RequestId is unique
-- per merchant across loads and voids; a validation is committed once and
-- a load voided once (retail_loads_once).
CREATE TABLE retail_loads (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL,
    merchant_id          TEXT NOT NULL,
    request_id           TEXT NOT NULL,
    partner_id           TEXT NOT NULL,
    store_id             TEXT NOT NULL,
    user_id              TEXT NOT NULL,
    register_id          TEXT NOT NULL,
    request_date_time    TEXT NOT NULL,
    ref_id               TEXT NOT NULL,
    account_id           TEXT NOT NULL,
    amount               BIGINT NOT NULL,
    status               TEXT NOT NULL,
    posting_id           TEXT NOT NULL,
    response_code        INTEGER NOT NULL,
    response_description TEXT NOT NULL,
    response_body        TEXT NOT NULL,
    fingerprint          TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    UNIQUE (merchant_id, request_id)
);
CREATE UNIQUE INDEX retail_loads_once ON retail_loads (kind, ref_id) WHERE status <> 'rejected';
CREATE INDEX retail_loads_account_day ON retail_loads (account_id, kind, created_at);

-- The enumeration guard counts a retailer's 110 answers in a window.
CREATE INDEX retail_validations_partner_code ON retail_validations (partner_id, response_code, created_at);

-- A retailer throttled by the enumeration guard until ends_at (one row per
-- partner, reused by the next throttle).
CREATE TABLE retail_throttles (
    partner_id TEXT PRIMARY KEY REFERENCES partners (id),
    started_at BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    misses     INTEGER NOT NULL
);

-- +goose Down
-- Forward-only.
