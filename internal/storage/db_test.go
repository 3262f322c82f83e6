package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("schema version = %d, %v", v, err)
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *storage.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO audit_events (id, at, actor, action, subject) VALUES (?, ?, ?, ?, ?)`,
				"a1", 1, "t", "x", "s"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx error = %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("rows after rollback = %d, %v", n, err)
		}
	})
}

func TestRebind(t *testing.T) {
	t.Parallel()
	db := &storage.DB{Engine: storage.Postgres}
	got := db.Rebind(`SELECT '?' FROM t WHERE a = ? AND b = ?`)
	if want := `SELECT '?' FROM t WHERE a = $1 AND b = $2`; got != want {
		t.Fatalf("Rebind = %q, want %q", got, want)
	}
}

func TestUniqueViolationDetected(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ins := `INSERT INTO audit_events (id, at, actor, action, subject) VALUES ('dup', 1, 'a', 'b', 'c')`
		if _, err := db.Exec(ctx, ins); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, ins); !storage.IsUniqueViolation(err) {
			t.Fatalf("second insert error %v not a unique violation", err)
		}
	})
}
