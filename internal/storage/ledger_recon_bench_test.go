package storage_test

import (
	"context"
	"encoding/json"
	"io"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/storage"
)

// The benchmark's ledger: two programs with the same day of
// benchDayAdjustments adjustments on benchDayAccounts accounts. SMALL has
// nothing else; LARGE also has benchHistory entries on the 30 days
// before, over those accounts and benchOtherAccounts more.
const (
	benchDayAdjustments = 100_000
	benchDayAccounts    = 10_000
	benchHistory        = 1_000_000
	benchOtherAccounts  = 40_000
)

// benchDay is the reported day.
var benchDay = time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)

// BenchmarkReconciliation reports a day of 100,000 adjustments as the
// operator API's JSON, streamed (the store's Day and ReconJSON) against
// the reference (the implementation it replaced: every row collected,
// then the whole document encoded), with no other history and with
// 1,000,000 entries of history on the days before. "older" reports the
// last day of that history, with the big day after it. Besides time it
// reports the process's CPU time (cpu-ms/op: all of the work on SQLite,
// the client's share on PostgreSQL), the peak of the Go heap above its
// level before the report (peak-heap-MB, sampled every millisecond) and
// the size of the document (body-MB). "history=1M:none" reports the two
// days alternately and their ratio (benchHistoryRatio).
//
//	VERDANT_TEST_POSTGRES_URL=... go test -run XXX -bench BenchmarkReconciliation -benchtime 3x ./internal/storage
func BenchmarkReconciliation(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			db := benchDB(b, engine)
			st := storage.NewLedgerStore(db)
			seedReconBench(b, db)
			day, older := benchDay.Format(time.DateOnly), benchDay.AddDate(0, 0, -1).Format(time.DateOnly)
			for _, c := range []struct{ name, program, day string }{
				{"history=none", "SMALL", day}, {"history=1M", "LARGE", day}, {"history=1M/older", "LARGE", older},
			} {
				for _, impl := range []string{"streamed", "reference"} {
					b.Run(c.name+"/"+impl, func(b *testing.B) {
						benchReport(b, st, c.program, c.day, impl == "reference")
					})
				}
			}
			b.Run("history=1M:none/streamed", func(b *testing.B) { benchHistoryRatio(b, st, day) })
		})
	}
}

// benchReport reports program's day b.N times, as JSON to a counter.
func benchReport(b *testing.B, st *storage.LedgerStore, program, day string, reference bool) {
	ctx := context.Background()
	svc := &ledger.Service{Store: st, Now: time.Now}
	var peak, written int64
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		runtime.GC()
		stop := sampleHeap(&peak)
		cpu0 := processCPU()
		b.StartTimer()
		w := &countingWriter{}
		var err error
		if reference {
			err = referenceReport(ctx, st, program, day, w)
		} else {
			_, err = svc.Reconcile(ctx, program, "USD", day, api.NewReconJSON(w, false, false))
		}
		b.StopTimer()
		cpu += processCPU() - cpu0
		stop()
		if err != nil {
			b.Fatal(err)
		}
		written = w.n
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(written)/(1<<20), "body-MB")
}

// benchHistoryRatio reports the streamed day of LARGE and of SMALL
// alternately, b.N times each (which goes first alternates too), and
// reports the median wall time of each and their ratio: on a shared
// machine, whose load drifts between sub-benchmarks, the ratio of
// reports taken side by side is the measure of what history costs.
func benchHistoryRatio(b *testing.B, st *storage.LedgerStore, day string) {
	ctx := context.Background()
	svc := &ledger.Service{Store: st, Now: time.Now}
	walls := map[string][]time.Duration{}
	for i := 0; i < b.N; i++ {
		order := []string{"SMALL", "LARGE"}
		if i%2 == 1 {
			order = []string{"LARGE", "SMALL"}
		}
		for _, program := range order {
			start := time.Now()
			if _, err := svc.Reconcile(ctx, program, "USD", day, api.NewReconJSON(&countingWriter{}, false, false)); err != nil {
				b.Fatal(err)
			}
			walls[program] = append(walls[program], time.Since(start))
		}
	}
	small, large := median(walls["SMALL"]), median(walls["LARGE"])
	b.ReportMetric(small.Seconds(), "none-s")
	b.ReportMetric(large.Seconds(), "1M-s")
	b.ReportMetric(large.Seconds()/small.Seconds(), "1M/none")
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// referenceReport is what the operator API did before the report was
// streamed: collect the day, tally it, encode the whole document.
func referenceReport(ctx context.Context, st *storage.LedgerStore, program, day string, w io.Writer) error {
	from, to, err := ledger.ParseDay(day)
	if err != nil {
		return err
	}
	adjs, accts, err := st.DayActivityReference(ctx, program, from, to)
	if err != nil {
		return err
	}
	rc := ledger.Reconciliation{ReportHead: ledger.ReportHead{ProgramCode: program, Date: day, Currency: "USD"},
		Adjustments: adjs, Accounts: accts, Totals: ledger.Tally(program, adjs, accts)}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(api.ReconciliationView(rc))
}

// processCPU is the CPU time this process has used (user and system): on
// a shared machine, a steadier measure of the work than the wall clock.
// PostgreSQL's own work is in its server processes, not here.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// sampleHeap samples the heap's object bytes every millisecond until
// stopped, raising *peak to the highest level seen above the first sample.
func sampleHeap(peak *int64) (stop func()) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() int64 { metrics.Read(s); return int64(s[0].Value.Uint64()) }
	base := read()
	var done atomic.Bool
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for !done.Load() {
			if v := read() - base; v > *peak {
				*peak = v
			}
			time.Sleep(time.Millisecond)
		}
	}()
	return func() { done.Store(true); <-finished }
}
