-- Account feature enrolments (NB100, UCB1..4, RDC tiers). Written by the
-- account-features capability; read by the ledger's overdraft rule (NB100
-- sets the floor), inside the same transaction as a posting.

-- +goose Up
CREATE TABLE account_features (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    feature     TEXT NOT NULL,
    enrolled_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, feature)
);

-- +goose Down
-- Forward-only.
