package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

func TestOutboxDepth(t *testing.T) {
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := storage.NewOutboxStore(db)
		if d, err := st.Depth(ctx); err != nil || d.Pending != 0 || d.Dead != 0 || !d.OldestPending.IsZero() {
			t.Fatalf("empty outbox depth = %+v, %v", d, err)
		}
		ids := enqueue(t, db, 3, true)
		now := time.Now()
		claimed, err := st.Claim(ctx, now, time.Minute, 3)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claim = %d, %v", len(claimed), err)
		}
		byID := map[string]int{}
		for i, m := range claimed {
			byID[m.ID] = i
		}
		// The first is delivered, the second dead, the third still pending.
		if err := st.Complete(ctx, claimed[byID[ids[0]]], now); err != nil {
			t.Fatal(err)
		}
		if err := st.Retry(ctx, claimed[byID[ids[1]]], now, "gone", true); err != nil {
			t.Fatal(err)
		}
		pending := claimed[byID[ids[2]]]
		if err := st.Retry(ctx, pending, now.Add(time.Second), "later", false); err != nil {
			t.Fatal(err)
		}
		d, err := st.Depth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Pending != 1 || d.Dead != 1 || !d.OldestPending.Equal(pending.CreatedAt) {
			t.Fatalf("depth = %+v, want 1 pending (written %v), 1 dead", d, pending.CreatedAt)
		}
	})
}

func TestPoolStats(t *testing.T) {
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		want := map[storage.Engine][]string{storage.SQLite: {"write", "read"}, storage.Postgres: {"readwrite"}}[db.Engine]
		got := db.PoolStats()
		if len(got) != len(want) {
			t.Fatalf("pools = %v, want %v", got, want)
		}
		for _, p := range want {
			if st, ok := got[p]; !ok || st.MaxOpenConnections == 0 {
				t.Fatalf("pool %q = %+v (present %v)", p, st, ok)
			}
		}
	})
}
