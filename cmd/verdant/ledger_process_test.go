package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/loadtest"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

// runMainEnv, set in the environment of the processes these tests start
// as verdant, makes the test binary run main instead of the tests: the
// processes run the real command without a separate go build (which
// costs seconds of linking per test run).
const runMainEnv = "VERDANT_TEST_RUN_MAIN"

// webhookLeaseEnv, in the environment of a process started as verdant,
// sets its webhook worker's claim lease (a duration), so that a test of
// what happens after a crash waits seconds, not the default lease.
const webhookLeaseEnv = "VERDANT_TEST_WEBHOOK_LEASE"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		if lease, err := time.ParseDuration(os.Getenv(webhookLeaseEnv)); err == nil {
			beforeServe = func(a *app.App) { a.WebhookWorker.Lease = lease }
		}
		main()
		os.Exit(0)
	}
	// Before any test runs: every child started with os.Environ() gets it.
	os.Setenv(runMainEnv, "1")
	// The tests mostly wait for the processes they start.
	os.Exit(apitest.Parallel(m, 8))
}

// verdantBin answers the path of the verdant command for tests that start
// it as a process: this test binary (see TestMain).
func verdantBin(t *testing.T) string {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func startNode(t *testing.T, n loadtest.Node) *loadtest.Server {
	t.Helper()
	s, err := loadtest.Start(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Kill() })
	return s
}

// ledgerVerifyBin runs `verdant ledger verify` on the database.
func ledgerVerifyBin(t *testing.T, n loadtest.Node) {
	t.Helper()
	cmd := exec.Command(n.Bin, "ledger", "verify", "--db", n.DB, "--data-dir", n.DataDir)
	cmd.Env = append(os.Environ(), "VERDANT_DATA_KEY="+n.DataKey)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("verdant ledger verify: %v\n%s", err, out)
	}
}

// TestKill9DuringAdjustments kills the server with SIGKILL in the middle
// of a load of adjustments, restarts it, and checks that every
// acknowledged adjustment is there, that replaying every identifier sent
// posts none twice, and that the ledger verifies.
func TestKill9DuringAdjustments(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	bin := verdantBin(t)
	for name, dsn := range storagetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			node := loadtest.Node{Bin: bin, DB: dsn, DataDir: t.TempDir(), DataKey: vault.GenerateKey()}
			srv := startNode(t, node)
			c := &loadtest.Client{URL: srv.URL, HTTP: loadtest.NewHTTP(8)}
			fx, err := loadtest.Seed(ctx, c, "CRASH", 4)
			if err != nil {
				t.Fatal(err)
			}
			type sent struct{ account, id string }
			var mu sync.Mutex
			var attempted, acked []sent
			var wg sync.WaitGroup
			for w := 0; w < 8; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for i := 0; ; i++ {
						s := sent{fx.Accounts[(w+i)%len(fx.Accounts)], uuid.NewString()}
						mu.Lock()
						attempted = append(attempted, s)
						mu.Unlock()
						r, err := c.Adjust(ctx, fx.ProgramCode, s.account, s.id, "promo", "1.00", false)
						if err != nil {
							return // the server is gone
						}
						if r.Status != "completed" {
							t.Errorf("adjustment answered %+v", r)
							return
						}
						mu.Lock()
						acked = append(acked, s)
						mu.Unlock()
					}
				}(w)
			}
			time.Sleep(600 * time.Millisecond)
			srv.Kill()
			wg.Wait()
			if len(acked) == 0 {
				t.Fatal("no adjustment acknowledged before the kill")
			}

			srv = startNode(t, node)
			c.URL = srv.URL
			if err := c.Login(ctx, fx); err != nil {
				t.Fatal(err)
			}
			db, err := storage.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, s := range acked {
				var status string
				if err := db.QueryRow(ctx, `SELECT status FROM adjustments WHERE account_id = ? AND adjustment_id = ?`, s.account, s.id).Scan(&status); err != nil || status != "completed" {
					t.Fatalf("acknowledged adjustment %s lost after kill -9: %v %q", s.id, err, status)
				}
			}
			// The partner retries everything it sent: each id posts once.
			perAccount := map[string]int{}
			for _, s := range attempted {
				r, err := c.Adjust(ctx, fx.ProgramCode, s.account, s.id, "promo", "1.00", false)
				if err != nil || r.Status != "completed" {
					t.Fatalf("retry of %s: %+v %v", s.id, r, err)
				}
				perAccount[s.account]++
			}
			for _, a := range fx.Accounts {
				got, err := c.Balance(ctx, fx.ProgramCode, a)
				if want := fmt.Sprintf("%d.00", perAccount[a]); err != nil || got != want {
					t.Fatalf("account %s balance %s, want %s (%v)", a, got, want, err)
				}
			}
			t.Logf("%d acknowledged, %d sent before kill -9", len(acked), len(attempted))
			srv.Stop()
			ledgerVerifyBin(t, node)
		})
	}
}

// TestTwoNodesNeverOverdraw runs two servers on one PostgreSQL and sends
// parallel debits through both: the overdraft rule holds across nodes.
func TestTwoNodesNeverOverdraw(t *testing.T) {
	t.Parallel()
	if os.Getenv(storagetest.PostgresURLEnv) == "" {
		t.Skip(storagetest.PostgresURLEnv + " not set")
	}
	ctx := context.Background()
	dsn := storagetest.PostgresDSN(t)
	node := loadtest.Node{Bin: verdantBin(t), DB: dsn, DataDir: t.TempDir(), DataKey: vault.GenerateKey()}
	a := startNode(t, node)
	b := startNode(t, node)
	ca := &loadtest.Client{URL: a.URL, HTTP: loadtest.NewHTTP(32)}
	fx, err := loadtest.Seed(ctx, ca, "TWONODE", 1)
	if err != nil {
		t.Fatal(err)
	}
	cb := &loadtest.Client{URL: b.URL, HTTP: loadtest.NewHTTP(32)}
	if err := cb.Login(ctx, fx); err != nil {
		t.Fatal(err)
	}
	acct := fx.Accounts[0]
	debits := func(n int, neg bool) int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		done := 0
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				c := ca
				if i%2 == 1 {
					c = cb
				}
				r, err := c.Adjust(ctx, fx.ProgramCode, acct, uuid.NewString(), "instructionDebit", "1.00", neg)
				if err != nil || r.HTTPStatus != 200 {
					t.Errorf("debit: %+v %v", r, err)
				}
				if r.Status == "completed" {
					mu.Lock()
					done++
					mu.Unlock()
				}
			}(i)
		}
		wg.Wait()
		return done
	}
	if _, err := ca.Adjust(ctx, fx.ProgramCode, acct, uuid.NewString(), "instructionCredit", "10.00", false); err != nil {
		t.Fatal(err)
	}
	if n := debits(50, false); n != 10 {
		t.Fatalf("%d debits completed across two nodes, want 10", n)
	}
	if bal, _ := cb.Balance(ctx, fx.ProgramCode, acct); bal != "0.00" {
		t.Fatalf("balance %s", bal)
	}
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `INSERT INTO account_features (account_id, feature, enrolled_at) VALUES (?, 'NB100', 0)`, acct); err != nil {
		t.Fatal(err)
	}
	if _, err := cb.Adjust(ctx, fx.ProgramCode, acct, uuid.NewString(), "instructionCredit", "10.00", false); err != nil {
		t.Fatal(err)
	}
	if n := debits(150, true); n != 110 {
		t.Fatalf("%d NB100 debits completed across two nodes, want 110", n)
	}
	if bal, _ := ca.Balance(ctx, fx.ProgramCode, acct); bal != "-100.00" {
		t.Fatalf("NB100 balance %s", bal)
	}
	ledgerVerifyBin(t, node)
}
