package storage

import (
	"context"
	"database/sql"
	"errors"
	"github.com/verdant-baas/verdant/internal/apperr"
	"strings"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// LedgerStore implements ledger.Store: the ledger.
type LedgerStore struct {
	db *DB
	// dayPage overrides dayPage (ledger_recon.go) in tests; 0: the default.
	dayPage int
}

// NewLedgerStore returns the ledger store over db.
func NewLedgerStore(db *DB) *LedgerStore { return &LedgerStore{db: db} }

var _ ledger.Store = (*LedgerStore)(nil)

// ledgerTx is the locked view of the ledger inside one transaction.
type ledgerTx struct{ tx *Tx }

// Tx implements ledger.Store: postings are group-committed on either
// engine (lockedGroupTx), each still deciding under its account's row
// lock.
func (s *LedgerStore) Tx(ctx context.Context, accountID string, fn func(ledger.Tx) error) (err error) {
	defer apperr.Op(&err, "storage.LedgerStore.Tx(%s)", accountID)
	s.db.PrepareWrites(ctx, postingStatements...)
	return s.db.lockedGroupTx(ctx, accountID, func(tx *Tx) error { return fn(ledgerTx{tx}) })
}

// LockAccount implements ledger.Tx: the account row lock is the
// per-account mutex every balance decision takes.
func (l ledgerTx) LockAccount(ctx context.Context, programCode, accountID string) (string, error) {
	var status string
	q := qLockAccount
	if l.tx.Engine() == Postgres {
		q += l.tx.ForUpdate()
	}
	err := l.tx.queryRowCached(ctx, q, accountID, programCode).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", account.ErrNotFound.WithCode(10, 0)
	}
	return status, err
}

// PostingState implements ledger.Tx. It must run after LockAccount: on
// PostgreSQL (READ COMMITTED) this statement's snapshot then includes
// every posting committed before the lock was granted.
func (l ledgerTx) PostingState(ctx context.Context, programCode, accountID, adjustmentID string) (ledger.PostingState, error) {
	var st ledger.PostingState
	var nb100, accepted int64
	var prior, enforced string
	funding, fees := ledger.FundingAccount(programCode), ledger.FeeAccount(programCode)
	err := l.tx.queryRowCached(ctx, qPostingState, accountID, accountID, ledger.NB100, accountID, adjustmentID,
		accountID, accountID, ledger.NB100Terms, true, funding, fees).Scan(&st.Posted, &nb100, &prior, &enforced, &accepted,
		&st.Funding, &st.Fees)
	if err != nil {
		return st, err
	}
	st.Funding += l.tx.program.pending(funding)
	st.Fees += l.tx.program.pending(fees)
	st.Available, st.NB100 = st.Posted, nb100 > 0 // no holds yet: available is posted
	st.TermsEnforced, st.NB100TermsAccepted = parseList(enforced), accepted > 0
	if prior != "" {
		a, err := scanAdjustment(l.tx.QueryRow(ctx, `SELECT `+adjustmentCols+` FROM adjustments WHERE id = ?`, prior))
		if err != nil {
			return st, err
		}
		st.Prior = &a
	}
	return st, nil
}

// Record implements ledger.Tx.
func (l ledgerTx) Record(ctx context.Context, a ledger.Adjustment, entries []ledger.Entry, newPosted int64) error {
	at := Micros(a.CreatedAt)
	adjArgs := []any{a.ID, a.AccountID, a.AdjustmentID, a.ProgramCode, a.Type, a.Amount, a.Fee, a.Currency,
		a.Description, a.DebitToNegative, a.Status, a.Reason, a.Hash, at}
	if len(entries) == 0 {
		_, err := l.tx.execCached(ctx, qInsertAdjustment, adjArgs...)
		return err
	}
	entryArgs := make([]any, 0, 7*len(entries))
	for _, e := range entries {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		entryArgs = append(entryArgs, id.String(), a.ID, a.ProgramCode, e.Account, a.Currency, e.Amount, at)
		if ledger.IsProgramAccount(e.Account) {
			l.tx.program.add(e.Account, a.ProgramCode, a.Currency, e.Amount, at)
		}
	}
	balArgs := []any{a.AccountID, a.Currency, newPosted, at}
	if l.tx.Engine() == Postgres {
		// One round trip for the three writes: on PostgreSQL the network
		// round trip, not the work, is what a posting costs.
		args := append(append(adjArgs, entryArgs...), balArgs...)
		if _, err := l.tx.Exec(ctx, recordCTE(len(entries)), args...); err != nil {
			return err
		}
		return l.emit(ctx, a, newPosted) // the partner hears of it iff it commits
	}
	if _, err := l.tx.execCached(ctx, qInsertAdjustment, adjArgs...); err != nil {
		return err
	}
	if _, err := l.tx.execCached(ctx, insertEntries(len(entries)), entryArgs...); err != nil {
		return err
	}
	if _, err := l.tx.execCached(ctx, qUpsertBalance, balArgs...); err != nil {
		return err
	}
	return l.emit(ctx, a, newPosted)
}

// emit writes the transaction event of a completed posting.
func (l ledgerTx) emit(ctx context.Context, a ledger.Adjustment, posted int64) error {
	if l.tx.Engine() == Postgres {
		return l.tx.emitEager(ctx, webhook.TransactionEvent(a, posted, posted))
	}
	return l.tx.emitFunc(ctx, a.ProgramCode, webhook.Transaction, func() (webhook.Event, error) {
		return webhook.TransactionEvent(a, posted, posted), nil
	})
}

// recordCTE is the adjustment, its n entries and the balance as one
// PostgreSQL statement (data-modifying CTEs; SQLite has none).
func recordCTE(n int) string {
	return `WITH adj AS (` + qInsertAdjustment + `), ent AS (` + insertEntries(n) + `) ` + qUpsertBalance
}

// The posting path's statements (prepared once on SQLite: PrepareWrites, stmt.go).
const (
	qLockAccount  = `SELECT status FROM accounts WHERE id = ? AND program_code = ?`
	qPostingState = `SELECT
		COALESCE((SELECT posted FROM ledger_balances WHERE account_id = ?), 0),
		(SELECT COUNT(*) FROM account_features WHERE account_id = ? AND feature = ?),
		COALESCE((SELECT id FROM adjustments WHERE account_id = ? AND adjustment_id = ?), ''),
		COALESCE((SELECT p.terms_enforced FROM accounts a JOIN programs p ON p.code = a.program_code WHERE a.id = ?), '[]'),
		(SELECT COUNT(*) FROM account_terms WHERE account_id = ? AND terms_id = ? AND accepted = ?),
		COALESCE((SELECT posted FROM ledger_program_balances WHERE account = ?), 0),
		COALESCE((SELECT posted FROM ledger_program_balances WHERE account = ?), 0)`
	qInsertAdjustment = `INSERT INTO adjustments (` + adjustmentCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qUpsertBalance    = `INSERT INTO ledger_balances (account_id, currency, posted, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET posted = excluded.posted, updated_at = excluded.updated_at`
)

// insertEntries is the INSERT of n entries (2 legs, or 4 with a fee).
func insertEntries(n int) string {
	return `INSERT INTO ledger_entries (id, posting_id, program_code, account, currency, amount, posted_at) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", n), ", ")
}

var postingStatements = []string{qLockAccount, qPostingState, qInsertAdjustment, qUpsertBalance, insertEntries(2), insertEntries(4),
	qAddProgramBalance}

const adjustmentCols = `id, account_id, adjustment_id, program_code, type, amount, fee, currency, description,
	debit_to_negative, status, reason, request_hash, created_at`

func scanAdjustment(row interface{ Scan(...any) error }) (ledger.Adjustment, error) {
	var a ledger.Adjustment
	var at int64
	err := row.Scan(&a.ID, &a.AccountID, &a.AdjustmentID, &a.ProgramCode, &a.Type, &a.Amount, &a.Fee, &a.Currency,
		&a.Description, &a.DebitToNegative, &a.Status, &a.Reason, &a.Hash, &at)
	a.CreatedAt = Time(at)
	return a, err
}

// Adjustment implements ledger.Store.
func (s *LedgerStore) Adjustment(ctx context.Context, accountID, adjustmentID string) (_ ledger.Adjustment, err error) {
	defer apperr.Op(&err, "storage.LedgerStore.Adjustment(%s, %s)", accountID, adjustmentID)
	a, err := scanAdjustment(s.db.QueryRow(ctx, `SELECT `+adjustmentCols+` FROM adjustments WHERE account_id = ? AND adjustment_id = ?`,
		accountID, adjustmentID))
	if errors.Is(err, sql.ErrNoRows) {
		return a, ledger.ErrNotFound
	}
	return a, err
}

// qBalance reads an account's balance by primary keys (prepared once on
// SQLite: retail validations read it too).
const qBalance = `SELECT COALESCE(b.currency, p.currency), COALESCE(b.posted, 0)
	FROM accounts a JOIN programs p ON p.code = a.program_code
	LEFT JOIN ledger_balances b ON b.account_id = a.id WHERE a.id = ?`

// Balance implements ledger.Store. An account never posted to has
// a zero balance in the program's currency.
func (s *LedgerStore) Balance(ctx context.Context, accountID string) (_ ledger.Balance, err error) {
	defer apperr.Op(&err, "storage.LedgerStore.Balance(%s)", accountID)
	var b ledger.Balance
	err = s.db.hotRow(ctx, qBalance, accountID).Scan(&b.Currency, &b.Posted)
	if errors.Is(err, sql.ErrNoRows) {
		return b, account.ErrNotFound
	}
	b.Available = b.Posted
	return b, err
}

func collectAdjustments(rows *sql.Rows) ([]ledger.Adjustment, error) {
	defer rows.Close()
	var out []ledger.Adjustment
	for rows.Next() {
		a, err := scanAdjustment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RecentEntries implements ledger.Store.
func (s *LedgerStore) RecentEntries(ctx context.Context, accountID string, limit int) (_ []ledger.PostedEntry, err error) {
	defer apperr.Op(&err, "storage.LedgerStore.RecentEntries(%s)", accountID)
	rows, err := s.db.Query(ctx, `SELECT e.id, e.posting_id, a.adjustment_id, e.account, e.currency, e.amount, e.posted_at
		FROM ledger_entries e JOIN adjustments a ON a.id = e.posting_id
		WHERE e.account = ? ORDER BY e.posted_at DESC, e.id DESC LIMIT ?`, accountID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ledger.PostedEntry{}
	for rows.Next() {
		var e ledger.PostedEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.PostingID, &e.AdjustmentID, &e.Account, &e.Currency, &e.Amount, &at); err != nil {
			return nil, err
		}
		e.PostedAt = Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
