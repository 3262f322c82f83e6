-- Reconciliation streamed (issue 18): the day's adjustments are read in
-- the report's order, (created_at, id), straight off an index, so the
-- database hands over the first row at once and sorts nothing, however
-- busy the day (PostgreSQL sorted the day on disk before the first row).
-- The new index replaces adjustments_program_time, of which it is an
-- extension, so a posting still updates the same number of indexes.

-- +goose Up
CREATE INDEX adjustments_program_time_id ON adjustments (program_code, created_at, id);
DROP INDEX adjustments_program_time;

-- +goose Down
-- Forward-only.
