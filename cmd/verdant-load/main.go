// Command verdant-load is the adjustments load benchmark: it starts the
// real `verdant serve` binary on SQLite or PostgreSQL with durable
// settings, seeds a program and accounts through the operator API, funds
// them, then drives concurrent HTTP clients posting adjustments with
// unique identifiers and reports adjustments/s, p50 and p99.
//
//	go run ./cmd/verdant-load -engine sqlite -clients 16 -duration 15s
//	go run ./cmd/verdant-load -engine postgres -pg-url postgres://postgres@127.0.0.1:5432/test?sslmode=disable
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
	clients := flag.Int("clients", 16, "concurrent HTTP clients")
	accounts := flag.Int("accounts", 64, "accounts to spread the load over")
	duration := flag.Duration("duration", 15*time.Second, "measured load duration")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured warm-up")
	flag.Parse()

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
	c := &loadtest.Client{URL: srv.URL, HTTP: loadtest.NewHTTP(*clients)}
	fx, err := loadtest.Seed(ctx, c, "LOAD", *accounts)
	if err != nil {
		return err
	}
	for _, a := range fx.Accounts {
		if _, err := c.Adjust(ctx, fx.ProgramCode, a, uuid.NewString(), "instructionCredit", "1000000.00", false); err != nil {
			return err
		}
	}
	load := loadtest.Load{Clients: *clients, Program: fx.ProgramCode, Accounts: fx.Accounts}
	load.Duration = *warmup
	loadtest.Run(ctx, c, load)
	load.Duration = *duration
	rep := loadtest.Run(ctx, c, load)
	fmt.Printf("engine %s (%s), %d clients, %d accounts, %d CPUs, %s\n", *engine, durable, *clients, *accounts, runtime.NumCPU(), *duration)
	fmt.Println(rep)
	if rep.Errors > 0 {
		return fmt.Errorf("%d requests failed", rep.Errors)
	}
	return nil
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
