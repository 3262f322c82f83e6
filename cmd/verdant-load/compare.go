package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/verdant-baas/verdant/internal/loadtest"
)

// compare runs the adjustments at each clients value and the baselines
// they are measured against, interleaved in rounds on one machine, so
// that whatever else the machine runs weighs on both sides of a ratio.
type compare struct {
	baselines  string // "raw", "ping", comma-separated
	batch      int    // raw on SQLite: postings per transaction
	rawWorkers int    // raw on PostgreSQL: one-posting transactions at once
	cpuProfile string // server CPU profile of the first adjustments run

	engine, dsn string
	srv         *loadtest.Server
	c           *loadtest.Client
	load        loadtest.Load
}

// sample is one round's rates: adjustments/s per clients value, and each
// baseline's rate (ping per clients value too).
type sample struct {
	adjust, ping map[int]float64
	raw          float64
}

func (cmp *compare) run(ctx context.Context, clients []int, rounds int, warmup time.Duration) error {
	want := map[string]bool{}
	for _, b := range strings.Split(cmp.baselines, ",") {
		switch b = strings.TrimSpace(b); b {
		case "":
		case "raw", "ping":
			want[b] = true
		default:
			return fmt.Errorf("-baselines: unknown baseline %q (raw, ping)", b)
		}
	}
	var samples []sample
	for r := 1; r <= max(rounds, 1); r++ {
		s := sample{adjust: map[int]float64{}, ping: map[int]float64{}}
		for _, n := range clients {
			l := cmp.load
			l.Clients = n
			if len(clients) > 1 { // each clients value gets its own warm-up
				w := l
				w.Duration = warmup
				loadtest.Run(ctx, cmp.c, w)
			}
			c0 := cmp.serverCPU()
			rep, err := cmp.adjust(ctx, l, r == 1 && n == clients[0])
			if err != nil {
				return err
			}
			fmt.Printf("round %d, %3d clients, adjustments: %s; server CPU %s (load average %s)\n", r, n, rep,
				perOp(cmp.serverCPU()-c0, rep), loadAverage())
			s.adjust[n] = rep.PerSecond()
			if want["ping"] {
				c0 := cmp.serverCPU()
				p := loadtest.Ping(ctx, cmp.c, l)
				fmt.Printf("round %d, %3d clients, ping:        %s; server CPU %s\n", r, n, p, perOp(cmp.serverCPU()-c0, p))
				s.ping[n] = p.PerSecond()
			}
		}
		if want["raw"] {
			c0 := ownCPU()
			rep, err := cmp.raw(ctx)
			if err != nil {
				return err
			}
			fmt.Printf("round %d, raw baseline (%s): %s; CPU %s\n", r, cmp.rawName(), rep, perOp(ownCPU()-c0, rep))
			s.raw = rep.PerSecond()
		}
		samples = append(samples, s)
	}
	cmp.summarise(samples, clients, want)
	return nil
}

// adjust is one measured adjustments run, profiled when asked.
func (cmp *compare) adjust(ctx context.Context, l loadtest.Load, profile bool) (loadtest.Report, error) {
	if !profile || cmp.cpuProfile == "" {
		rep := loadtest.Run(ctx, cmp.c, l)
		return rep, failed(rep)
	}
	if f, err := os.Create(cmp.cpuProfile + ".client"); err == nil { // the load generator's own share
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	if cmp.srv.Pprof == "" {
		return loadtest.Report{}, fmt.Errorf("-cpuprofile: the server printed no profiler address")
	}
	got := make(chan error, 1)
	go func() {
		secs := max(1, int(l.Duration.Seconds())-1)
		got <- fetchProfile(ctx, cmp.srv.Pprof+"profile?seconds="+strconv.Itoa(secs), cmp.cpuProfile)
	}()
	rep := loadtest.Run(ctx, cmp.c, l)
	if err := <-got; err != nil {
		return rep, fmt.Errorf("-cpuprofile: %w", err)
	}
	fmt.Printf("server CPU profile written to %s (go tool pprof -top %s), this process's to %[1]s.client\n",
		cmp.cpuProfile, cmp.cpuProfile)
	return rep, failed(rep)
}

func failed(rep loadtest.Report) error {
	if rep.Errors > 0 {
		return fmt.Errorf("%d requests failed", rep.Errors)
	}
	return nil
}

func fetchProfile(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (cmp *compare) rawName() string {
	if cmp.engine == "postgres" {
		return fmt.Sprintf("pgx, %d workers, one posting per transaction", cmp.rawWorkers)
	}
	return fmt.Sprintf("database/sql, batches of %d, WAL, synchronous=FULL", cmp.batch)
}

// raw runs the raw baseline against the server's own database and
// accounts (the server is idle meanwhile).
func (cmp *compare) raw(ctx context.Context) (loadtest.Report, error) {
	r := loadtest.Raw{Load: cmp.load, Batch: cmp.batch, Workers: cmp.rawWorkers}
	if cmp.engine == "postgres" {
		return loadtest.RawPostgres(ctx, cmp.dsn, r)
	}
	return loadtest.RawSQLite(ctx, strings.TrimPrefix(cmp.dsn, "sqlite:"), r)
}

// summarise prints, per clients value, the median rate and the median of
// the rounds' ratios to each baseline.
func (cmp *compare) summarise(samples []sample, clients []int, want map[string]bool) {
	fmt.Printf("medians over %d rounds (load average %s):\n", len(samples), loadAverage())
	for _, n := range clients {
		line := fmt.Sprintf("  %3d clients: %.0f adjustments/s", n, median(samples, func(s sample) float64 { return s.adjust[n] }))
		if want["raw"] {
			line += fmt.Sprintf("; raw %.0f/s, adjustments/raw %.2f", median(samples, func(s sample) float64 { return s.raw }),
				median(samples, func(s sample) float64 { return s.adjust[n] / s.raw }))
		}
		if want["ping"] {
			line += fmt.Sprintf("; ping %.0f/s, adjustments/ping %.2f", median(samples, func(s sample) float64 { return s.ping[n] }),
				median(samples, func(s sample) float64 { return s.adjust[n] / s.ping[n] }))
		}
		fmt.Println(line)
	}
}

func median(samples []sample, f func(sample) float64) float64 {
	v := make([]float64, len(samples))
	for i, s := range samples {
		v[i] = f(s)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func (cmp *compare) serverCPU() time.Duration { d, _ := cmp.srv.CPU(); return d }

// ownCPU is this process's CPU time so far (the raw baseline runs in it).
func ownCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// perOp formats CPU time per counted operation.
func perOp(cpu time.Duration, rep loadtest.Report) string {
	if rep.Adjustments == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f µs/op", float64(cpu.Microseconds())/float64(rep.Adjustments))
}

// parseClients reads the -clients list.
func parseClients(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-clients: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// loadAverage is the machine's 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
