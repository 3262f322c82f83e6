package storage_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/outbox"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

func enqueue(t *testing.T, db *storage.DB, n int, commit bool) []string {
	t.Helper()
	var ids []string
	err := db.Tx(context.Background(), func(tx *storage.Tx) error {
		ids = ids[:0]
		for i := 0; i < n; i++ {
			id, err := tx.Enqueue(context.Background(), "test", map[string]int{"i": i}, time.Now())
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if !commit {
			return errors.New("rollback")
		}
		return nil
	})
	if commit && err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestOutboxDeliversOnlyCommitted(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		st := storage.NewOutboxStore(db)
		enqueue(t, db, 3, false)
		ids := enqueue(t, db, 5, true)
		var got sync.Map
		w := &outbox.Worker{Store: st, Log: app.Discard}
		w.Handle("test", func(ctx context.Context, m outbox.Message) error { got.Store(m.ID, true); return nil })
		for {
			n, err := w.RunOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		for _, id := range ids {
			if _, ok := got.Load(id); !ok {
				t.Fatalf("message %s not delivered", id)
			}
			if status, _, _, _ := st.Status(context.Background(), id); status != "delivered" {
				t.Fatalf("status = %s", status)
			}
		}
		n := 0
		got.Range(func(any, any) bool { n++; return true })
		if n != 5 {
			t.Fatalf("delivered %d messages, want 5 (rolled-back ones must not exist)", n)
		}
	})
}

func TestOutboxRetriesWithBackoffThenDeadLetters(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		st := storage.NewOutboxStore(db)
		ids := enqueue(t, db, 2, true)
		now := time.Now()
		clock := func() time.Time { return now }
		calls := map[string]int{}
		w := &outbox.Worker{Store: st, Log: app.Discard, Now: clock, MinBackoff: time.Second, MaxBackoff: 4 * time.Second, MaxAttempts: 3}
		w.Handle("test", func(ctx context.Context, m outbox.Message) error {
			calls[m.ID]++
			if m.ID == ids[0] && calls[m.ID] < 3 {
				return errors.New("destination down")
			}
			if m.ID == ids[1] {
				return outbox.Permanent(errors.New("rejected"))
			}
			return nil
		})
		for i := 0; i < 10; i++ {
			if _, err := w.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			now = now.Add(5 * time.Second) // past any backoff
		}
		if s, a, _, _ := st.Status(context.Background(), ids[0]); s != "delivered" || a != 3 {
			t.Fatalf("retried message: status %s after %d attempts", s, a)
		}
		if s, a, e, _ := st.Status(context.Background(), ids[1]); s != "dead" || a != 1 || e != "rejected" {
			t.Fatalf("permanent failure: status %s, %d attempts, error %q", s, a, e)
		}
	})
}

func TestOutboxLeaseExpiryRedelivers(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		st := storage.NewOutboxStore(db)
		ids := enqueue(t, db, 1, true)
		now := time.Now()
		// A node claims the message and dies before completing it.
		msgs, err := st.Claim(context.Background(), now, time.Minute, 10)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("claim = %v, %v", msgs, err)
		}
		if again, _ := st.Claim(context.Background(), now.Add(30*time.Second), time.Minute, 10); len(again) != 0 {
			t.Fatal("a leased message was claimed twice")
		}
		again, err := st.Claim(context.Background(), now.Add(61*time.Second), time.Minute, 10)
		if err != nil || len(again) != 1 || again[0].ID != ids[0] || again[0].Attempts != 2 {
			t.Fatalf("after lease expiry: %+v, %v", again, err)
		}
		// The first worker wakes up late: its claim is superseded, so its
		// bookkeeping changes nothing, before or after the second's.
		if err := st.Retry(context.Background(), msgs[0], now, "late", true); err != nil {
			t.Fatal(err)
		}
		if s, _, _, _ := st.Status(context.Background(), ids[0]); s != "pending" {
			t.Fatalf("a superseded claim changed the status to %s", s)
		}
		if err := st.Complete(context.Background(), again[0], now); err != nil {
			t.Fatal(err)
		}
		st.Retry(context.Background(), msgs[0], now, "late", false)
		if s, _, _, _ := st.Status(context.Background(), ids[0]); s != "delivered" {
			t.Fatalf("a superseded claim revived a delivered message: %s", s)
		}
	})
}

func TestOutboxConcurrentWorkersDeliverEachOnce(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		st := storage.NewOutboxStore(db)
		enqueue(t, db, 60, true)
		var deliveries atomic.Int64
		seen := sync.Map{}
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			w := &outbox.Worker{Store: st, Log: app.Discard, Batch: 5}
			w.Handle("test", func(ctx context.Context, m outbox.Message) error {
				if _, dup := seen.LoadOrStore(m.ID, true); dup {
					t.Errorf("message %s delivered twice", m.ID)
				}
				deliveries.Add(1)
				return nil
			})
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n, err := w.RunOnce(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		if deliveries.Load() != 60 {
			t.Fatalf("delivered %d, want 60", deliveries.Load())
		}
	})
}

// A batch is handled in turn: a message whose lease is mostly spent when
// its turn comes is left to lapse and be claimed again, never handled on
// an expiring lease.
func TestOutboxSkipsMessagesWithSpentLease(t *testing.T) {
	t.Parallel()
	db := storagetest.OpenSQLite(t)
	st := storage.NewOutboxStore(db)
	ids := enqueue(t, db, 3, true)
	now := time.Now()
	var handled []string
	w := &outbox.Worker{Store: st, Log: app.Discard, Now: func() time.Time { return now }, Lease: time.Minute, Batch: 3}
	w.Handle("test", func(ctx context.Context, m outbox.Message) error {
		handled = append(handled, m.ID)
		now = now.Add(25 * time.Second) // a slow destination
		return nil
	})
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(handled) != 2 {
		t.Fatalf("handled %d messages of the batch, want 2 (the third's lease was mostly spent)", len(handled))
	}
	if s, _, _, _ := st.Status(context.Background(), ids[2]); s != "pending" {
		t.Fatalf("skipped message status %s", s)
	}
	now = now.Add(time.Minute) // its lease lapses; it is claimed again
	if _, err := w.RunOnce(context.Background()); err != nil || len(handled) != 3 || handled[2] != ids[2] {
		t.Fatalf("after the lease lapsed: handled %v, %v", handled, err)
	}
}
