// Package storage implements the domain packages' store interfaces on two
// engines: embedded SQLite (modernc.org/sqlite, the default) and
// PostgreSQL (pgx v5). Both run the same schema and the same SQL, written
// with ? placeholders that are rebound to $n for PostgreSQL.
//
// Locking rules: every write runs in DB.Tx. On SQLite all write
// transactions go through one connection and begin IMMEDIATE, so they are
// serialised; on PostgreSQL a transaction that reads a row it will decide
// on takes a row lock with ForUpdate(). Either way a rule checked inside
// the transaction holds when it commits, across any number of nodes.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Engine names a storage engine.
type Engine string

// The engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open database of either engine.
type DB struct {
	Engine Engine
	w      *sql.DB  // writes and transactions
	r      *sql.DB  // reads outside transactions
	binds  sync.Map // query -> rebound query (PostgreSQL)
	stmts  sync.Map // stmtKey -> *sql.Stmt (SQLite hot paths, stmt.go)
	group  groupCommit
	wal    *walSync // SQLite: flushes the WAL the writer commits to (nil on PostgreSQL)
	opener Opener   // for webhook payloads (UseOpener, webhook_events.go)
	// onEvent is called after a transaction that wrote webhook events
	// commits (OnWebhookEvent).
	onEvent atomic.Pointer[func()]
	wanted  sync.Map // subsKey -> time.Time: subscribers seen until then (webhooks.go)
}

// Open opens a database from a URL: "sqlite:PATH" (or a bare path) or
// "postgres://...". It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("storage: empty sqlite path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)"
	// The writer's commits are flushed by walSync, after the commit and
	// off the writer (walsync.go): synchronous=NORMAL writes the WAL
	// without flushing it. Every write path waits for that flush.
	w, err := sql.Open("sqlite", base+"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(10000)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	// One writer connection: SQLite admits one writer at a time anyway, and
	// queueing in database/sql is cheaper than spinning on SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", base+"&_pragma=synchronous(FULL)&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db := &DB{Engine: SQLite, w: w, r: r, wal: newWALSync(abs)}
	if err := w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: open sqlite %s: %w", path, err)
	}
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(DefaultMaxConns)
	p.SetMaxIdleConns(DefaultMaxConns)
	p.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{Engine: Postgres, w: p, r: p}
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("storage: connect postgres: %w", redactDSN(err, dsn))
	}
	return db, nil
}

// redactDSN keeps a password in a DSN out of error messages.
func redactDSN(err error, dsn string) error {
	u, perr := url.Parse(dsn)
	if perr != nil || u.User == nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}

// Close closes the database.
func (db *DB) Close() error {
	err := db.w.Close()
	db.wal.close()
	if db.r != db.w {
		if rerr := db.r.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// ForUpdate is the row-lock suffix for a SELECT inside a transaction:
// " FOR UPDATE" on PostgreSQL, nothing on SQLite (whose write transactions
// are already exclusive).
func (db *DB) ForUpdate() string {
	if db.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Rebind rewrites ? placeholders to $1, $2 ... for PostgreSQL. Question
// marks inside single-quoted literals are left alone.
func (db *DB) Rebind(q string) string {
	if db.Engine != Postgres {
		return q
	}
	if v, ok := db.binds.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(c)
	}
	out := b.String()
	db.binds.Store(q, out)
	return out
}

// Exec runs a statement outside a transaction; it returns once the
// change is durable.
func (db *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := db.w.ExecContext(ctx, db.Rebind(q), args...)
	if err != nil {
		return res, err
	}
	return res, db.durable(false)
}

// Query runs a read outside a transaction.
func (db *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.r.QueryContext(ctx, db.Rebind(q), args...)
}

// QueryRow runs a single-row read outside a transaction.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.r.QueryRowContext(ctx, db.Rebind(q), args...)
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// IsForeignKeyViolation reports whether err is a foreign-key violation.
func IsForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// Micros converts a time to the schema's timestamp representation:
// microseconds since the Unix epoch, UTC.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// Time converts a stored timestamp back to a UTC time.
func Time(us int64) time.Time { return time.UnixMicro(us).UTC() }

// EngineName names the engine: "sqlite" or "postgres".
func (db *DB) EngineName() string { return string(db.Engine) }
