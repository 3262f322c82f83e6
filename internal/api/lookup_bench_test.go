package api_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
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
// cards on file and an open-loop load (openLoop: 500 requests a second
// unless VERDANT_BENCH_RATE says otherwise, for VERDANT_BENCH_SECONDS,
// default 10) against the real HTTP stack (bearer auth, one indexed
// query, the lookup audit insert), on SQLite and, when
// VERDANT_TEST_POSTGRES_URL is set, on PostgreSQL.
//
//	go test -run '^$' -bench CustomerLookupLoad -benchtime 1x ./internal/api
func BenchmarkCustomerLookupLoad(b *testing.B) {
	dsns := apitest.DSNs(b)
	for _, name := range []string{"sqlite", "postgres"} {
		if dsn, ok := dsns[name]; ok {
			b.Run(name, func(b *testing.B) { benchLookup(b, dsn) })
		}
	}
}

func benchLookup(b *testing.B, dsn string) {
	const cards = 100_000
	ctx := context.Background()
	a, base, client := benchApp(b, dsn)
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
	lookup := func(pan string) error {
		req, _ := http.NewRequest("POST", base+"/customers/accounts/search",
			strings.NewReader(`{"accountNumber":"`+pan+`","retailer":{"storeNumber":"42","stateCode":"CA"}}`))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("HTTP %d %.120s", resp.StatusCode, body)
		}
		return nil
	}
	for i := 0; i < 200; i++ { // warm connections and caches
		lookup(pans[i])
	}
	openLoop(b, a, func(_, i int) error { return lookup(pans[rand.IntN(len(pans))]) })
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
