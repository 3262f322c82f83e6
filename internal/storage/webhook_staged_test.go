package storage_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// Events committed by concurrent transactions while two sequencers run
// get positions once each, with no gap, and the events of one account in
// the order their transactions committed.
func TestWebhookStagedSequencedOnceInOrder(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		f := newHookFixture(t, db)
		ctx := context.Background()
		const accounts, perAccount = 6, 20
		want := map[string][]string{} // account -> event ids in commit order
		var mu sync.Mutex
		var writers, sequencers sync.WaitGroup
		var done atomic.Bool
		errs := make(chan error, accounts+2)
		for a := 0; a < accounts; a++ {
			acct := fmt.Sprintf("acct-%d", a)
			writers.Add(1)
			go func() {
				defer writers.Done()
				for i := 0; i < perAccount; i++ {
					es := []webhook.Event{f.event(acct), f.event(acct)} // two per transaction
					err := db.Tx(ctx, func(tx *storage.Tx) error {
						for _, e := range es {
							if err := tx.Emit(ctx, e); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					want[acct] = append(want[acct], es[0].ID, es[1].ID)
					mu.Unlock()
				}
			}()
		}
		for s := 0; s < 2; s++ { // two nodes' sequencers
			sequencers.Add(1)
			go func() {
				defer sequencers.Done()
				for !done.Load() {
					if err := db.SequenceStaged(ctx); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		writers.Wait()
		done.Store(true)
		sequencers.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if err := db.SequenceStaged(ctx); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(ctx, `SELECT seq, id, account_id FROM webhook_stream WHERE program_code = 'PROG' ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string][]string{}
		var n int64
		for rows.Next() {
			var seq int64
			var id, acct string
			if err := rows.Scan(&seq, &id, &acct); err != nil {
				t.Fatal(err)
			}
			if n++; seq != n {
				t.Fatalf("position %d where %d was due: a gap or a duplicate", seq, n)
			}
			got[acct] = append(got[acct], id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != accounts*perAccount*2 {
			t.Fatalf("%d events in the stream, want %d", n, accounts*perAccount*2)
		}
		for acct, ids := range want {
			if fmt.Sprint(got[acct]) != fmt.Sprint(ids) {
				t.Fatalf("%s: positions in the order %v, committed in the order %v", acct, got[acct], ids)
			}
		}
		var staged int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM webhook_staged`).Scan(&staged); err != nil || staged != 0 {
			t.Fatalf("%d events left staged (%v)", staged, err)
		}
	})
}
