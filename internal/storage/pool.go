package storage

import "database/sql"

// DefaultMaxConns is how many PostgreSQL connections a node opens at most
// unless told otherwise (VERDANT_DB_MAX_CONNS).
const DefaultMaxConns = 32

// SetMaxConns bounds this node's PostgreSQL connections (n <= 0: the
// default); the sum over the nodes must stay under the server's
// max_connections. SQLite keeps its one writer and eight readers.
func (db *DB) SetMaxConns(n int) {
	if db.Engine != Postgres {
		return
	}
	if n <= 0 {
		n = DefaultMaxConns
	}
	db.w.SetMaxOpenConns(n)
	db.w.SetMaxIdleConns(n)
}

// Stats reports the pool that runs writes and transactions (on
// PostgreSQL, the only pool).
func (db *DB) Stats() sql.DBStats { return db.w.Stats() }
