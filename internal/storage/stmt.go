package storage

import (
	"context"
	"database/sql"
)

// Prepared statements for hot paths on SQLite, whose driver otherwise
// parses and plans every statement on every call (a fifth of the CPU of a
// posting or a retail validation). pgx already caches prepared statements
// per connection, so on PostgreSQL the plain path is used.
//
// The cache lives on the DB (keyed by pool and query), so statements are
// closed with it. Write statements must be prepared before a transaction
// begins (PrepareWrites): preparing inside one would wait for the single
// writer connection that the transaction itself holds.

type stmtKey struct {
	pool *sql.DB
	q    string
}

// prepared answers the cached statement for q on pool, preparing it if
// needed; nil on PostgreSQL or if preparing fails (callers fall back to
// the plain path).
func (db *DB) prepared(ctx context.Context, pool *sql.DB, q string) *sql.Stmt {
	if db.Engine != SQLite {
		return nil
	}
	k := stmtKey{pool, q}
	if st, ok := db.stmts.Load(k); ok {
		return st.(*sql.Stmt)
	}
	st, err := pool.PrepareContext(context.WithoutCancel(ctx), q)
	if err != nil {
		return nil
	}
	if prev, loaded := db.stmts.LoadOrStore(k, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	return st
}

// hotRow is QueryRow outside a transaction through a cached statement.
func (db *DB) hotRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := db.prepared(ctx, db.r, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.QueryRow(ctx, q, args...)
}

// hotQuery is Query outside a transaction through a cached statement.
func (db *DB) hotQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := db.prepared(ctx, db.r, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.Query(ctx, q, args...)
}

// PrepareWrites prepares write-path statements on the writer connection
// ahead of the transactions that use them (SQLite only).
func (db *DB) PrepareWrites(ctx context.Context, qs ...string) {
	for _, q := range qs {
		db.prepared(ctx, db.w, q)
	}
}

// execCached is Exec through a statement prepared by PrepareWrites, when
// there is one.
func (tx *Tx) execCached(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s, ok := tx.db.stmts.Load(stmtKey{tx.db.w, q}); ok {
		return tx.tx.StmtContext(ctx, s.(*sql.Stmt)).ExecContext(ctx, args...)
	}
	return tx.Exec(ctx, q, args...)
}

// queryRowCached is QueryRow through a statement prepared by
// PrepareWrites, when there is one.
func (tx *Tx) queryRowCached(ctx context.Context, q string, args ...any) *sql.Row {
	if s, ok := tx.db.stmts.Load(stmtKey{tx.db.w, q}); ok {
		return tx.tx.StmtContext(ctx, s.(*sql.Stmt)).QueryRowContext(ctx, args...)
	}
	return tx.QueryRow(ctx, q, args...)
}

// queryCached is Query through a statement prepared by PrepareWrites,
// when there is one.
func (tx *Tx) queryCached(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s, ok := tx.db.stmts.Load(stmtKey{tx.db.w, q}); ok {
		return tx.tx.StmtContext(ctx, s.(*sql.Stmt)).QueryContext(ctx, args...)
	}
	return tx.Query(ctx, q, args...)
}
