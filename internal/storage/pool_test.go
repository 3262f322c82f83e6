package storage_test

import (
	"testing"

	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

// VERDANT_DB_MAX_CONNS bounds the PostgreSQL pool; SQLite keeps its one
// writer whatever it says.
func TestSetMaxConns(t *testing.T) {
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		want := map[storage.Engine][3]int{storage.SQLite: {1, 1, 1}, storage.Postgres: {storage.DefaultMaxConns, 5, storage.DefaultMaxConns}}[db.Engine]
		got := [3]int{db.Stats().MaxOpenConnections}
		db.SetMaxConns(5)
		got[1] = db.Stats().MaxOpenConnections
		db.SetMaxConns(0)
		got[2] = db.Stats().MaxOpenConnections
		if got != want {
			t.Fatalf("max open connections: default, 5, 0 = %v, want %v", got, want)
		}
	})
}
