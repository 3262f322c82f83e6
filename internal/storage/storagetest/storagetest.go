// Package storagetest opens fresh, migrated databases for tests: always a
// SQLite file in a temporary directory, and a PostgreSQL schema of its own
// when VERDANT_TEST_POSTGRES_URL is set, so one suite runs on both engines
// and parallel runs never collide.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/verdant-baas/verdant/internal/storage"
)

// PostgresURLEnv names the variable holding the test PostgreSQL URL.
const PostgresURLEnv = "VERDANT_TEST_POSTGRES_URL"

// Engines runs fn once per available engine as a subtest named for it.
func Engines(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	if os.Getenv(PostgresURLEnv) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
	}
}

// DSNs returns a fresh database URL per available engine (for tests that
// start the real binary or several servers on one database).
func DSNs(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "verdant.db")}
	if os.Getenv(PostgresURLEnv) != "" {
		out["postgres"] = PostgresDSN(t)
	}
	return out
}

// OpenSQLite opens a migrated SQLite database in a temporary directory.
func OpenSQLite(t *testing.T) *storage.DB {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "verdant.db"))
}

// OpenPostgres opens a migrated PostgreSQL database in a fresh schema,
// dropped when the test ends. It skips the test when no URL is set.
func OpenPostgres(t *testing.T) *storage.DB {
	t.Helper()
	return open(t, PostgresDSN(t))
}

// PostgresDSN creates a fresh schema and answers a URL whose search_path
// points at it; the schema is dropped when the test ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		t.Skip(PostgresURLEnv + " not set")
	}
	ctx := context.Background()
	admin, err := storage.Open(ctx, base)
	if err != nil {
		t.Fatalf("connect %s: %v", PostgresURLEnv, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "verdant_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
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
