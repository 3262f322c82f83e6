package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

// BenchmarkCardDetails500rps drives POST /card/details at a fixed 500
// requests a second, open loop (each request is sent at its scheduled
// time whatever the earlier ones do, and its latency counts from that
// time, so a stall is not hidden), over real HTTP against the real
// server on SQLite (and PostgreSQL when VERDANT_TEST_POSTGRES_URL is
// set), and reports p50/p99. Every request is a full validation that is
// approved and written to the audit table. Run:
//
//	go test -run '^$' -bench CardDetails500rps -benchtime=1x ./internal/api/
//
// VERDANT_BENCH_SECONDS sets the duration (default 10).
func BenchmarkCardDetails500rps(b *testing.B) {
	benchEngines(b, benchCardDetails)
}

// benchRate is the open-loop benchmarks' rate a second: 500, the target,
// unless VERDANT_BENCH_RATE sets another (to see where latency turns).
var benchRate = func() int {
	if v, err := strconv.Atoi(os.Getenv("VERDANT_BENCH_RATE")); err == nil && v > 0 {
		return v
	}
	return 500
}()

// BenchmarkCardDetailsSerial is the closed-loop companion: one client,
// one request at a time, so ns/op is the service time of a validation
// (HTTP, checks, audit commit) without queueing. SQLite only.
func BenchmarkCardDetailsSerial(b *testing.B) {
	client := &http.Client{Timeout: 10 * time.Second}
	w := benchWorld(b, client, benchServe(b, benchSQLite(b)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code, err := w.send(client, "serial-"+strconv.Itoa(i), i); err != nil || code != "0" {
			b.Fatalf("request %d: %q %v", i, code, err)
		}
	}
}

func benchCardDetails(b *testing.B, dsn string) {
	client := benchClient()
	w := benchWorld(b, client, benchServe(b, dsn))
	total := benchRate * benchSeconds()
	for iter := 0; iter < b.N; iter++ {
		lat := make([]time.Duration, total)
		var failures, notOK atomic.Int64
		b.ResetTimer()
		elapsed := openLoop(total, func(i int, at time.Time) {
			code, err := w.send(client, fmt.Sprintf("bench-%d-%d", iter, i), i)
			lat[i] = time.Since(at)
			if err != nil {
				failures.Add(1)
			} else if code != "0" {
				notOK.Add(1)
			}
		})
		b.StopTimer()
		reportLatency(b, "", lat)
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
		b.ReportMetric(float64(total)/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(failures.Load()+notOK.Load()), "errors")
		if failures.Load()+notOK.Load() > 0 {
			b.Errorf("%d transport errors, %d answers not 0", failures.Load(), notOK.Load())
		}
	}
}

// benchEngines runs fn as a sub-benchmark per engine: SQLite, then
// PostgreSQL when VERDANT_TEST_POSTGRES_URL is set.
func benchEngines(b *testing.B, fn func(b *testing.B, dsn string)) {
	dsns := apitest.DSNs(b)
	for _, name := range []string{"sqlite", "postgres"} {
		if dsn, ok := dsns[name]; ok {
			b.Run(name, func(b *testing.B) { fn(b, dsn) })
		}
	}
}

// benchServe starts the real app on dsn behind an HTTP test server for
// the rest of the benchmark and answers the server's URL.
func benchServe(b *testing.B, dsn string) string {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	a, err := app.New(ctx, apitest.Config(dsn, &apitest.Clock{}), app.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(a.Handler)
	b.Cleanup(srv.Close)
	return srv.URL
}

// benchSQLite is a fresh SQLite database of the benchmark's own.
func benchSQLite(b *testing.B) string { return "sqlite:" + filepath.Join(b.TempDir(), "verdant.db") }

// benchClient is the open-loop benchmarks' client: enough idle
// connections that a request never waits for one.
func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512}, Timeout: 10 * time.Second}
}

// benchSeconds is how long an open-loop benchmark runs:
// VERDANT_BENCH_SECONDS, default 10.
func benchSeconds() int {
	if v, err := strconv.Atoi(os.Getenv("VERDANT_BENCH_SECONDS")); err == nil && v > 0 {
		return v
	}
	return 10
}

// openLoop runs call i of total at its scheduled time, benchRate calls a
// second from now, whatever the earlier calls do (so a stall is not
// hidden: each call's latency counts from at), and answers how long the
// run took once every call has returned.
func openLoop(total int, call func(i int, at time.Time)) time.Duration {
	var wg sync.WaitGroup
	start := time.Now().Add(50 * time.Millisecond)
	for i := 0; i < total; i++ {
		at := start.Add(time.Duration(i) * time.Second / time.Duration(benchRate))
		time.Sleep(time.Until(at))
		wg.Go(func() { call(i, at) })
	}
	wg.Wait()
	return time.Since(start)
}

// reportLatency reports the p50 and p99 of lat (sorted in place) in
// milliseconds, as <name>-p50-ms and <name>-p99-ms (p50-ms, p99-ms
// without a name).
func reportLatency(b *testing.B, name string, lat []time.Duration) {
	if name != "" {
		name += "-"
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), name+"p50-ms")
	b.ReportMetric(pct(0.99), name+"p99-ms")
}

// benchNet is the seeded retail network of the benchmark: accounts, each
// with a card, on one program with generous limits.
type benchNet struct {
	url, token string
	accounts   []string
	pans       []string
}

// send validates 20.00 for account i (by PAN for an even i, by id for an
// odd one) and answers the responseCode.
func (w *benchNet) send(c *http.Client, reqID string, i int) (string, error) {
	code, _, err := w.sendWithID(c, reqID, i)
	return code, err
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

// retailCall posts a retail request and answers its responseCode and
// responseId.
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

func benchWorld(b *testing.B, c *http.Client, base string) *benchNet {
	return benchWorldOf(b, c, base, 50)
}

// benchWorldOf is benchWorld with n accounts.
func benchWorldOf(b *testing.B, c *http.Client, base string, n int) *benchNet {
	call := func(method, path string, body any, out any) {
		j, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(j))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+apitest.AdminToken)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 {
			msg, _ := io.ReadAll(resp.Body)
			b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, msg)
		}
		if out != nil {
			json.NewDecoder(resp.Body).Decode(out)
		}
	}
	var p struct{ PartnerID, ClientID, ClientSecret string }
	call("POST", "/admin/v1/partners", map[string]any{"name": "Bench"}, &p)
	call("POST", "/admin/v1/programs", map[string]any{"programCode": "BENCH", "partnerId": p.PartnerID, "name": "Bench",
		"bin": "499998", "reload": map[string]any{"reloadFee": "3.95", "minLoadAmount": "1", "maxLoadAmount": "500",
			"dailyLoadLimit": "100000000"}}, nil)
	call("POST", "/admin/v1/merchants", map[string]any{"merchantId": "FSCC0342", "partnerId": p.PartnerID, "name": "Store",
		"merchantFee": "2.00"}, nil)
	call("POST", "/admin/v1/merchants/FSCC0342/stores", map[string]any{"storeId": "CC970"}, nil)
	call("POST", "/admin/v1/merchants/FSCC0342/users", map[string]any{"userId": "cashier"}, nil)
	w := &benchNet{url: base}
	for i := 0; i < n; i++ {
		var a struct{ AccountIdentifier string }
		call("POST", "/admin/v1/programs/BENCH/accounts", map[string]any{"holder": map[string]any{
			"firstName": "Jack", "lastName": "White", "zipCode": "91107"}}, &a)
		var card struct{ PAN string }
		call("POST", "/admin/v1/programs/BENCH/accounts/"+a.AccountIdentifier+"/paymentInstruments", map[string]any{}, &card)
		w.accounts, w.pans = append(w.accounts, a.AccountIdentifier), append(w.pans, card.PAN)
	}
	req, _ := http.NewRequest("POST", base+"/authentication", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(p.ClientID, p.ClientSecret)
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	w.token = tok.AccessToken
	return w
}
