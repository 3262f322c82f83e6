-- Operators: the platform's own staff (internal/operator). An operator
-- signs in to the console with an email and an argon2id password hash,
-- and calls the operator API with API tokens kept only as keyed hashes
-- (vault index, namespace operator-token). roles is a JSON list.
--
-- console_sessions.id is the keyed hash of the cookie secret (namespace
-- console-session): the database alone opens no session. login_attempts
-- is the sign-in throttle, one row per key ('account:<email>' or
-- 'client:<address>'), shared by every node.
--
-- four_eyes_proposals holds a risk operator's proposed OFAC decision
-- until a second risk operator approves or rejects it; at most one open
-- proposal per review (partial unique index, both engines).
--
-- The indexes at the end serve the console's searches and pages: accounts
-- by customer id, cards by BIN and last four, the audit log newest first
-- and by actor, an account's ledger entries paged by (posted_at, id), and
-- the overview's 30-day charts (cases, their history and OFAC reviews by
-- time; adjustments use their existing (program_code, created_at) index).

-- +goose Up
CREATE TABLE operators (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    roles         TEXT NOT NULL DEFAULT '[]',
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE operator_tokens (
    id          TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators (id),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX operator_tokens_operator ON operator_tokens (operator_id, id);

CREATE TABLE console_sessions (
    id          TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators (id),
    csrf        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    seen_at     BIGINT NOT NULL
);
CREATE INDEX console_sessions_operator ON console_sessions (operator_id);
CREATE INDEX console_sessions_seen ON console_sessions (seen_at);
CREATE INDEX console_sessions_created ON console_sessions (created_at);

CREATE TABLE login_attempts (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,
    window_start BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE four_eyes_proposals (
    id          TEXT PRIMARY KEY,
    review_id   TEXT NOT NULL REFERENCES sanctions_reviews (id),
    decision    TEXT NOT NULL,
    note        TEXT NOT NULL,
    proposed_by TEXT NOT NULL REFERENCES operators (id),
    proposed_at BIGINT NOT NULL,
    status      TEXT NOT NULL,
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  BIGINT NOT NULL DEFAULT 0,
    reason      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX four_eyes_open ON four_eyes_proposals (review_id) WHERE status = 'pending';
CREATE INDEX four_eyes_status ON four_eyes_proposals (status, proposed_at);

CREATE INDEX accounts_customer ON accounts (customer_id);
CREATE INDEX cards_bin_last4 ON cards (bin, last4);
CREATE INDEX audit_events_time ON audit_events (at, id);
CREATE INDEX audit_events_actor ON audit_events (actor, at, id);
CREATE INDEX ledger_entries_account_page ON ledger_entries (account, posted_at, id);
CREATE INDEX care_cases_created ON care_cases (created_at);
CREATE INDEX care_case_history_at ON care_case_history (at);
CREATE INDEX sanctions_reviews_created ON sanctions_reviews (created_at);
-- The overview counts given-up webhook deliveries, and a subscription's
-- page counts its own: only failed rows are indexed, so a posting that
-- emits an event pays nothing for it.
CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (subscription_id) WHERE status = 'failed';

-- +goose Down
-- Forward-only.
