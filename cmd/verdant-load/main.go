// Command verdant-load is the adjustments load benchmark: it starts the
// real `verdant serve` binary on SQLite or PostgreSQL with durable
// settings, seeds a program and accounts through the operator API, funds
// them, then drives concurrent HTTP clients posting adjustments with
// unique identifiers and reports adjustments/s, p50 and p99.
//
//	go run ./cmd/verdant-load -engine sqlite -clients 16 -duration 15s
//	go run ./cmd/verdant-load -engine postgres -pg-url postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// With -baselines it also runs, in each of -rounds rounds, what the
// adjustments are compared with (docs/benchmarks/ledger.md): the same rows
// committed straight through the driver (raw) and the server's GET /ping
// (ping), and reports each round's ratios and their medians:
//
//	go run ./cmd/verdant-load -engine sqlite -clients 16 -duration 10s -rounds 3 -baselines raw,ping
//	go run ./cmd/verdant-load -engine postgres -clients 16,32,64,128 -duration 10s -rounds 3 -baselines raw
//
// With -webhooks it alternates runs without and with a webhook
// subscription receiving every transaction event (a local receiver in
// this process) and reports the ratio; with -webhook-rate N it posts N
// adjustments a second open loop to a subscribed program and reports
// the time from commit to the receiver's acknowledgement.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/verdant-baas/verdant/internal/loadtest"
	"github.com/verdant-baas/verdant/internal/vault"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "verdant-load:", err)
		os.Exit(1)
	}
}

func run() error {
	engine := flag.String("engine", "sqlite", "sqlite or postgres")
	pgURL := flag.String("pg-url", os.Getenv("VERDANT_TEST_POSTGRES_URL"), "PostgreSQL URL (engine postgres); a fresh schema is created in it")
	bin := flag.String("bin", "", "verdant binary (default: go build ./cmd/verdant into a temp dir)")
	clientList := flag.String("clients", "16", "concurrent HTTP clients; a comma-separated list (16,32,64,128) sweeps them in each round")
	accounts := flag.Int("accounts", 64, "accounts to spread the load over")
	duration := flag.Duration("duration", 15*time.Second, "measured load duration")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured warm-up")
	webhooks := flag.Bool("webhooks", false, "alternate runs without and with a subscription receiving every transaction event")
	rounds := flag.Int("rounds", 1, "rounds of runs, each with every -clients value and -baselines (with -webhooks: pairs of runs without and with)")
	webhookRate := flag.Int("webhook-rate", 0, "post this many adjustments a second to a subscribed program and report commit-to-receiver latency")
	var cmp compare
	flag.StringVar(&cmp.baselines, "baselines", "", "comma-separated baselines run in each round after the adjustments: "+
		"raw (the same rows committed straight through the driver: SQLite batches of -batch, PostgreSQL -raw-workers "+
		"transactions of one posting) and ping (GET /ping at the same clients)")
	flag.IntVar(&cmp.batch, "batch", 128, "raw baseline on SQLite: postings per transaction")
	flag.IntVar(&cmp.rawWorkers, "raw-workers", 8, "raw baseline on PostgreSQL: concurrent one-posting transactions")
	flag.StringVar(&cmp.cpuProfile, "cpuprofile", "", "write the server's CPU profile of the first measured adjustments run to this file (and the load generator's to FILE.client)")
	flag.Parse()
	clients, err := parseClients(*clientList)
	if err != nil {
		return err
	}
	if *webhooks || *webhookRate > 0 {
		os.Setenv("VERDANT_WEBHOOK_ALLOW_PRIVATE", "true") // the receiver is local; the started server inherits this
	}
	if cmp.cpuProfile != "" {
		os.Setenv("VERDANT_PPROF_ADDR", "127.0.0.1:0") // the started server inherits this
	}

	ctx := context.Background()
	dir, err := os.MkdirTemp("", "verdant-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if *bin == "" {
		*bin = filepath.Join(dir, "verdant")
		build := exec.Command("go", "build", "-o", *bin, "./cmd/verdant")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build (run from the repository root): %w", err)
		}
	}
	dsn, durable, cleanup, err := database(ctx, *engine, *pgURL, dir)
	if err != nil {
		return err
	}
	defer cleanup()
	srv, err := loadtest.Start(ctx, loadtest.Node{Bin: *bin, DB: dsn, DataDir: dir, DataKey: vault.GenerateKey(), Stderr: os.Stderr})
	if err != nil {
		return err
	}
	defer srv.Stop()
	c := &loadtest.Client{URL: srv.URL, HTTP: loadtest.NewHTTP(slices.Max(clients))}
	fx, err := loadtest.Seed(ctx, c, "LOAD", *accounts)
	if err != nil {
		return err
	}
	for _, a := range fx.Accounts {
		if _, err := c.Adjust(ctx, fx.ProgramCode, a, uuid.NewString(), "instructionCredit", "1000000.00", false); err != nil {
			return err
		}
	}
	load := loadtest.Load{Clients: clients[0], Program: fx.ProgramCode, Accounts: fx.Accounts}
	load.Duration = *warmup
	loadtest.Run(ctx, c, load)
	load.Duration = *duration
	fmt.Printf("engine %s (%s), clients %s, %d accounts, %d CPUs, %s runs; load average %s\n", *engine, durable,
		*clientList, *accounts, runtime.NumCPU(), *duration, loadAverage())
	if *webhooks || *webhookRate > 0 {
		if *webhookRate > 0 {
			return webhookLatency(ctx, c, load, *webhookRate)
		}
		return webhookRatio(ctx, srv, c, load, *rounds, cmp.cpuProfile)
	}
	cmp.engine, cmp.dsn, cmp.srv, cmp.c, cmp.load = *engine, dsn, srv, c, load
	return cmp.run(ctx, clients, *rounds, *warmup)
}

// database answers the DSN for the engine and its durability settings.
func database(ctx context.Context, engine, pgURL, dir string) (dsn, durable string, cleanup func(), err error) {
	switch engine {
	case "sqlite":
		return "sqlite:" + filepath.Join(dir, "verdant.db"), "WAL, synchronous=FULL", func() {}, nil
	case "postgres":
		if pgURL == "" {
			return "", "", nil, fmt.Errorf("-pg-url or VERDANT_TEST_POSTGRES_URL is required for postgres")
		}
		db, err := sql.Open("pgx", pgURL)
		if err != nil {
			return "", "", nil, err
		}
		defer db.Close()
		var sc, fs string
		if err := db.QueryRowContext(ctx, `SHOW synchronous_commit`).Scan(&sc); err != nil {
			return "", "", nil, err
		}
		db.QueryRowContext(ctx, `SHOW fsync`).Scan(&fs)
		if sc == "off" || fs == "off" {
			return "", "", nil, fmt.Errorf("PostgreSQL is not durable (synchronous_commit=%s, fsync=%s)", sc, fs)
		}
		schema := "load_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
		if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			return "", "", nil, err
		}
		sep := "?"
		if strings.Contains(pgURL, "?") {
			sep = "&"
		}
		drop := func() {
			if db, err := sql.Open("pgx", pgURL); err == nil {
				db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
				db.Close()
			}
		}
		return pgURL + sep + "search_path=" + schema, "synchronous_commit=" + sc + ", fsync=" + fs, drop, nil
	}
	return "", "", nil, fmt.Errorf("unknown engine %q", engine)
}

// webhookRatio alternates runs without and with a subscription that
// receives every transaction event, waiting after each run with it until
// every event arrived (so no delivery backlog spills into the next run).
func webhookRatio(ctx context.Context, srv *loadtest.Server, c *loadtest.Client, load loadtest.Load, rounds int, profile string) error {
	rc, err := loadtest.StartReceiver(false)
	if err != nil {
		return err
	}
	defer rc.Close()
	var without, with float64
	var cpuWithout, cpuWith time.Duration
	var nWithout, nWith int
	cpu := func() time.Duration { d, _ := srv.CPU(); return d }
	for i := 0; i < rounds; i++ {
		c0 := cpu()
		r := profiled(ctx, srv, i == 0 && profile != "", profile+".without", func() loadtest.Report { return loadtest.Run(ctx, c, load) })
		cpuWithout += cpu() - c0
		nWithout += r.Adjustments
		fmt.Printf("round %d without webhooks: %s\n", i+1, r)
		without += r.PerSecond()
		id, err := c.Subscribe(ctx, load.Program, rc.URL)
		if err != nil {
			return err
		}
		before, _ := rc.Events()
		c0 = cpu()
		r = profiled(ctx, srv, i == 0 && profile != "", profile, func() loadtest.Report { return loadtest.Run(ctx, c, load) })
		if err := rc.WaitEvents(ctx, before+int64(r.Adjustments), 2*time.Minute); err != nil {
			return err
		}
		cpuWith += cpu() - c0 // the deliveries included
		nWith += r.Adjustments
		events, posts := rc.Events()
		fmt.Printf("round %d with webhooks:    %s; %d events in %d POSTs so far\n", i+1, r, events, posts)
		with += r.PerSecond()
		if r.Errors > 0 {
			return fmt.Errorf("%d requests failed", r.Errors)
		}
		if err := c.Unsubscribe(ctx, load.Program, id); err != nil {
			return err
		}
	}
	fmt.Printf("mean without %.0f/s, with %.0f/s: ratio %.1f%%\n", without/float64(rounds), with/float64(rounds), 100*with/without)
	if nWithout > 0 && nWith > 0 {
		fmt.Printf("server CPU per adjustment: without %.0f µs, with (delivery included) %.0f µs\n",
			float64(cpuWithout.Microseconds())/float64(nWithout), float64(cpuWith.Microseconds())/float64(nWith))
	}
	return nil
}

// profiled answers run's report; when on, it writes the server's CPU
// profile of the run to path (-cpuprofile with -webhooks: the first round's
// runs without and with the subscription).
func profiled(ctx context.Context, srv *loadtest.Server, on bool, path string, run func() loadtest.Report) loadtest.Report {
	if !on || srv.Pprof == "" {
		return run()
	}
	got := make(chan error, 1)
	secs := 5 // the run's first seconds (runs last -duration, at least that)
	go func() { got <- fetchProfile(ctx, srv.Pprof+"profile?seconds="+strconv.Itoa(secs), path) }()
	rep := run()
	if err := <-got; err != nil {
		fmt.Fprintf(os.Stderr, "-cpuprofile: %v\n", err)
	} else {
		fmt.Printf("server CPU profile written to %s\n", path)
	}
	return rep
}

// webhookLatency posts at rate a second to a subscribed program and
// reports the time from commit to the receiver's acknowledgement.
func webhookLatency(ctx context.Context, c *loadtest.Client, load loadtest.Load, rate int) error {
	rc, err := loadtest.StartReceiver(true)
	if err != nil {
		return err
	}
	defer rc.Close()
	if _, err := c.Subscribe(ctx, load.Program, rc.URL); err != nil {
		return err
	}
	open := *c
	open.HTTP = loadtest.NewHTTP(256) // open loop: as many connections as requests in flight
	lat, err := loadtest.RunRate(ctx, &open, load, rate, rc)
	if err != nil {
		return err
	}
	fmt.Printf("%d adjustments/s open loop: %s\n", rate, lat)
	return nil
}
