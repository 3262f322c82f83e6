package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

// The open-loop harness of the load benchmarks (CardDetails500rps,
// CustomerLookupLoad): the platform behind a loopback HTTP server, and a
// driver that sends requests at a fixed rate whatever the earlier ones do.

// benchApp starts the platform on dsn behind a loopback HTTP server for
// the rest of the benchmark, with a client of at most benchConns
// connections.
func benchApp(b *testing.B, dsn string) (*app.App, string, *http.Client) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, apitest.Config(dsn, &apitest.Clock{}), app.Discard)
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	b.Cleanup(func() {
		srv.Close()
		cancel()
		a.Close()
	})
	return a, srv.URL, &http.Client{Transport: &http.Transport{MaxIdleConns: benchConns, MaxIdleConnsPerHost: benchConns,
		MaxConnsPerHost: benchConns}, Timeout: 10 * time.Second}
}

// benchConns bounds the open-loop client's connections, as a retailer's
// gateway or a load balancer keeps a pool: a request finding them all busy
// waits for one (its latency still counts from its scheduled time).
// Unbounded, a stall made the client dial a connection per waiting
// request, thousands of them, and the server spent its CPU accepting
// connections instead of answering (issue 18).
const benchConns = 128

// benchRate is the open-loop benchmarks' rate a second: 500 unless
// VERDANT_BENCH_RATE sets another (to find where latency turns).
var benchRate = envInt("VERDANT_BENCH_RATE", 500)

// benchSeconds is how long an open-loop run lasts: VERDANT_BENCH_SECONDS,
// 10 by default.
var benchSeconds = envInt("VERDANT_BENCH_SECONDS", 10)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// openLoop sends benchRate requests a second for benchSeconds, b.N times:
// request i of iteration iter is sent at its scheduled time by send, in a
// goroutine of its own, and its latency counts from that time, so a stall
// delays every later request's answer instead of hiding them (coordinated
// omission). It reports p50, p99 and the maximum, the rate achieved, the
// failures (send answered an error; the distinct ones are logged with
// their counts) and the CPU time per request: the
// process's (user and system, client and server together) and, on
// PostgreSQL, that of the database's server processes serving a's
// connections (read from /proc: the server must run on this machine).
// A second at the same rate runs first, unmeasured (iteration -1), so the
// connections of both pools are open and their statements prepared, as
// on a server that has been up for a while.
func openLoop(b *testing.B, a *app.App, send func(iter, i int) error) {
	warm(send)
	total := benchRate * benchSeconds
	for iter := 0; iter < b.N; iter++ {
		lat := make([]time.Duration, total)
		var failed atomic.Int64
		var why sync.Map // error text -> *atomic.Int64
		var wg sync.WaitGroup
		cpu0, db0, pool0 := cpuTime(), backendCPU(b, a), a.DB.Stats()
		start := time.Now().Add(50 * time.Millisecond)
		b.ResetTimer()
		for i := range total {
			at := start.Add(time.Duration(i) * time.Second / time.Duration(benchRate))
			time.Sleep(time.Until(at))
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := send(iter, i); err != nil {
					failed.Add(1)
					n, _ := why.LoadOrStore(err.Error(), new(atomic.Int64))
					n.(*atomic.Int64).Add(1)
				}
				lat[i] = time.Since(at)
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		cpu, db, pool := cpuTime()-cpu0, backendCPU(b, a)-db0, a.DB.Stats()
		slices.Sort(lat)
		pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
		b.ReportMetric(float64(total)/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(cpu.Microseconds())/float64(total), "cpu-µs/req")
		if db > 0 {
			b.ReportMetric(float64(db.Microseconds())/float64(total), "db-cpu-µs/req")
		}
		b.ReportMetric(float64(failed.Load()), "errors")
		// Waits for a connection of the pool that runs writes (on
		// PostgreSQL, the only pool): how many, and their mean.
		waits := pool.WaitCount - pool0.WaitCount
		b.ReportMetric(float64(waits)/float64(total), "pool-waits/req")
		if waits > 0 {
			b.ReportMetric(float64((pool.WaitDuration-pool0.WaitDuration).Microseconds())/1000/float64(waits), "pool-wait-ms")
		}
		b.Logf("rate %d/s for %ds: p50 %.2f ms, p99 %.2f ms, max %.1f ms, %.0f cpu-µs/req, %d failed",
			benchRate, benchSeconds, pct(0.50), pct(0.99), float64(lat[len(lat)-1].Microseconds())/1000,
			float64(cpu.Microseconds())/float64(total), failed.Load())
		if n := failed.Load(); n > 0 {
			why.Range(func(k, v any) bool {
				b.Logf("%d× %s", v.(*atomic.Int64).Load(), k)
				return true
			})
			b.Errorf("%d requests failed", n)
		}
	}
}

// warm sends benchRate requests over a second, open loop, as iteration
// -1, and waits for their answers, whatever they are.
func warm(send func(iter, i int) error) {
	var wg sync.WaitGroup
	start := time.Now()
	for i := range benchRate {
		time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(benchRate))))
		wg.Add(1)
		go func() {
			defer wg.Done()
			send(-1, i)
		}()
	}
	wg.Wait()
}

// cpuTime is the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU is the CPU time used so far by the PostgreSQL server
// processes of a's connections (0 on SQLite, or when /proc does not show
// them).
func backendCPU(b *testing.B, a *app.App) time.Duration {
	if a.DB.EngineName() != "postgres" {
		return 0
	}
	rows, err := a.DB.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		// Fields 14 and 15 (after the parenthesised command) are user and
		// system time in clock ticks (100 a second on Linux).
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		ut, _ := strconv.Atoi(f[11])
		st, _ := strconv.Atoi(f[12])
		total += time.Duration(ut+st) * 10 * time.Millisecond
	}
	return total
}
