package loadtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Load is a load run's settings.
type Load struct {
	Clients  int
	Duration time.Duration
	Program  string
	Accounts []string
}

// Report is a load run's outcome.
type Report struct {
	Adjustments int           // answered 200 with an adjustmentStatus
	Errors      int           // anything else
	Elapsed     time.Duration // wall time
	P50, P99    time.Duration
	Max         time.Duration
}

// PerSecond is the throughput.
func (r Report) PerSecond() float64 { return float64(r.Adjustments) / r.Elapsed.Seconds() }

func (r Report) String() string {
	return fmt.Sprintf("%d adjustments in %.1fs = %.0f adjustments/s; p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d errors",
		r.Adjustments, r.Elapsed.Seconds(), r.PerSecond(), ms(r.P50), ms(r.P99), ms(r.Max), r.Errors)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Run drives l.Clients concurrent clients for l.Duration, each posting
// adjustments with fresh identifiers to accounts in turn: a credit, then a
// debit of the same size, so balances stay small and every request does
// the full overdraft check.
func Run(ctx context.Context, c *Client, l Load) Report {
	var (
		mu    sync.Mutex
		lat   []time.Duration
		ok    atomic.Int64
		errs  atomic.Int64
		wg    sync.WaitGroup
		start = time.Now()
		stop  = start.Add(l.Duration)
	)
	for w := 0; w < l.Clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for i := 0; time.Now().Before(stop) && ctx.Err() == nil; i++ {
				acct := l.Accounts[(w+i*l.Clients)%len(l.Accounts)]
				typ := "promo"
				if i%2 == 1 {
					typ = "instructionDebit"
				}
				t0 := time.Now()
				r, err := c.Adjust(ctx, l.Program, acct, uuid.NewString(), typ, "1.25", false)
				d := time.Since(t0)
				if err != nil || r.HTTPStatus != 200 || r.Status == "" {
					errs.Add(1)
					continue
				}
				ok.Add(1)
				local = append(local, d)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	rep := Report{Adjustments: int(ok.Load()), Errors: int(errs.Load()), Elapsed: time.Since(start)}
	if len(lat) > 0 {
		slices.Sort(lat)
		rep.P50, rep.P99, rep.Max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	}
	return rep
}
