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
	Adjustments int           // answered 200 with an adjustmentStatus (or, for Ping, 200)
	Errors      int           // anything else
	Elapsed     time.Duration // wall time
	P50, P99    time.Duration
	Max         time.Duration
	Unit        string // what was counted: "adjustments" unless set
}

// PerSecond is the throughput.
func (r Report) PerSecond() float64 { return float64(r.Adjustments) / r.Elapsed.Seconds() }

func (r Report) String() string {
	unit := r.Unit
	if unit == "" {
		unit = "adjustments"
	}
	return fmt.Sprintf("%d %s in %.1fs = %.0f %s/s; p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d errors",
		r.Adjustments, unit, r.Elapsed.Seconds(), r.PerSecond(), unit, ms(r.P50), ms(r.P99), ms(r.Max), r.Errors)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Run drives l.Clients concurrent clients for l.Duration, each posting
// adjustments with fresh identifiers to accounts in turn: a credit, then a
// debit of the same size, so balances stay small and every request does
// the full overdraft check.
func Run(ctx context.Context, c *Client, l Load) Report {
	return drive(ctx, l.Clients, l.Duration, func(w, i int) bool {
		acct, typ := l.Pick(w, i)
		r, err := c.Adjust(ctx, l.Program, acct, uuid.NewString(), typ, "1.25", false)
		return err == nil && r.HTTPStatus == 200 && r.Status != ""
	})
}

// Pick is the account and adjustment type of worker w's i-th request:
// the workers walk the accounts in turn, alternating a credit and a debit.
func (l Load) Pick(w, i int) (account, typ string) {
	typ = "promo"
	if i%2 == 1 {
		typ = "instructionDebit"
	}
	return l.Accounts[(w+i*l.Clients)%len(l.Accounts)], typ
}

// Ping drives l.Clients concurrent clients calling GET /ping for
// l.Duration: the same server's rate for a request that touches no
// database, the ceiling of what HTTP itself allows on this machine.
func Ping(ctx context.Context, c *Client, l Load) Report {
	rep := drive(ctx, l.Clients, l.Duration, func(int, int) bool {
		st, err := c.do(ctx, "GET", "/ping", "", nil, nil)
		return err == nil && st == 200
	})
	rep.Unit = "pings"
	return rep
}

// drive runs clients workers calling one until d has passed, timing each
// call; one answers whether the call succeeded.
func drive(ctx context.Context, clients int, d time.Duration, one func(w, i int) bool) Report {
	var (
		mu    sync.Mutex
		lat   []time.Duration
		ok    atomic.Int64
		errs  atomic.Int64
		wg    sync.WaitGroup
		start = time.Now()
		stop  = start.Add(d)
	)
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for i := 0; time.Now().Before(stop) && ctx.Err() == nil; i++ {
				t0 := time.Now()
				if !one(w, i) {
					errs.Add(1)
					continue
				}
				local = append(local, time.Since(t0))
				ok.Add(1)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	return summarise(lat, int(ok.Load()), int(errs.Load()), time.Since(start))
}

// summarise is the report of n successes (latencies lat) and errs
// failures in elapsed.
func summarise(lat []time.Duration, n, errs int, elapsed time.Duration) Report {
	rep := Report{Adjustments: n, Errors: errs, Elapsed: elapsed}
	if len(lat) > 0 {
		slices.Sort(lat)
		rep.P50, rep.P99, rep.Max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	}
	return rep
}
