package storage_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

// BenchmarkPostings posts adjustments from 16 concurrent callers through
// ledger.Service and the store (group commit included), without HTTP: the
// storage half of an adjustment. SQLite always; PostgreSQL too when
// VERDANT_TEST_POSTGRES_URL is set. ns/op is wall time per posting (all
// callers together); the reported cpu-µs/op is the process's CPU time per
// posting (PostgreSQL's own processes not included).
//
//	go test -run '^$' -bench Postings -benchtime 20000x ./internal/storage
func BenchmarkPostings(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchPostings(b, "sqlite:"+storagetest.SQLitePath(b), 16) })
	if os.Getenv(storagetest.PostgresURLEnv) != "" {
		b.Run("postgres", func(b *testing.B) { benchPostings(b, storagetest.PostgresDSN(b), 16) })
	}
}

func benchPostings(b *testing.B, dsn string, callers int) {
	ctx := context.Background()
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	accounts := seedLedgerAccounts(b, db, 64)
	svc := &ledger.Service{Store: storage.NewLedgerStore(db), Now: time.Now}
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu0 := processCPU()
	b.ResetTimer()
	for w := 0; w < callers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				typ := "promo"
				if i/len(accounts)%2 == 1 {
					typ = "promoReversal"
				}
				r := ledger.Request{ProgramCode: "BENCH", AccountID: accounts[i%len(accounts)], AdjustmentID: uuid.NewString(),
					Type: typ, Amount: 125, Currency: "USD", Description: "bench"}
				if _, err := svc.Post(ctx, r); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// seedLedgerAccounts inserts a partner, program BENCH and n accounts.
func seedLedgerAccounts(b *testing.B, db *storage.DB, n int) []string {
	ctx := context.Background()
	q := []string{`INSERT INTO partners (id, name, client_id, secret_hash, created_at, updated_at) VALUES ('pb', 'P', 'cb', 'h', 1, 1)`,
		`INSERT INTO programs (code, partner_id, name, bin, created_at, updated_at) VALUES ('BENCH', 'pb', 'P', '499998', 1, 1)`}
	var out []string
	for i := 0; i < n; i++ {
		id := uuid.NewString()
		out = append(out, id)
		q = append(q, fmt.Sprintf(`INSERT INTO accounts (id, program_code, status, first_name, last_name, zip_code, created_at,
			updated_at) VALUES ('%s', 'BENCH', 'normal', 'A', 'B', '91107', 1, 1)`, id))
	}
	for _, s := range q {
		if _, err := db.Exec(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	return out
}
