package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

var errBoom = errors.New("boom")

// Many concurrent GroupTx and LockedGroupTx (the ledger's) callers on
// either engine: every caller that succeeds is applied exactly once, and a
// failing caller fails alone.
func TestGroupTxConcurrentIsolatesFailures(t *testing.T) {
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, `INSERT INTO contact_rate_limits (handle_index, last_at) VALUES ('counter', 0)`); err != nil {
			t.Fatal(err)
		}
		const n = 300
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				group := db.GroupTx
				if i%2 == 1 {
					group = func(ctx context.Context, fn func(*storage.Tx) error) error {
						return db.LockedGroupTx(ctx, fmt.Sprint(i%7), fn)
					}
				}
				errs[i] = group(ctx, func(tx *storage.Tx) error {
					// Not idempotent on purpose: a member applied twice
					// would show in the counter.
					if _, err := tx.Exec(ctx, `UPDATE contact_rate_limits SET last_at = last_at + 1 WHERE handle_index = 'counter'`); err != nil {
						return err
					}
					if i%37 == 5 {
						return errBoom
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := 0
		for i, err := range errs {
			switch {
			case i%37 == 5 && !errors.Is(err, errBoom):
				t.Fatalf("caller %d: err = %v, want boom", i, err)
			case i%37 != 5 && err != nil:
				t.Fatalf("caller %d: %v", i, err)
			case err == nil:
				want++
			}
		}
		var got int
		if err := db.QueryRow(ctx, `SELECT last_at FROM contact_rate_limits WHERE handle_index = 'counter'`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("counter = %d, want %d (one per successful caller)", got, want)
		}
	})
}

// Concurrent postings through the group commit, mixed with failing
// GroupTx callers that share their batches: each posting is answered on
// its own (completed, declined, replayed, conflict, unknown account),
// nothing is posted twice, and the ledger balances.
func TestLedgerPostingsGroupCommit(t *testing.T) {
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		_, prog, first := seedPlatform(t, st)
		accts := []string{first.ID}
		for range 3 {
			a, err := (&account.Service{Store: st.Accounts, Now: time.Now}).Open(ctx, prog.Code, account.Holder{FirstName: "A", LastName: "B", ZipCode: "10001"}, "")
			if err != nil {
				t.Fatal(err)
			}
			accts = append(accts, a.ID)
		}
		svc := &ledger.Service{Store: st.Ledgers, Now: time.Now}
		req := func(acct, id, typ string, amount int64) ledger.Request {
			return ledger.Request{ProgramCode: prog.Code, AccountID: acct, AdjustmentID: id, Type: typ, Amount: amount, Currency: "USD"}
		}
		const workers, each = 16, 20
		var wg sync.WaitGroup
		var mu sync.Mutex
		completed := map[string]int64{} // account -> sum of completed credits
		replays := map[string]bool{}    // transaction ids answered to the shared identifier
		fail := func(format string, args ...any) { mu.Lock(); defer mu.Unlock(); t.Errorf(format, args...) }
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					acct := accts[(w+i)%len(accts)]
					switch i % 5 {
					case 0, 1: // a fresh credit
						a, err := svc.Post(ctx, req(acct, fmt.Sprintf("c-%d-%d", w, i), "promo", 100))
						if err != nil || a.Status != ledger.StatusCompleted {
							fail("credit: %+v %v", a, err)
							continue
						}
						mu.Lock()
						completed[acct] += 100
						mu.Unlock()
					case 2: // every worker replays one identifier: one posting
						a, err := svc.Post(ctx, req(accts[0], "shared", "promo", 7))
						if err != nil || a.Status != ledger.StatusCompleted {
							fail("shared: %+v %v", a, err)
							continue
						}
						mu.Lock()
						replays[a.ID] = true
						mu.Unlock()
					case 3: // the same identifier with another body (this worker's case 2 committed it), an unknown account
						if _, err := svc.Post(ctx, req(accts[0], "shared", "promo", 8)); apperr.KindOf(err) != apperr.Conflict {
							fail("conflict: %v", err)
						}
						if _, err := svc.Post(ctx, req("no-such-account", fmt.Sprintf("x-%d-%d", w, i), "promo", 1)); apperr.KindOf(err) != apperr.NotFound {
							fail("unknown account: %v", err)
						}
					case 4: // a member that fails inside a shared batch
						err := db.LockedGroupTx(ctx, acct, func(tx *storage.Tx) error {
							if _, err := tx.Exec(ctx, `INSERT INTO audit_events (id, at, actor, action, subject) VALUES (?, ?, ?, ?, ?)`,
								fmt.Sprintf("f-%d-%d", w, i), 1, "t", "x", "s"); err != nil {
								return err
							}
							return errBoom
						})
						if !errors.Is(err, errBoom) {
							fail("failing member: %v", err)
						}
					}
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		if len(replays) != 1 {
			t.Fatalf("the shared identifier was answered with %d transaction ids, want 1", len(replays))
		}
		shared, err := svc.Get(ctx, accts[0], "shared")
		if err != nil || shared.Amount != 7 {
			t.Fatalf("shared = %+v, %v", shared, err)
		}
		completed[accts[0]] += 7
		for _, acct := range accts {
			b, err := svc.Balance(ctx, acct)
			if err != nil || b.Posted != completed[acct] {
				t.Fatalf("account %s: balance %+v, %v; want posted %d", acct, b, err, completed[acct])
			}
		}
		var failed int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE id LIKE 'f-%'`).Scan(&failed); err != nil || failed != 0 {
			t.Fatalf("%d writes of failed members committed (%v)", failed, err)
		}
		if problems, err := svc.Verify(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("verify: %v %v", problems, err)
		}
	})
}
