package console_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

var olderRE = regexp.MustCompile(`href="(/console/accounts/[^"?]+\?before=[^"]+)"`)

// The account page pages its ledger entries by cursor: every entry once,
// newest first, no matter how many there are.
func TestLedgerEntriesPaging(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		apitest.SeedLedger(t, e.App, f.Seed.ProgramCode, f.Seed.AccountID, 120)
		c := f.client(t)
		c.login("finance@example.com")
		seen, pages := map[string]bool{}, 0
		entryRE := regexp.MustCompile(`<td>([0-9a-f-]{36})</td><td class="num">`)
		next := "/console/accounts/" + f.Seed.AccountID
		for next != "" {
			p := c.get(strings.ReplaceAll(next, "&amp;", "&")).want(t, http.StatusOK)
			pages++
			for _, m := range entryRE.FindAllStringSubmatch(p.Body, -1) {
				if seen[m[1]] {
					t.Fatalf("entry %s on two pages", m[1])
				}
				seen[m[1]] = true
			}
			next = ""
			if m := olderRE.FindStringSubmatch(p.Body); m != nil {
				next = m[1]
			}
		}
		if len(seen) != 123 || pages != 3 {
			t.Fatalf("%d adjustments over %d pages, want 123 over 3", len(seen), pages)
		}
		c.get("/console/accounts/"+f.Seed.AccountID+"?before=bogus").want(t, http.StatusBadRequest)
		c.get("/console/accounts/"+f.Seed.AccountID).want(t, http.StatusOK, "337.50 USD")
	})
}

// TestAccountPage100k measures the account page of an account with
// 100,000 adjustments (100,000 entries on the account, 200,000 in the
// ledger) rendered server-side, on each engine: the target is under 50 ms.
// It seeds for a while, so it runs only with VERDANT_BENCH_CONSOLE=1
// (docs/benchmarks.md).
func TestAccountPage100k(t *testing.T) {
	if os.Getenv("VERDANT_BENCH_CONSOLE") != "1" {
		t.Skip("set VERDANT_BENCH_CONSOLE=1 to run the account page benchmark")
	}
	const n, renders = 100_000, 200
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		began := time.Now()
		apitest.SeedLedger(t, e.App, f.Seed.ProgramCode, f.Seed.AccountID, n)
		t.Logf("seeded %d adjustments in %v", n, time.Since(began).Round(time.Second))
		c := f.client(t)
		c.login("finance@example.com")
		var cookies []*http.Cookie
		for _, ck := range c.jar.Cookies(mustURL(t, f.URL+"/console/")) {
			cookies = append(cookies, ck)
		}
		// Server-side: the handler alone, in process, no network.
		page := func(path string) time.Duration {
			req := httptest.NewRequest("GET", path, nil)
			for _, ck := range cookies {
				req.AddCookie(ck)
			}
			rec := httptest.NewRecorder()
			t0 := time.Now()
			e.App.Handler.ServeHTTP(rec, req)
			d := time.Since(t0)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "seeded 99999") {
				t.Fatalf("%s: %d", path, rec.Code)
			}
			return d
		}
		path := "/console/accounts/" + f.Seed.AccountID
		for i := 0; i < 10; i++ { // warm the caches and the statement cache
			page(path)
		}
		var ds []time.Duration
		for i := 0; i < renders; i++ {
			ds = append(ds, page(path))
		}
		slices.Sort(ds)
		p50, p99, worst := ds[len(ds)/2], ds[len(ds)*99/100], ds[len(ds)-1]
		t.Logf("account page, %d entries: p50 %v, p99 %v, max %v over %d renders", n, p50.Round(10*time.Microsecond),
			p99.Round(10*time.Microsecond), worst.Round(10*time.Microsecond), renders)
		if p99 >= 50*time.Millisecond {
			t.Errorf("p99 %v, want under 50 ms", p99)
		}
	})
}
