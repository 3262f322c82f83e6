// Package storagetest opens fresh, migrated databases for tests: always a
// SQLite file in a temporary directory, and a PostgreSQL database of its
// own when VERDANT_TEST_POSTGRES_URL is set, so one suite runs on both
// engines and parallel runs never collide.
//
// Migrating is most of the cost of a test database, so each is a copy of a
// template migrated once: for SQLite a file image migrated once per test
// process, for PostgreSQL a template database migrated once per migration
// set (see template.go). Each copy is still migrated when opened, which
// costs one query when it is up to date.
package storagetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/verdant-baas/verdant/internal/storage"
)

// PostgresURLEnv names the variable holding the test PostgreSQL URL.
const PostgresURLEnv = "VERDANT_TEST_POSTGRES_URL"

// Engines runs fn once per available engine as a subtest named for it.
// The subtests run in parallel with each other (and with other parallel
// tests): each has its own database.
func Engines(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, OpenSQLite(t))
	})
	if os.Getenv(PostgresURLEnv) != "" {
		t.Run("postgres", func(t *testing.T) {
			t.Parallel()
			fn(t, OpenPostgres(t))
		})
	}
}

// DSNs returns a fresh database URL per available engine (for tests that
// start the real binary or several servers on one database). Each
// database is already migrated.
func DSNs(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{"sqlite": "sqlite:" + SQLitePath(t)}
	if os.Getenv(PostgresURLEnv) != "" {
		out["postgres"] = PostgresDSN(t)
	}
	return out
}

// OpenSQLite opens a migrated SQLite database in a temporary directory.
func OpenSQLite(t *testing.T) *storage.DB {
	t.Helper()
	return open(t, "sqlite:"+SQLitePath(t))
}

// OpenPostgres opens a migrated PostgreSQL database of its own, dropped
// when the test ends. It skips the test when no URL is set.
func OpenPostgres(t *testing.T) *storage.DB {
	t.Helper()
	return open(t, PostgresDSN(t))
}

// SQLitePath writes a copy of the migrated template to a file in a
// temporary directory and answers its path.
func SQLitePath(t testing.TB) string {
	t.Helper()
	img, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("sqlite template: %v", err)
	}
	path := filepath.Join(t.TempDir(), "verdant.db")
	if err := os.WriteFile(path, img, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// PostgresDSN creates a database of its own, a copy of the migrated
// template, and answers its URL; the database is dropped when the test
// ends. It skips the test when no URL is set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		t.Skip(PostgresURLEnv + " not set")
	}
	dsn, drop, err := postgresCopy(base)
	if err != nil {
		t.Fatalf("postgres test database: %v", err)
	}
	t.Cleanup(drop)
	return dsn
}

func open(t *testing.T, dsn string) *storage.DB {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// SetProgramBalance overwrites a program ledger account's stored balance
// (its shards, migration 00017) with posted, as only a change made outside
// verdant could: tests of the bounds and of `ledger verify` start from it.
func SetProgramBalance(ctx context.Context, db *storage.DB, account, programCode string, posted int64) error {
	if _, err := db.Exec(ctx, `DELETE FROM ledger_program_balance_shards WHERE account = ?`, account); err != nil {
		return err
	}
	_, err := db.Exec(ctx, `INSERT INTO ledger_program_balance_shards (account, shard, program_code, currency, posted, updated_at)
		VALUES (?, 0, ?, 'USD', ?, 0), (?, 1, ?, 'USD', ?, 0)`, account, programCode, posted/2, account, programCode, posted-posted/2)
	return err
}
