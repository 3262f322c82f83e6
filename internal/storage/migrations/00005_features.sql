-- Terms acceptance per account (optional-api-add-ons.txt, "Negative
-- Balance Terms"): the latest answer for each terms identifier. Enrolments
-- live in account_features (00002); every enrolment and terms change is
-- also appended to audit_events (subject 'account:<id>', actions
-- feature.* and terms.*), which is the operator's history.

-- +goose Up
CREATE TABLE account_terms (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    terms_id    TEXT NOT NULL,
    accepted    BOOLEAN NOT NULL,
    accepted_at BIGINT NOT NULL, -- termsAcceptanceDateTime as sent (or of an automatic opt-out)
    recorded_at BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    PRIMARY KEY (account_id, terms_id)
);

-- +goose Down
-- Forward-only.
