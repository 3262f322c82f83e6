package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// BenchmarkPostingWebhookEvent measures what a transaction webhook event
// adds to a posting, without HTTP or the delivery worker: 16 callers post
// adjustments through the group commit, with no subscription and with one
// to transaction events. cpu-µs/op is the process CPU time per posting
// (steadier than wall time on a shared machine).
//
//	VERDANT_TEST_POSTGRES_URL=... go test -run XXX -bench BenchmarkPostingWebhookEvent -benchtime 4000x ./internal/storage
func BenchmarkPostingWebhookEvent(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, subscribed := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/subscribed=%v", engine, subscribed), func(b *testing.B) {
				benchEmittingPostings(b, engine, subscribed)
			})
		}
	}
}

func benchEmittingPostings(b *testing.B, engine string, subscribed bool) {
	db := benchDB(b, engine)
	ctx := context.Background()
	st := newStore(b, db)
	_, prog, first := seedPlatform(b, st)
	accts := []string{first.ID}
	for range 63 {
		a, err := (&account.Service{Store: st.Accounts, Now: time.Now}).Open(ctx, prog.Code,
			account.Holder{FirstName: "A", LastName: "B", ZipCode: "10001"}, "")
		if err != nil {
			b.Fatal(err)
		}
		accts = append(accts, a.ID)
	}
	if subscribed {
		svc := &webhook.Service{Store: storage.NewWebhookStore(db), Vault: st.Vault, AllowPrivate: true, Now: time.Now}
		if _, _, err := svc.Create(ctx, prog.Code, webhook.Input{URL: "http://127.0.0.1:9/h", EventTypes: []string{webhook.Transaction}}); err != nil {
			b.Fatal(err)
		}
	}
	svc := &ledger.Service{Store: st.Ledgers, Now: time.Now}
	var next sync.Mutex
	n := 0
	b.ResetTimer()
	c0 := processCPU()
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				next.Lock()
				if n >= b.N {
					next.Unlock()
					return
				}
				n++
				next.Unlock()
				a, err := svc.Post(ctx, ledger.Request{ProgramCode: prog.Code, AccountID: accts[(w+16*i)%len(accts)],
					AdjustmentID: fmt.Sprintf("%d-%d", w, i), Type: "promo", Amount: 125, Currency: "USD"})
				if err != nil || a.Status != ledger.StatusCompleted {
					b.Errorf("posting: %+v %v", a, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "cpu-µs/op")
}
