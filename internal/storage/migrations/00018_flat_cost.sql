-- Flat cost (issue 18): the partner calls whose work grew with history
-- read a bounded number of rows instead, on both engines.

-- +goose Up

-- GET .../transactions pages an account's completed adjustments newest
-- first by (created_at, id). This index holds exactly those rows in exactly
-- that order, so a page is one backward walk of one index range, with no
-- sort, whatever plan (custom or generic) the engine chooses.
CREATE INDEX adjustments_account_listing ON adjustments (account_id, created_at, id) WHERE status = 'completed';

-- What the retail daily load limit counts, kept as running totals under
-- the account row lock, so a check sums a handful of rows instead of the
-- day's validations and loads. A row is an amount of one account on one
-- UTC day (day: the day's start) that counts while counts_until is in the
-- future: posted loads, net of their voids, count all day (counts_until is
-- the largest BIGINT); approved validations that no load committed hold
-- their amount until the end of the time slice in which they expire (one
-- row per slice, so only a few rows are in force at any time).
CREATE TABLE retail_limit_use (
    account_id   TEXT NOT NULL,
    day          BIGINT NOT NULL,
    counts_until BIGINT NOT NULL,
    amount       BIGINT NOT NULL,
    PRIMARY KEY (account_id, day, counts_until)
);

-- The end of the slice in which an approved validation's hold stops
-- counting (its retail_limit_use row); 0 when it holds nothing.
ALTER TABLE retail_validations ADD COLUMN hold_until BIGINT NOT NULL DEFAULT 0;

-- The totals of what is already stored. Loads posted and not voided count
-- on their day.
INSERT INTO retail_limit_use (account_id, day, counts_until, amount)
SELECT account_id, created_at - created_at % 86400000000, 9223372036854775807, SUM(amount)
FROM retail_loads WHERE kind = 'load' AND status = 'posted'
GROUP BY account_id, created_at - created_at % 86400000000;

-- Approved validations that no load committed, from the last day of
-- activity (older ones count on no day that can still come): the time to
-- live they were approved under is configuration this migration cannot
-- see, so they hold their amount until the end of their day, never less
-- than they might (the limit holds through the upgrade).
UPDATE retail_validations SET hold_until = created_at - created_at % 86400000000 + 86400000000
WHERE approved AND account_id <> ''
AND created_at >= (SELECT MAX(created_at) FROM retail_validations) - 86400000000
AND NOT EXISTS (SELECT 1 FROM retail_loads l WHERE l.kind = 'load' AND l.ref_id = retail_validations.id AND l.status <> 'rejected');

INSERT INTO retail_limit_use (account_id, day, counts_until, amount)
SELECT account_id, created_at - created_at % 86400000000, hold_until, SUM(amount)
FROM retail_validations WHERE hold_until > 0
GROUP BY account_id, created_at - created_at % 86400000000, hold_until;

-- +goose Down
-- Forward-only.
