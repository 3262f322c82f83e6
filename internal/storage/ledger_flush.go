package storage

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/ledger"
)

// pendingRows are the rows a batch's postings recorded and not yet
// written (ledger_batch.go).
type pendingRows struct {
	adjustments []ledger.Adjustment
	entries     []entryRow
	balances    []balanceRow
	balanceOf   map[string]int // account -> its row in balances (one each)
}

type entryRow struct {
	id, posting, program, account, currency string
	amount, at                              int64
}

type balanceRow struct {
	account, currency string
	posted, at        int64
}

// entryRows are the stored rows of a's entries.
func entryRows(a ledger.Adjustment, entries []ledger.Entry) ([]entryRow, error) {
	out := make([]entryRow, 0, len(entries))
	for _, e := range entries {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		out = append(out, entryRow{id: id.String(), posting: a.ID, program: a.ProgramCode, account: e.Account,
			currency: a.Currency, amount: e.Amount, at: Micros(a.CreatedAt)})
	}
	return out, nil
}

func adjustmentArgs(a ledger.Adjustment) []any {
	return []any{a.ID, a.AccountID, a.AdjustmentID, a.ProgramCode, a.Type, a.Amount, a.Fee, a.Currency,
		a.Description, a.DebitToNegative, a.Status, a.Reason, a.Hash, Micros(a.CreatedAt)}
}

func (e entryRow) args() []any {
	return []any{e.id, e.posting, e.program, e.account, e.currency, e.amount, e.at}
}

func (r balanceRow) args() []any { return []any{r.account, r.currency, r.posted, r.at} }

// keep holds a posting's rows for the batch's write: the adjustment, its
// entries and, when it posted, the account's new balance (the last one
// kept per account is the one written).
func (p *pendingRows) keep(a ledger.Adjustment, entries []entryRow, newPosted int64) {
	p.adjustments = append(p.adjustments, a)
	if len(entries) == 0 {
		return
	}
	p.entries = append(p.entries, entries...)
	row := balanceRow{account: a.AccountID, currency: a.Currency, posted: newPosted, at: Micros(a.CreatedAt)}
	if i, ok := p.balanceOf[a.AccountID]; ok {
		p.balances[i] = row
		return
	}
	if p.balanceOf == nil {
		p.balanceOf = map[string]int{}
	}
	p.balanceOf[a.AccountID] = len(p.balances)
	p.balances = append(p.balances, row)
}

// flush writes the kept rows: on PostgreSQL in one statement, on SQLite
// in chunks of multi-row INSERTs (adjustments first: entries refer to
// them).
func (b *postingBatch) flush(ctx context.Context, tx *Tx) error {
	if b == nil || len(b.pending.adjustments) == 0 {
		return nil
	}
	p := b.pending
	b.pending = pendingRows{}
	if tx.Engine() == Postgres {
		return p.flushPostgres(ctx, tx, nil)
	}
	err := inChunks(len(p.adjustments), func(from, n int) error {
		args := make([]any, 0, 14*n)
		for _, a := range p.adjustments[from : from+n] {
			args = append(args, adjustmentArgs(a)...)
		}
		_, err := tx.execCached(ctx, insertAdjustments(n), args...)
		return err
	})
	if err != nil {
		return err
	}
	err = inChunks(len(p.entries), func(from, n int) error {
		args := make([]any, 0, 7*n)
		for _, e := range p.entries[from : from+n] {
			args = append(args, e.args()...)
		}
		_, err := tx.execCached(ctx, insertEntries(n), args...)
		return err
	})
	if err != nil {
		return err
	}
	return inChunks(len(p.balances), func(from, n int) error {
		args := make([]any, 0, 4*n)
		for _, r := range p.balances[from : from+n] {
			args = append(args, r.args()...)
		}
		_, err := tx.execCached(ctx, upsertBalances(n), args...)
		return err
	})
}

// flushEnd writes what the transaction kept for its end: its postings'
// rows and what they add to program balances, then the webhook events it
// emits (webhook_stream.go).
func (tx *Tx) flushEnd(ctx context.Context) error {
	if err := tx.flushPostings(ctx); err != nil {
		return err
	}
	return tx.events.flush(ctx, tx)
}

// flushPostings writes the postings' rows and program balances (on
// PostgreSQL in one statement).
func (tx *Tx) flushPostings(ctx context.Context) error {
	if b := tx.postings; tx.Engine() == Postgres && b != nil && len(b.pending.adjustments) > 0 {
		p := b.pending
		b.pending = pendingRows{}
		err := p.flushPostgres(ctx, tx, tx.program)
		tx.program = nil
		return err
	}
	if err := tx.postings.flush(ctx, tx); err != nil {
		return err
	}
	return tx.program.flush(ctx, tx)
}

// qFlushPG writes a batch's adjustments, entries and balances in one
// statement, each column an array.
const qFlushPG = `WITH adj AS (INSERT INTO adjustments (` + adjustmentCols + `)
	SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
		CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS boolean[]),
		CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]))),
	ent AS (INSERT INTO ledger_entries (id, posting_id, program_code, account, currency, amount, posted_at)
	SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
		CAST(? AS bigint[]), CAST(? AS bigint[])))
	INSERT INTO ledger_balances (account_id, currency, posted, updated_at)
	SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS bigint[]))
	ON CONFLICT (account_id) DO UPDATE SET posted = excluded.posted, updated_at = excluded.updated_at`

// qFlushProgramPG adds to program balances in the same statement (a
// transaction's last write: its shard rows are its last locks).
const qFlushProgramPG = `prog AS (INSERT INTO ledger_program_balance_shards (account, shard, program_code, currency, posted, updated_at)
	SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]),
		CAST(? AS bigint[])) ON CONFLICT (account, shard) DO UPDATE SET
	posted = ledger_program_balance_shards.posted + excluded.posted, updated_at = excluded.updated_at), `

// flushPostgres writes the rows, and program deltas when there are any.
func (p pendingRows) flushPostgres(ctx context.Context, tx *Tx, deltas programDeltas) error {
	q := qFlushPG
	var args []any
	if len(deltas) > 0 {
		q = strings.Replace(q, "WITH ", "WITH "+qFlushProgramPG, 1)
		var cols struct {
			account, program, currency []string
			shard, posted, at          []int64
		}
		for _, a := range deltas.sorted() {
			d := deltas[a]
			cols.account, cols.shard = append(cols.account, a), append(cols.shard, int64(tx.programShard()))
			cols.program, cols.currency = append(cols.program, d.program), append(cols.currency, d.currency)
			cols.posted, cols.at = append(cols.posted, d.amount), append(cols.at, d.at)
		}
		args = append(args, cols.account, cols.shard, cols.program, cols.currency, cols.posted, cols.at)
	}
	args = append(args, columns(len(p.adjustments), adjustmentArgs, p.adjustments)...)
	args = append(args, columns(len(p.entries), entryRow.args, p.entries)...)
	args = append(args, columns(len(p.balances), balanceRow.args, p.balances)...)
	_, err := tx.Exec(ctx, q, args...)
	return err
}

// columns turns rows into one typed slice per column (the arrays of an
// unnest): []string, []int64 or []bool, by the column's type.
func columns[T any](n int, argsOf func(T) []any, rows []T) []any {
	var zero T
	out := emptyColumns(argsOf(zero))
	for _, r := range rows[:n] {
		for c, v := range argsOf(r) {
			switch col := out[c].(type) {
			case []string:
				out[c] = append(col, v.(string))
			case []int64:
				out[c] = append(col, v.(int64))
			case []bool:
				out[c] = append(col, v.(bool))
			}
		}
	}
	return out
}

// emptyColumns is columns of no rows: an empty array per column.
func emptyColumns(shape []any) []any {
	out := make([]any, len(shape))
	for c, v := range shape {
		switch v.(type) {
		case string:
			out[c] = []string{}
		case int64:
			out[c] = []int64{}
		case bool:
			out[c] = []bool{}
		}
	}
	return out
}

// insertAdjustments is the INSERT of n adjustments.
func insertAdjustments(n int) string {
	return `INSERT INTO adjustments (` + adjustmentCols + `) VALUES ` + valueRows(n, 14)
}

// upsertBalances is the upsert of n customer balances (distinct accounts).
func upsertBalances(n int) string {
	return `INSERT INTO ledger_balances (account_id, currency, posted, updated_at) VALUES ` + valueRows(n, 4) + `
		ON CONFLICT (account_id) DO UPDATE SET posted = excluded.posted, updated_at = excluded.updated_at`
}

// batchStatements are the SQLite statements of a batch's reads and
// writes, one per chunk size, prepared with the posting's own.
func batchStatements() []string {
	var out []string
	for _, n := range chunkSizes() {
		out = append(out, qBatchState(n), insertAdjustments(n), insertEntries(n), upsertBalances(n))
	}
	return out
}
