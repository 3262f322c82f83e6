package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

func customerStore(t *testing.T, db *storage.DB) (*stores, string) {
	t.Helper()
	v, err := vault.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	st := newStores(db, v)
	now := time.Now().UTC()
	if err := st.Partners.Create(context.Background(), partner.Partner{ID: "p1", Name: "P1", ClientID: "c1", CreatedAt: now, UpdatedAt: now}, "h", "test"); err != nil {
		t.Fatal(err)
	}
	return st, "p1"
}

// Concurrent creates of the same customer id store one row; every caller
// gets that row, and a different body is a conflict.
func TestCreateCustomerConcurrentSameID(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		st, pid := customerStore(t, db)
		ctx := context.Background()
		base := customer.Profile{PartnerID: pid, ID: "same", FirstName: "Jane", LastName: "Doe", Zip: "54321",
			SSN: "555123456", Status: customer.Verified, Active: true}
		var wg sync.WaitGroup
		links := make([]string, 8)
		errs := make([]error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := base
				p.LinkID = fmt.Sprintf("link%d", i)
				p.CreatedAt = time.Now().UTC()
				got, err := st.Customers.Create(ctx, p, nil)
				links[i], errs[i] = got.LinkID, err
			}()
		}
		wg.Wait()
		for i := range 8 {
			if errs[i] != nil || links[i] != links[0] {
				t.Fatalf("caller %d: %q %v (first %q)", i, links[i], errs[i], links[0])
			}
		}
		var n int
		db.QueryRow(ctx, `SELECT COUNT(*) FROM customers`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d rows", n)
		}
		other := base
		other.SSN = "555123457"
		if _, err := st.Customers.Create(ctx, other, nil); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("different SSN: %v", err)
		}
	})
}

// Lookups recorded concurrently are all stored (group commit).
func TestRecordLookupGroupCommit(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		st, pid := customerStore(t, db)
		ctx := context.Background()
		var wg sync.WaitGroup
		for i := range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := st.Lookups.Record(ctx, customer.LookupRecord{ID: fmt.Sprintf("l%03d", i), PartnerID: pid,
					Outcome: "FOUND", Last4: "1234", At: time.Now().UTC()}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, err := st.Lookups.Lookups(ctx, pid, 1000)
		if err != nil || len(got) != 100 {
			t.Fatalf("%d lookups stored, %v", len(got), err)
		}
	})
}
