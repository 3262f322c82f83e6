-- Customer care: support cases and their append-only history.
--
-- A case number (CASE + 8 digits) is drawn at random and kept unique by
-- care_cases.case_number; cases are never deleted, so no number is ever
-- reused. (partner_id, program_code, request_id) makes X-GD-RequestId
-- idempotent; request_id is NULL when the call had none, and NULLs never
-- collide on either engine. The customer's email address and phone number
-- are sealed together in contact_sealed (AES-256-GCM, contact_key_id).
-- crm_status is 'queued' (the platform's own queue) until the CRM has the
-- case; crm_outbox_id names the outbox message delivering it ('' when none
-- was enqueued because no CRM was configured).

-- +goose Up
CREATE TABLE care_cases (
    id               TEXT PRIMARY KEY,
    case_number      TEXT NOT NULL UNIQUE,
    partner_id       TEXT NOT NULL REFERENCES partners (id),
    program_code     TEXT NOT NULL REFERENCES programs (code),
    account_id       TEXT NOT NULL REFERENCES accounts (id),
    request_id       TEXT,
    fingerprint      TEXT NOT NULL,
    subject          TEXT NOT NULL,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    question         TEXT NOT NULL,
    contact_sealed   TEXT NOT NULL,
    contact_key_id   TEXT NOT NULL,
    phone_type       TEXT NOT NULL DEFAULT '',
    device           TEXT NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL,
    tier             INTEGER NOT NULL DEFAULT 1,
    assignee         TEXT NOT NULL DEFAULT '',
    crm_status       TEXT NOT NULL DEFAULT 'queued',
    crm_case_id      TEXT NOT NULL DEFAULT '',
    crm_delivered_at BIGINT NOT NULL DEFAULT 0,
    crm_outbox_id    TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (partner_id, program_code, request_id)
);
CREATE INDEX care_cases_status ON care_cases (status, id);
CREATE INDEX care_cases_program ON care_cases (program_code, id);
CREATE INDEX care_cases_crm ON care_cases (crm_status, crm_outbox_id);

CREATE TABLE care_case_history (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES care_cases (id),
    at            BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    from_status   TEXT NOT NULL DEFAULT '',
    to_status     TEXT NOT NULL DEFAULT '',
    from_tier     INTEGER NOT NULL DEFAULT 0,
    to_tier       INTEGER NOT NULL DEFAULT 0,
    from_assignee TEXT,
    to_assignee   TEXT,
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX care_case_history_case ON care_case_history (case_id, id);

-- +goose Down
-- Forward-only.
