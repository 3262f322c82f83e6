package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkCardLoad500pairs drives validate-then-commit pairs at a fixed
// 500 pairs a second, open loop, over real HTTP against the real server
// on SQLite (and PostgreSQL when VERDANT_TEST_POSTGRES_URL is set): pair i
// starts at its scheduled time with POST /card/details and, once approved,
// commits it with POST /card/load (a ledger posting with fees), over 500
// accounts with a card each. It
// reports p50/p99 of each call (a validation from its scheduled time, a
// commit from when it was sent) and of the whole pair. Run:
//
//	go test -run '^$' -bench CardLoad500pairs -benchtime=1x ./internal/api/
//
// VERDANT_BENCH_SECONDS sets the duration (default 10).
func BenchmarkCardLoad500pairs(b *testing.B) {
	benchEngines(b, benchCardLoad)
}

func benchCardLoad(b *testing.B, dsn string) {
	client := benchClient()
	// 500 accounts: at 500 pairs a second each account is loaded about
	// once a second, far more than any card, and its daily-limit sums stay
	// the size a busy card's are.
	w := benchWorldOf(b, client, benchServe(b, dsn), 500)
	total := benchRate * benchSeconds()
	for iter := 0; iter < b.N; iter++ {
		validate, commit, pair := make([]time.Duration, total), make([]time.Duration, total), make([]time.Duration, total)
		var failures int
		var mu sync.Mutex
		fail := func(format string, args ...any) {
			mu.Lock()
			if failures == 0 {
				b.Logf(format, args...)
			}
			failures++
			mu.Unlock()
		}
		b.ResetTimer()
		elapsed := openLoop(total, func(i int, at time.Time) {
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
		})
		b.StopTimer()
		reportLatency(b, "validate", validate)
		reportLatency(b, "commit", commit)
		reportLatency(b, "pair", pair)
		b.ReportMetric(float64(total)/elapsed.Seconds(), "pairs/s")
		b.ReportMetric(float64(failures), "errors")
		if failures > 0 {
			b.Errorf("%d pairs failed", failures)
		}
	}
}

// commit commits an approved validation of 20.00.
func (w *benchNet) commit(c *http.Client, reqID, ref string) (string, error) {
	body := fmt.Sprintf(`{"validationResponseId":%q,"transactionAmount":"20.00",
		"metadata":{"storeId":"CC970","merchantId":"FSCC0342","userId":"cashier","requestDateTime":"2023-09-28T00:56:30Z","registerId":"01"}}`, ref)
	code, _, err := w.retailCall(c, "/card/load", reqID, body)
	return code, err
}

// BenchmarkCardLoadSerial is the closed-loop companion: one client, one
// validate-and-commit pair at a time, so ns/op is the service time of a
// pair without queueing. SQLite only.
func BenchmarkCardLoadSerial(b *testing.B) {
	client := &http.Client{Timeout: 10 * time.Second}
	w := benchWorld(b, client, benchServe(b, benchSQLite(b)))
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
