package storage

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements for the retail validation's reads on SQLite,
// whose driver otherwise parses and plans every statement on every call
// (about a fifth of the CPU of a validation). PostgreSQL's driver (pgx)
// already caches prepared statements per connection, so it keeps the
// plain path. database/sql re-prepares a statement on each pooled
// connection as needed, and a cached statement is closed with its
// database. Only the read pool: the single writer connection is held by
// the transaction that would need it, so preparing there would deadlock.
var stmts sync.Map // stmtKey -> *sql.Stmt

type stmtKey struct {
	pool *sql.DB
	q    string
}

func prepared(ctx context.Context, pool *sql.DB, q string) *sql.Stmt {
	k := stmtKey{pool, q}
	if st, ok := stmts.Load(k); ok {
		return st.(*sql.Stmt)
	}
	st, err := pool.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if prev, loaded := stmts.LoadOrStore(k, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	return st
}

// hotRow is QueryRow through a cached prepared statement on SQLite.
func (db *DB) hotRow(ctx context.Context, q string, args ...any) *sql.Row {
	if db.Engine == SQLite {
		if st := prepared(ctx, db.r, q); st != nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return db.QueryRow(ctx, q, args...)
}
