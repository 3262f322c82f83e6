package api_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/program"
)

// BenchmarkCustomerLookupLoad is the customer-lookup load test: 100,000
// cards on file, an open-loop load of 500 requests/s for
// VERDANT_BENCH_SECONDS (default 10) against the real HTTP stack (bearer
// auth, one indexed query, the lookup audit insert), reporting latency
// percentiles. SQLite by default; VERDANT_BENCH_POSTGRES_URL runs it on
// PostgreSQL (use an empty database: the test migrates it and adds rows).
//
//	go test -run XXX -bench CustomerLookupLoad -benchtime 1x ./internal/api
func BenchmarkCustomerLookupLoad(b *testing.B) {
	const cards, rate = 100_000, 500
	secs, _ := strconv.Atoi(os.Getenv("VERDANT_BENCH_SECONDS"))
	if secs <= 0 {
		secs = 10
	}
	dsn := os.Getenv("VERDANT_BENCH_POSTGRES_URL")
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
	}
	ctx := context.Background()
	cfg := apitest.Config(dsn, &apitest.Clock{})
	a, err := app.New(ctx, cfg, app.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()

	cr, err := a.Partners.Create(ctx, "Bench")
	if err != nil {
		b.Fatal(err)
	}
	code := "BENCH" + strconv.Itoa(rand.IntN(1e6))
	if _, err := a.Programs.Create(ctx, program.Program{Code: code, PartnerID: cr.Partner.ID, Name: "Bench", BIN: "499998"}); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	pans := seedCards(b, a, code, cards)
	b.Logf("seeded %d accounts and cards in %v", cards, time.Since(start).Round(time.Millisecond))
	tok, err := a.Partners.Authenticate(ctx, cr.Partner.ClientID, cr.ClientSecret)
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}, Timeout: 10 * time.Second}
	lookup := func(pan string) (time.Duration, int) {
		req, _ := http.NewRequest("POST", srv.URL+"/customers/accounts/search",
			bytes.NewReader([]byte(`{"accountNumber":"`+pan+`","retailer":{"storeNumber":"42","stateCode":"CA"}}`)))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		t0 := time.Now()
		resp, err := client.Do(req)
		d := time.Since(t0)
		if err != nil {
			return d, 0
		}
		resp.Body.Close()
		return d, resp.StatusCode
	}
	for i := 0; i < 200; i++ { // warm connections and caches
		lookup(pans[i])
	}
	b.ResetTimer()
	var mu sync.Mutex
	var lat []time.Duration
	failed := 0
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / rate)
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		<-tick.C
		wg.Add(1)
		go func(pan string) {
			defer wg.Done()
			d, st := lookup(pan)
			mu.Lock()
			lat = append(lat, d)
			if st != http.StatusOK {
				failed++
			}
			mu.Unlock()
		}(pans[rand.IntN(len(pans))])
	}
	tick.Stop()
	wg.Wait()
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
	b.ReportMetric(float64(len(lat))/float64(secs), "req/s")
	b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.Logf("%s: %d lookups in %ds, %d not 200; p50 %v p90 %v p99 %v max %v", a.DB.Engine, len(lat), secs, failed,
		pct(0.5), pct(0.9), pct(0.99), lat[len(lat)-1])
	if failed > 0 {
		b.Errorf("%d lookups failed", failed)
	}
}

// seedCards opens n accounts with one card each through the store's bulk
// insert and answers the PANs.
func seedCards(b *testing.B, a *app.App, code string, n int) []string {
	now := time.Now().UTC()
	accts := make([]account.Account, n)
	cs := make([]card.Card, n)
	pans := make([]string, n)
	for i := range n {
		accts[i] = account.Account{ID: uuid.NewString(), ProgramCode: code, Status: account.Normal, CreatedAt: now, UpdatedAt: now,
			Holder: account.Holder{FirstName: "Holder", LastName: fmt.Sprintf("N%d", i), ZipCode: "02110", CustomerID: fmt.Sprintf("C%07d", i)}}
		pans[i] = card.NewPAN("499998")
		cs[i] = card.Card{ID: uuid.NewString(), AccountID: accts[i].ID, ProgramCode: code, Last4: pans[i][12:], BIN: "499998",
			ExpiryYear: strconv.Itoa(now.Year() + 3), ExpiryMonth: "01", Type: "virtual", Status: card.Activated,
			DeliveryMethod: "reg", IssuedAt: now, UpdatedAt: now}
	}
	if err := apitest.LookupStore(a).BulkCreateCardholders(context.Background(), accts, cs, pans); err != nil {
		b.Fatal(err)
	}
	return pans
}
