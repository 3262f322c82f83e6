package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// Concurrent callers share commits, every successful caller's write is
// committed, and one caller's failure fails only that caller.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	const n = 200
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = db.GroupTx(ctx, func(tx *Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO audit_events (id, at, actor, action, subject) VALUES (?, ?, ?, ?, ?)`,
					"e"+strconv.Itoa(i), i, "t", "x", "s"); err != nil {
					return err
				}
				if i%50 == 7 {
					return boom
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		switch {
		case i%50 == 7 && !errors.Is(err, boom):
			t.Fatalf("caller %d: err = %v, want boom", i, err)
		case i%50 == 7:
			failed++
		case err != nil:
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	var rows int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != n-failed {
		t.Fatalf("%d rows committed, want %d", rows, n-failed)
	}
}
