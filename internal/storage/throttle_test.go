package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/throttle"
)

// Failures counted by concurrent callers (as several nodes would) are
// each counted; a window that ended restarts at the next failure; windows
// that ended are deleted on the way.
func TestThrottleStore(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		s := storage.NewThrottleStore(db)
		g := &throttle.Guard{Store: s, Scope: throttle.Operator, Limit: throttle.Limit{Max: 20, Window: time.Minute}}
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		now := t0
		g.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := g.Fail(ctx, "10.0.0.1"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		c, err := g.Check(ctx, "10.0.0.1")
		if err == nil || c.Failures != 20 || !c.WindowStart.Equal(t0) {
			t.Fatalf("after 20 concurrent failures: %+v %v", c, err)
		}
		if other, err := g.Check(ctx, "10.0.0.2"); err != nil || other.Failures != 0 {
			t.Fatalf("another client: %+v %v", other, err)
		}
		g.Fail(ctx, "10.0.0.2")

		mu.Lock()
		now = t0.Add(time.Minute)
		mu.Unlock()
		if _, err := g.Check(ctx, "10.0.0.1"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		c, err = g.Fail(ctx, "10.0.0.1")
		if err != nil || c.Failures != 1 || !c.WindowStart.Equal(t0.Add(time.Minute)) {
			t.Fatalf("first failure of a new window: %+v %v", c, err)
		}
		var rows int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM auth_failures`).Scan(&rows); err != nil || rows != 1 {
			t.Fatalf("%d rows left, want 1 (the ended window of 10.0.0.2 deleted): %v", rows, err)
		}
		if err := g.Succeeded(ctx, "10.0.0.1", c); err != nil {
			t.Fatal(err)
		}
		if c, _ := g.Check(ctx, "10.0.0.1"); c.Failures != 0 {
			t.Fatalf("after success: %+v", c)
		}
	})
}
