package storage

import (
	"context"
	"math"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
)

// The transaction listing reads index adjustments_account_listing
// (migration 00018): an account's completed adjustments in (created_at,
// id) order, exactly the listing's order reversed. Both bounds of a page
// are one range of that index: the upper bound is the smaller of the
// cursor and the end date, as a row comparison, and the start date is
// present only in the statement that has one. There is no optional filter
// (no "? = 0 OR ..."), and the page size is a literal.
//
// On PostgreSQL the statement is also planned for the account at hand on
// every call (pgx's exec mode: an unnamed statement, still one round
// trip), never from a cached generic plan. A generic plan must assume the
// average account, a few rows that are cheaper to fetch by bitmap and sort
// than to walk in order, and then reads and sorts the whole history of an
// account that has thousands; planned for the account, the statistics
// (its row count among the most common values) choose the ordered walk.
const (
	qListTransactions = `SELECT ` + adjustmentCols + ` FROM adjustments
		WHERE account_id = ? AND status = 'completed' AND (created_at, id) < (?, ?)`
	qListOrder = ` ORDER BY created_at DESC, id DESC LIMIT `
)

// Transactions implements ledger.Store: one keyset page, newest first.
func (s *LedgerStore) Transactions(ctx context.Context, q ledger.TransactionQuery) (_ []ledger.Adjustment, err error) {
	defer apperr.Op(&err, "storage.LedgerStore.Transactions(%s)", q.AccountID)
	query, args := listQuery(q)
	rows, err := s.db.Query(ctx, query, s.db.planEachCall(args)...)
	if err != nil {
		return nil, err
	}
	return collectAdjustments(rows)
}

// listQuery answers the statement and arguments of q's page.
func listQuery(q ledger.TransactionQuery) (string, []any) {
	at, id := listUpperBound(q)
	query, args := qListTransactions, []any{q.AccountID, at, id}
	if !q.From.IsZero() {
		query, args = query+` AND created_at >= ?`, append(args, Micros(q.From))
	}
	return query + qListOrder + strconv.Itoa(max(q.Limit, 1)), args
}

// listUpperBound answers the (created_at, id) every listed transaction is
// strictly below: the cursor or the end date, whichever is lower. An end
// date t is (t, ""): ids are never empty, so (created_at, id) < (t, "")
// exactly when created_at < t.
func listUpperBound(q ledger.TransactionQuery) (int64, string) {
	at, id := int64(math.MaxInt64), ""
	if !q.To.IsZero() {
		at = Micros(q.To)
	}
	if !q.BeforeAt.IsZero() {
		if b := Micros(q.BeforeAt); b < at {
			at, id = b, q.BeforeID
		}
	}
	return at, id
}

// planEachCall answers a statement's arguments so that PostgreSQL plans
// the statement for these values on this call (an unnamed statement, in
// pgx's exec mode) instead of caching it, where after five runs it may
// settle on a generic plan blind to the values. For statements whose best
// plan depends on how many rows a value has (one account's history among
// many). SQLite plans without statistics: nothing to do.
func (db *DB) planEachCall(args []any) []any {
	if db.Engine != Postgres {
		return args
	}
	return append([]any{pgx.QueryExecModeExec}, args...)
}
