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
	// postings is what a group commit read for its ledger postings and
	// the rows they recorded, not yet written (ledger_batch.go).
	postings *postingBatch
	// shard is 1 + the program balance shard this transaction adds to, 0
	// until chosen (programShard).
	shard int
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
// through tx (and be safe to run again). It returns once the commit is
// durable (on SQLite, once the WAL is flushed: walsync.go).
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	emitted, err := db.commitTx(ctx, fn)
	if err != nil {
		return err
	}
	return db.durable(emitted)
}

// commitTx is Tx without waiting for durability: the caller must call
// durable before anything it committed is acted on outside the process.
func (db *DB) commitTx(ctx context.Context, fn func(tx *Tx) error) (emitted bool, err error) {
	for attempt := 0; attempt < maxTxAttempts; attempt++ {
		emitted, err = db.tx1(ctx, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return emitted, err
		}
		time.Sleep(time.Duration(attempt+1) * 2 * time.Millisecond)
	}
	return false, err
}

// durable returns once every commit made before the call is on disk, then
// wakes the webhook workers if one of them wrote events.
func (db *DB) durable(emitted bool) error {
	if err := db.wal.wait(); err != nil {
		return err
	}
	if f := db.onEvent.Load(); emitted && f != nil {
		(*f)()
	}
	return nil
}

func (db *DB) tx1(ctx context.Context, fn func(tx *Tx) error) (emitted bool, err error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return false, err
	}
	defer func() {
		if p := recover(); p != nil {
			tx.rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		tx.rollback()
		return false, err
	}
	return tx.commit(ctx)
}

// begin begins a write transaction.
func (db *DB) begin(ctx context.Context) (*Tx, error) {
	stx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &Tx{db: db, tx: stx}, nil
}

// commit writes what the transaction keeps for its end (postings' rows,
// program balances) and commits; it answers whether the transaction wrote
// webhook events. A failure rolls back.
func (tx *Tx) commit(ctx context.Context) (emitted bool, err error) {
	if err := tx.flushEnd(ctx); err != nil {
		tx.rollback()
		return false, err
	}
	if err := tx.tx.Commit(); err != nil {
		return false, err
	}
	return tx.emitted, nil
}

func (tx *Tx) rollback() { tx.tx.Rollback() }

func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	s := err.Error()
	return strings.Contains(s, "SQLITE_BUSY") || strings.Contains(s, "database is locked")
}

// Snapshot runs fn in a read-only transaction in which every read sees the
// database as of one moment, whatever commits meanwhile: a deferred read
// transaction in SQLite's WAL, REPEATABLE READ on PostgreSQL. A report read
// in several queries is then consistent with itself. fn must only read;
// the transaction is held for as long as fn runs (on SQLite, the WAL is
// not checkpointed past it meanwhile).
func (db *DB) Snapshot(ctx context.Context, fn func(tx *Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	stx, err := db.r.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer stx.Rollback() // read-only: nothing to keep; a no-op after Commit
	if err := fn(&Tx{db: db, tx: stx}); err != nil {
		return err
	}
	return stx.Commit()
}
