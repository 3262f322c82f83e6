package api_test

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the test's own connection to the same database
	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

// A request that cannot get a database connection in time (the node's
// pool, VERDANT_DB_MAX_CONNS, all in use) answers 503 with Retry-After in
// its family's envelope once VERDANT_REQUEST_TIMEOUT passes, instead of
// waiting without end; the node serves again once a connection is free.
func TestPoolExhaustedIs503(t *testing.T) {
	t.Parallel()
	dsn, ok := apitest.DSNs(t)["postgres"]
	if !ok {
		t.Skip("PostgreSQL only: SQLite has no pool to exhaust")
	}
	e := apitest.NewWith(t, dsn, apitest.Options{Configure: func(c *app.Config) {
		c.DBMaxConns, c.RequestTimeout = 1, time.Second
	}})
	s := e.Seed()
	adjust(t, e, s, "promo", "5.00")
	ext, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer ext.Close()
	ctx := context.Background()
	lock, err := ext.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.ExecContext(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, s.AccountID); err != nil {
		t.Fatal(err)
	}
	// The node's one connection now waits on the account row.
	posted := make(chan int, 1)
	go func() {
		r := e.Partner("POST", adjPath(s), map[string]any{"adjustmentIdentifier": "0b6f3c1e-8f4a-4f43-9d0e-2c1a7e5b9a10",
			"amount": "1.00", "currency": "USD", "adjustmentType": "promo"})
		posted <- r.Status
	}()
	waitForLockWaiter(t, ext)
	start := time.Now()
	r := e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/balances", nil)
	code, _, _ := r.Detail(t)
	if r.Status != http.StatusServiceUnavailable || code != 503 {
		t.Fatalf("with the pool exhausted: %d %s", r.Status, r.Body)
	}
	if n, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || n < 1 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if waited := time.Since(start); waited > 3*time.Second {
		t.Fatalf("answered after %s, want about the 1s request timeout", waited)
	}
	e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode, nil).Want(t, http.StatusServiceUnavailable)

	lock.Rollback()
	if st := <-posted; st != http.StatusOK {
		t.Fatalf("the posting that waited on the row lock: %d", st)
	}
	if b := balance(t, e, s); b != "6.00" {
		t.Fatalf("balance %s after the pool is free again", b)
	}
}

// waitForLockWaiter waits until a session of the database waits on a row
// lock (the node's one connection, blocked by the test's transaction).
func waitForLockWaiter(t *testing.T, db *sql.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the posting never waited on the row lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
