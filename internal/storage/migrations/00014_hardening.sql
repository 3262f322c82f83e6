-- Hardening (issue 16): bounded program ledger accounts; partner status
-- and token epoch (revocation); failed authentication counts; OTP limits
-- per mailbox and partner.

-- +goose Up
-- The balance of each program ledger account (program:CODE:funding,
-- program:CODE:fees), so a posting can refuse to take one beyond its
-- bound (ledger.MaxProgramBalance). Postings add to it once per
-- transaction, just before commit and in account order (storage/ledger.go),
-- so concurrent batches hold its row lock only while they commit. The
-- CHECK is the hard stop, four times the bound the postings check.
CREATE TABLE ledger_program_balances (
    account      TEXT PRIMARY KEY,
    program_code TEXT NOT NULL,
    currency     TEXT NOT NULL,
    posted       BIGINT NOT NULL CHECK (posted BETWEEN -4000000000000000000 AND 4000000000000000000),
    updated_at   BIGINT NOT NULL
);
INSERT INTO ledger_program_balances (account, program_code, currency, posted, updated_at)
    SELECT account, MIN(program_code), MIN(currency), SUM(amount), COALESCE(MAX(posted_at), 0)
    FROM ledger_entries WHERE account LIKE 'program:%' GROUP BY account;

-- A partner is active or disabled; token_epoch is carried in its access
-- tokens and incremented by a secret rotation or a disable, which ends
-- every token issued before (partner.Service.Verify).
ALTER TABLE partners ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE partners ADD COLUMN token_epoch INTEGER NOT NULL DEFAULT 1;

-- Failed authentication attempts per client in a fixed window
-- (internal/throttle): scope 'operator' counts operator-token failures
-- per client address, 'client' POST /authentication failures per client
-- id. Shared by every node, so the limit holds across them.
CREATE TABLE auth_failures (
    scope        TEXT NOT NULL,
    client       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    failures     INTEGER NOT NULL,
    PRIMARY KEY (scope, client)
);
CREATE INDEX auth_failures_window ON auth_failures (window_start);

-- The rate limit's key of a verification: the index of the mailbox its
-- handle reaches (verification.LimitHandle: +tags and Gmail dots folded),
-- equal to handle_index for a handle without aliases, which is what rows
-- from before this migration get. contact_rate_limits is keyed by it now.
ALTER TABLE contact_verifications ADD COLUMN limit_index TEXT NOT NULL DEFAULT '';
UPDATE contact_verifications SET limit_index = handle_index;
CREATE INDEX contact_verifications_limit ON contact_verifications (limit_index, created_at);

-- +goose Down
-- Forward-only.
