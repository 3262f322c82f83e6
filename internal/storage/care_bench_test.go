package storage_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

// benchDB opens a migrated database for a benchmark: SQLite in a
// temporary directory, or PostgreSQL in a fresh schema.
func benchDB(b *testing.B, engine string) *storage.DB {
	b.Helper()
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
	if engine == "postgres" {
		base := os.Getenv(storagetest.PostgresURLEnv)
		if base == "" {
			b.Skip(storagetest.PostgresURLEnv + " not set")
		}
		admin, err := storage.Open(ctx, base)
		if err != nil {
			b.Fatal(err)
		}
		x := make([]byte, 6)
		rand.Read(x)
		schema := "verdant_bench_" + hex.EncodeToString(x)
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); admin.Close() })
		u, _ := url.Parse(base)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkCareCreate measures opening a case (validation, number draw,
// sealed contact, history entry and outbox message in one transaction),
// from parallel callers, each with its own X-GD-RequestId.
//
//	VERDANT_TEST_POSTGRES_URL=... go test -run XXX -bench BenchmarkCareCreate -benchtime 3s ./internal/storage
func BenchmarkCareCreate(b *testing.B) {
	body := []byte(`{"subject":"Registering Your Card","firstName":"Jack","lastName":"Jones",
		"customerQuestion":"How do I register my card?","emailAddress":"jack@example.com","accountIdentifier":"ACCT",
		"phoneNumbers":{"number":"310-555-1234","type":"mobile"},"device":{"deviceMake":"Apple","deviceOS":1}}`)
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := benchDB(b, engine)
			st, v, acct := careFixture(b, db)
			ctx := context.Background()
			svc := &care.Service{Store: st, Now: time.Now, Fingerprint: v.Index, Deliver: true}
			body := []byte(strings.ReplaceAll(string(body), "ACCT", acct))
			var n atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, err := care.ParseRequest(body)
					if err != nil {
						b.Error(err)
						return
					}
					if _, err := svc.Create(ctx, "p1", "PROG", fmt.Sprint("r", n.Add(1)), req); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
