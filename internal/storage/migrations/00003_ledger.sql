-- Double-entry ledger: adjustments, their entries and customer balances.
-- Entries are append-only; a correction is a new adjustment. Every
-- posting's entries sum to zero, so the ledger sums to zero per currency.

-- +goose Up
-- Every adjustment request that reached a decision: completed (posted) or
-- declined (recorded so a replay answers the same; nothing posted). The
-- partner's adjustmentIdentifier is the idempotency key, per account.
CREATE TABLE adjustments (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts (id),
    adjustment_id     TEXT NOT NULL,
    program_code      TEXT NOT NULL,
    type              TEXT NOT NULL,
    amount            BIGINT NOT NULL,
    fee               BIGINT NOT NULL,
    currency          TEXT NOT NULL,
    description       TEXT NOT NULL,
    debit_to_negative BOOLEAN NOT NULL,
    status            TEXT NOT NULL,
    reason            TEXT NOT NULL,
    request_hash      TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    UNIQUE (account_id, adjustment_id)
);
CREATE INDEX adjustments_account_time ON adjustments (account_id, created_at);
CREATE INDEX adjustments_program_time ON adjustments (program_code, created_at);

-- One row per leg. account is a customer account id or a program account
-- ('program:CODE:funding', 'program:CODE:fees'); amount is signed minor
-- units (positive raises the account's balance).
CREATE TABLE ledger_entries (
    id           TEXT PRIMARY KEY,
    posting_id   TEXT NOT NULL REFERENCES adjustments (id),
    program_code TEXT NOT NULL,
    account      TEXT NOT NULL,
    currency     TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    posted_at    BIGINT NOT NULL
);
CREATE INDEX ledger_entries_account_time ON ledger_entries (account, posted_at);
CREATE INDEX ledger_entries_program_time ON ledger_entries (program_code, posted_at);
CREATE INDEX ledger_entries_posting ON ledger_entries (posting_id);

-- A customer's balance, kept with its entries in the same transaction
-- under the account row lock. Program accounts keep no balance row (every
-- posting touches them, so a row would serialise the whole program); their
-- balance is the sum of their entries.
CREATE TABLE ledger_balances (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    currency   TEXT NOT NULL,
    posted     BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- +goose Down
-- Forward-only.
