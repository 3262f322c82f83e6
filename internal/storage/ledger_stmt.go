package storage

import (
	"context"
	"database/sql"
	"sync"
)

// ledgerStmts caches the posting path's prepared statements per database.
// On SQLite every write runs on the one writer connection, so a statement
// prepared once is reused by every transaction instead of being parsed
// again for each of the thousands of postings a second (the parser was a
// fifth of the CPU of a posting). pgx already caches prepared statements
// per connection on PostgreSQL, so there the cache is not used.
//
// Statements are prepared before the transaction begins (prepareLedger):
// preparing inside it would wait for the writer connection the
// transaction itself holds.
var ledgerStmts sync.Map // stmtKey -> *sql.Stmt

type stmtKey struct {
	db *DB
	q  string
}

// prepareLedger prepares the posting statements on db once.
func (db *DB) prepareLedger(ctx context.Context) {
	if db.Engine != SQLite {
		return
	}
	for _, q := range postingStatements {
		k := stmtKey{db, q}
		if _, ok := ledgerStmts.Load(k); ok {
			continue
		}
		s, err := db.w.PrepareContext(ctx, q)
		if err != nil {
			return // the plain path still works
		}
		if _, loaded := ledgerStmts.LoadOrStore(k, s); loaded {
			s.Close()
		}
	}
}

// execCached is Exec through the statement cache when q is in it.
func (tx *Tx) execCached(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s, ok := ledgerStmts.Load(stmtKey{tx.db, q}); ok {
		return tx.tx.StmtContext(ctx, s.(*sql.Stmt)).ExecContext(ctx, args...)
	}
	return tx.Exec(ctx, q, args...)
}

// queryRowCached is QueryRow through the statement cache when q is in it.
func (tx *Tx) queryRowCached(ctx context.Context, q string, args ...any) *sql.Row {
	if s, ok := ledgerStmts.Load(stmtKey{tx.db, q}); ok {
		return tx.tx.StmtContext(ctx, s.(*sql.Stmt)).QueryRowContext(ctx, args...)
	}
	return tx.QueryRow(ctx, q, args...)
}
