package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

// BenchmarkCardLoad500pairs drives validate-then-commit pairs at a fixed
// 500 pairs a second, open loop, over real HTTP against the real server
// on SQLite (and PostgreSQL when VERDANT_TEST_POSTGRES_URL is set): pair i
// starts at its scheduled time with POST /card/details and, once approved,
// commits it with POST /card/load (a ledger posting with fees), over 500
// accounts with a card each. It
// reports p50/p99 of each call (a validation from its scheduled time, a
// commit from when it was sent) and of the whole pair, and the CPU time
// per pair (as openLoop). Run:
//
//	go test -run '^$' -bench CardLoad500pairs -benchtime=1x ./internal/api/
//
// VERDANT_BENCH_SECONDS sets the duration (default 10).
func BenchmarkCardLoad500pairs(b *testing.B) {
	dsns := apitest.DSNs(b)
	for _, name := range []string{"sqlite", "postgres"} {
		if dsn, ok := dsns[name]; ok {
			b.Run(name, func(b *testing.B) { benchCardLoad(b, dsn) })
		}
	}
}

func benchCardLoad(b *testing.B, dsn string) {
	a, url, client := benchApp(b, dsn)
	// 500 accounts: at 500 pairs a second each account is loaded about
	// once a second, far more than any card, and its daily-limit sums stay
	// the size a busy card's are.
	w := benchWorldOf(b, client, url, 500)
	total := benchRate * benchSeconds
	for iter := 0; iter < b.N; iter++ {
		validate, commit, pair := make([]time.Duration, total), make([]time.Duration, total), make([]time.Duration, total)
		var failures int
		var mu sync.Mutex
		var wg sync.WaitGroup
		fail := func(format string, args ...any) {
			mu.Lock()
			if failures == 0 {
				b.Logf(format, args...)
			}
			failures++
			mu.Unlock()
		}
		cpu0, db0 := cpuTime(), backendCPU(b, a)
		start := time.Now().Add(50 * time.Millisecond)
		b.ResetTimer()
		for i := 0; i < total; i++ {
			at := start.Add(time.Duration(i) * time.Second / time.Duration(benchRate))
			time.Sleep(time.Until(at))
			wg.Add(1)
			go func(i int, at time.Time) {
				defer wg.Done()
				id := fmt.Sprintf("pair-%d-%d", iter, i)
				code, ref, err := w.sendWithID(client, id, i)
				validate[i] = time.Since(at)
				if err != nil || code != "0" {
					fail("validation %d: %q %v", i, code, err)
					return
				}
				sent := time.Now()
				code, err = w.commit(client, id, ref)
				commit[i], pair[i] = time.Since(sent), time.Since(at)
				if err != nil || code != "0" {
					fail("commit %d: %q %v", i, code, err)
				}
			}(i, at)
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		cpu, db := cpuTime()-cpu0, backendCPU(b, a)-db0
		for _, m := range []struct {
			name string
			lat  []time.Duration
		}{{"validate", validate}, {"commit", commit}, {"pair", pair}} {
			slices.Sort(m.lat)
			pct := func(p float64) float64 { return float64(m.lat[int(p*float64(len(m.lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(pct(0.50), m.name+"-p50-ms")
			b.ReportMetric(pct(0.99), m.name+"-p99-ms")
		}
		b.ReportMetric(float64(total)/elapsed.Seconds(), "pairs/s")
		// CPU per pair: the process's (client and server) and, on
		// PostgreSQL, its connections' server processes'.
		b.ReportMetric(float64(cpu.Microseconds())/float64(total), "cpu-µs/pair")
		if db > 0 {
			b.ReportMetric(float64(db.Microseconds())/float64(total), "db-cpu-µs/pair")
		}
		b.ReportMetric(float64(failures), "errors")
		if failures > 0 {
			b.Errorf("%d pairs failed", failures)
		}
	}
}

// sendWithID validates as send does and answers the responseId too.
func (w *benchNet) sendWithID(c *http.Client, reqID string, i int) (code, responseID string, err error) {
	acct, pan := "", ""
	if i%2 == 0 {
		pan = w.pans[i%len(w.pans)]
	} else {
		acct = w.accounts[i%len(w.accounts)]
	}
	body := fmt.Sprintf(`{"accountIdentifier":%q,"accountNumber":%q,"paymentProgramType":"Regular","transactionAmount":20.00,
		"metadata":{"storeId":"CC970","merchantId":"FSCC0342","userId":"cashier","requestDateTime":"2023-09-28T00:56:25Z","registerId":"01"}}`, acct, pan)
	return w.retailCall(c, "/card/details", reqID, body)
}

// commit commits an approved validation of 20.00.
func (w *benchNet) commit(c *http.Client, reqID, ref string) (string, error) {
	body := fmt.Sprintf(`{"validationResponseId":%q,"transactionAmount":"20.00",
		"metadata":{"storeId":"CC970","merchantId":"FSCC0342","userId":"cashier","requestDateTime":"2023-09-28T00:56:30Z","registerId":"01"}}`, ref)
	code, _, err := w.retailCall(c, "/card/load", reqID, body)
	return code, err
}

func (w *benchNet) retailCall(c *http.Client, path, reqID, body string) (code, responseID string, err error) {
	req, _ := http.NewRequest("POST", w.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.token)
	req.Header.Set("X-GD-RequestId", reqID)
	resp, err := c.Do(req)
	if err != nil {
		return "", "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.Header.Get("X-GD-ResponseCode"), resp.Header.Get("X-GD-ResponseId"), nil
}

// BenchmarkCardLoadSerial is the closed-loop companion: one client, one
// validate-and-commit pair at a time, so ns/op is the service time of a
// pair without queueing. SQLite only.
func BenchmarkCardLoadSerial(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, apitest.Config("sqlite:"+b.TempDir()+"/verdant.db", &apitest.Clock{}), app.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	w := benchWorld(b, client, srv.URL)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := "serial-" + strconv.Itoa(i)
		code, ref, err := w.sendWithID(client, id, i)
		if err != nil || code != "0" {
			b.Fatalf("validation %d: %q %v", i, code, err)
		}
		if code, err := w.commit(client, id, ref); err != nil || code != "0" {
			b.Fatalf("commit %d: %q %v", i, code, err)
		}
	}
}
