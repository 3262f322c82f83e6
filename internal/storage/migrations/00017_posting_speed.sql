-- Adjustments near the storage's limit (issue 18).

-- +goose Up
-- A program's settings version, one more on every change of its settings
-- (ProgramStore.Update). A node may check a posting against a copy of the
-- program it keeps in memory only because the posting's own transaction
-- reads this column and refuses the posting when the copy is older
-- (ledger.ErrProgramChanged): every node sees a change at once.
ALTER TABLE programs ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- (account, posted_at) is a prefix of ledger_entries_account_page
-- (account, posted_at, id), which serves every query it served; one index
-- fewer to write per entry.
DROP INDEX IF EXISTS ledger_entries_account_time;

-- A program ledger account's balance is the sum of up to 16 shards. Every
-- posting of a program moves its funding account, so with one row per
-- account every transaction that posts to the program held that row's lock
-- through its commit, one after another. A transaction adds to one shard
-- (chosen at random on PostgreSQL; always shard 0 on SQLite, whose single
-- writer has no row locks), so concurrent transactions commit side by
-- side. Each shard is bounded by a CHECK at 0.55 x 10^18, so the sum of
-- 16 never overflows a BIGINT (8.8 x 10^18); postings keep the account
-- itself within ledger.MaxProgramBalance (10^18), read as the sum.
CREATE TABLE ledger_program_balance_shards (
    account      TEXT NOT NULL,
    shard        INTEGER NOT NULL CHECK (shard BETWEEN 0 AND 15),
    program_code TEXT NOT NULL,
    currency     TEXT NOT NULL,
    posted       BIGINT NOT NULL CHECK (posted BETWEEN -550000000000000000 AND 550000000000000000),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (account, shard)
);
-- Existing balances are within the bound of 10^18, so halves fit a shard.
INSERT INTO ledger_program_balance_shards (account, shard, program_code, currency, posted, updated_at)
    SELECT account, 0, program_code, currency, posted / 2, updated_at FROM ledger_program_balances;
INSERT INTO ledger_program_balance_shards (account, shard, program_code, currency, posted, updated_at)
    SELECT account, 1, program_code, currency, posted - posted / 2, updated_at FROM ledger_program_balances;
DROP TABLE ledger_program_balances;
-- The balances as before, one row per program ledger account.
CREATE VIEW ledger_program_balances AS
    SELECT account, MIN(program_code) AS program_code, MIN(currency) AS currency,
        CAST(SUM(posted) AS BIGINT) AS posted, MAX(updated_at) AS updated_at
    FROM ledger_program_balance_shards GROUP BY account;

-- +goose Down
-- Forward-only.
