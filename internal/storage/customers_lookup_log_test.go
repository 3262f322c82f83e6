package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

// Concurrent lookups' audit rows are all written, each as recorded, and
// one that cannot be written (a repeated id) fails only its own caller,
// though on PostgreSQL they share inserts.
func TestLookupRecordsConcurrent(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		st, pid := customerStore(t, db)
		ctx := context.Background()
		at := time.Now().UTC().Truncate(time.Microsecond)
		rec := func(i int) customer.LookupRecord {
			return customer.LookupRecord{ID: fmt.Sprintf("L%03d", i), PartnerID: pid, At: at.Add(time.Duration(i) * time.Microsecond),
				Outcome: "FOUND", CardID: fmt.Sprintf("card-%d", i), Last4: fmt.Sprintf("%04d", i),
				Retailer: customer.Retailer{StoreNumber: "42", StoreName: "Store", StateCode: "CA", Latitude: "1.5", Longitude: "-2"}}
		}
		if err := st.Lookups.Record(ctx, rec(0)); err != nil {
			t.Fatal(err)
		}
		const n = 60
		errs := make([]error, n+1)
		var wg sync.WaitGroup
		for i := 1; i <= n; i++ {
			wg.Go(func() { errs[i] = st.Lookups.Record(ctx, rec(i)) })
		}
		wg.Go(func() { errs[0] = st.Lookups.Record(ctx, rec(0)) }) // already written
		wg.Wait()
		if errs[0] == nil {
			t.Fatal("a repeated lookup id was written")
		}
		for i, err := range errs[1:] {
			if err != nil {
				t.Fatalf("lookup %d: %v", i+1, err)
			}
		}
		got, err := st.Lookups.Lookups(ctx, pid, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n+1 {
			t.Fatalf("%d rows, want %d", len(got), n+1)
		}
		for _, g := range got {
			var i int
			fmt.Sscanf(g.ID, "L%03d", &i)
			if want := rec(i); !g.At.Equal(want.At) || g.CardID != want.CardID || g.Last4 != want.Last4 || g.Retailer != want.Retailer ||
				g.Outcome != want.Outcome || g.PartnerID != pid {
				t.Fatalf("row %s = %+v, want %+v", g.ID, g, want)
			}
		}
	})
}
