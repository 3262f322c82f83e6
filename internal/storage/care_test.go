package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

// careFixture seeds a partner, program and account for case tests and
// benchmarks, and answers the store and the account id.
func careFixture(t testing.TB, db *storage.DB) (*storage.CareStore, *vault.Vault, string) {
	t.Helper()
	key, _ := vault.ParseKey(vault.GenerateKey())
	v, err := vault.New(key)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	acct := uuid.NewString()
	for _, q := range []string{
		`INSERT INTO partners (id, name, client_id, secret_hash, created_at, updated_at) VALUES ('p1', 'P', 'c1', 'h', 0, 0)`,
		`INSERT INTO programs (code, partner_id, name, bin, created_at, updated_at) VALUES ('PROG', 'p1', 'Prog', '499998', 0, 0)`,
		`INSERT INTO accounts (id, program_code, status, first_name, last_name, zip_code, created_at, updated_at)
			VALUES ('` + acct + `', 'PROG', 'normal', 'Jack', 'Jones', '91107', 0, 0)`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return storage.NewCareStore(db, v), v, acct
}

// TestCareBackfillEnqueuesEachCaseOnce: cases made with no CRM configured
// are enqueued once, however many nodes backfill at the same time.
func TestCareBackfillEnqueuesEachCaseOnce(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		st, v, acct := careFixture(t, db)
		svc := &care.Service{Store: st, Now: time.Now, Fingerprint: v.Index}
		ctx := context.Background()
		numbers := map[string]bool{}
		for i := 0; i < 30; i++ {
			c, err := svc.Create(ctx, "p1", "PROG", "", care.Request{Subject: fmt.Sprint("s", i), FirstName: "Jack",
				LastName: "Jones", CustomerQuestion: "q", EmailAddress: "j@example.com", AccountIdentifier: acct})
			if err != nil {
				t.Fatal(err)
			}
			if numbers[c.Number] {
				t.Fatalf("case number %s drawn twice", c.Number)
			}
			numbers[c.Number] = true
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := &care.CRMSender{Store: st, Now: time.Now}
				n, err := d.EnqueueQueued(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		var messages int
		db.QueryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE topic = ?`, care.Topic).Scan(&messages)
		if total != 30 || messages != 30 {
			t.Fatalf("enqueued %d (reported %d), want 30", messages, total)
		}
		if n, _ := (&care.CRMSender{Store: st, Now: time.Now}).EnqueueQueued(ctx); n != 0 {
			t.Fatalf("a second backfill enqueued %d", n)
		}
	})
}
