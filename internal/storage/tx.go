package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Tx is a write transaction. Its methods take ? placeholders.
type Tx struct {
	db *DB
	tx *sql.Tx
	// program holds what the transaction's postings add to program
	// ledger accounts, written once just before commit (ledger.go).
	program programDeltas
	// subs caches whether webhook subscribers were found in this
	// transaction (webhooks.go): a group commit of many postings looks
	// them up once.
	subs map[subsKey]bool
	// events are the webhook events the transaction emits, written just
	// before it commits (webhook_stream.go); emitted is set once written.
	events  streamEvents
	emitted bool
}

// Engine is the engine the transaction runs on.
func (tx *Tx) Engine() Engine { return tx.db.Engine }

// ForUpdate is DB.ForUpdate for this transaction's engine.
func (tx *Tx) ForUpdate() string { return tx.db.ForUpdate() }

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.db.Rebind(q), args...)
}

// Query runs a read in the transaction.
func (tx *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.db.Rebind(q), args...)
}

// QueryRow runs a single-row read in the transaction.
func (tx *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.db.Rebind(q), args...)
}

const maxTxAttempts = 8

// Tx runs fn in a write transaction and commits it if fn returns nil. A
// transaction that fails on a serialisation conflict, deadlock or busy
// database is retried from the start, so fn must only touch the database
// through tx (and be safe to run again).
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := 0; attempt < maxTxAttempts; attempt++ {
		err = db.tx1(ctx, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 2 * time.Millisecond)
	}
	return err
}

func (db *DB) tx1(ctx context.Context, fn func(tx *Tx) error) (err error) {
	stx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			stx.Rollback()
			panic(p)
		}
	}()
	tx := &Tx{db: db, tx: stx}
	if err := fn(tx); err != nil {
		stx.Rollback()
		return err
	}
	if err := tx.program.flush(ctx, tx); err != nil {
		stx.Rollback()
		return err
	}
	if err := tx.events.flush(ctx, tx); err != nil {
		stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return err
	}
	if f := db.onEvent.Load(); tx.emitted && f != nil {
		(*f)()
	}
	return nil
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	s := err.Error()
	return strings.Contains(s, "SQLITE_BUSY") || strings.Contains(s, "database is locked")
}
