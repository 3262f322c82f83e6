package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/loadtest"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

// call sends one JSON request to a running server and answers the status
// and body.
func call(t *testing.T, method, url, bearer string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// hardeningNodes starts the real binary once per engine, each on a fresh
// database, and runs fn with it.
func hardeningNodes(t *testing.T, fn func(t *testing.T, n loadtest.Node, srv *loadtest.Server)) {
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	bin := verdantBin(t)
	for name, dsn := range storagetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			n := loadtest.Node{Bin: bin, DB: dsn, DataDir: t.TempDir(), DataKey: vault.GenerateKey()}
			fn(t, n, startNode(t, n))
		})
	}
}

// TestBinaryProgramAccountsBounded reproduces issue 16's overflow against
// the real binary: a credit whose fee takes all of it is refused, a
// program funding account seeded next to its bound refuses the credit
// that would cross it, and `verdant ledger verify` checks the program
// accounts (here: the seeded balance no longer equals its entries).
func TestBinaryProgramAccountsBounded(t *testing.T) {
	t.Parallel()
	hardeningNodes(t, func(t *testing.T, n loadtest.Node, srv *loadtest.Server) {
		ctx := context.Background()
		c := &loadtest.Client{URL: srv.URL, HTTP: loadtest.NewHTTP(2)}
		fx, err := loadtest.Seed(ctx, c, "BOUND", 1)
		if err != nil {
			t.Fatal(err)
		}
		path := srv.URL + "/programs/BOUND/accounts/" + fx.Accounts[0] + "/adjustments"
		post := func(amount, fee string) int {
			st, body := call(t, "POST", path, c.Token, map[string]any{"adjustmentIdentifier": uuid.NewString(),
				"amount": amount, "fee": fee, "currency": "USD", "adjustmentType": "promo"})
			if st == 500 {
				t.Fatalf("500: %s", body)
			}
			return st
		}
		if st := post("1000000000000.00", "1000000000000.00"); st != 400 {
			t.Fatalf("credit whose fee is all of it: %d, want 400", st)
		}
		if st := post("10.00", "0.10"); st != 200 {
			t.Fatalf("credit: %d", st)
		}
		db, err := storage.Open(ctx, n.DB)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Exec(ctx, `UPDATE ledger_program_balances SET posted = ? WHERE account = ?`,
			-ledger.MaxProgramBalance+100, ledger.FundingAccount("BOUND"))
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if st := post("1.01", ""); st != 400 {
			t.Fatalf("credit past the funding bound: %d, want 400", st)
		}
		if st := post("1.00", ""); st != 200 {
			t.Fatalf("credit up to the funding bound: %d, want 200", st)
		}
		srv.Stop()
		cmd := exec.Command(n.Bin, "ledger", "verify", "--db", n.DB, "--data-dir", n.DataDir)
		cmd.Env = append(os.Environ(), "VERDANT_DATA_KEY="+n.DataKey)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "program balance differs from the sum of its entries: program:BOUND:funding") {
			t.Fatalf("ledger verify of a seeded program balance: %v\n%s", err, out)
		}
	})
}

// TestBinaryRefusesControlCharacters reproduces issue 16's NUL findings
// against the real binary: a NUL in a partner path segment, a partner
// body field, an operator body field and a query parameter is a 400 on
// both engines (PostgreSQL answered 500).
func TestBinaryRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	hardeningNodes(t, func(t *testing.T, n loadtest.Node, srv *loadtest.Server) {
		ctx := context.Background()
		c := &loadtest.Client{URL: srv.URL, HTTP: loadtest.NewHTTP(2)}
		fx, err := loadtest.Seed(ctx, c, "NUL", 1)
		if err != nil {
			t.Fatal(err)
		}
		acct := "/programs/NUL/accounts/" + fx.Accounts[0]
		for _, tc := range []struct {
			method, path, bearer string
			body                 any
		}{
			{"GET", "/programs/NUL/accounts/a%00b", c.Token, nil},
			{"GET", acct + "/transactions?cursor=%00", c.Token, nil},
			{"POST", acct + "/adjustments", c.Token, map[string]any{"adjustmentIdentifier": uuid.NewString(), "amount": "1.00",
				"currency": "USD", "adjustmentType": "promo", "adjustmentDescription": "a\x00b"}},
			{"POST", "/customers/cust%00", c.Token, map[string]any{"firstname": "A"}},
			{"POST", "/programs/NUL/contactVerifications", c.Token, map[string]any{"contactType": "email",
				"communicationType": "email", "contactHandle": "a@example.com", "firstName": "Ann\r\n\r\nCall +1 555 0100"}},
			{"POST", "/admin/v1/partners", loadtest.AdminToken, map[string]any{"name": "a\x00b"}},
			{"GET", "/admin/v1/programs/NUL%00", loadtest.AdminToken, nil},
			{"GET", "/admin/v1/audit?subject=%00", loadtest.AdminToken, nil},
		} {
			if st, body := call(t, tc.method, srv.URL+tc.path, tc.bearer, tc.body); st != 400 {
				t.Errorf("%s %s: %d, want 400: %s", tc.method, tc.path, st, body)
			}
		}
	})
}

// TestBinaryThrottlesOperatorGuesses reproduces issue 16's operator-token
// finding against the real binary: wrong tokens are 401 up to the budget
// (VERDANT_AUTH_MAX_FAILURES, default 10), then every attempt from the
// address is 429 with Retry-After, the right token included.
func TestBinaryThrottlesOperatorGuesses(t *testing.T) {
	t.Parallel()
	hardeningNodes(t, func(t *testing.T, n loadtest.Node, srv *loadtest.Server) {
		for i := 0; i < 10; i++ {
			if st, _ := call(t, "GET", srv.URL+"/admin/v1/audit", "guess-"+strings.Repeat("x", 40), nil); st != 401 {
				t.Fatalf("guess %d: %d, want 401", i+1, st)
			}
		}
		req, _ := http.NewRequest("GET", srv.URL+"/admin/v1/audit", nil)
		req.Header.Set("Authorization", "Bearer "+loadtest.AdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("after 10 failures: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
}

// TestBinaryOTPLimitPerPartner reproduces issue 16's cross-tenant OTP
// finding against the real binary: after one partner used its hourly
// codes on a number, another partner's customer with the number still
// gets a code.
func TestBinaryOTPLimitPerPartner(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	for name, dsn := range storagetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := startServer(t, []string{"VERDANT_ADMIN_TOKEN=" + loadtest.AdminToken, "VERDANT_DATA_KEY=" + vault.GenerateKey(),
				"VERDANT_VERIFY_MIN_GAP=1s", "VERDANT_VERIFY_PER_HOUR=2"}, "--db", dsn, "--data-dir", t.TempDir(), "--log-level", "error")
			var tokens []string
			for _, code := range []string{"OTPA", "OTPB"} {
				c := &loadtest.Client{URL: srv.URL, HTTP: loadtest.NewHTTP(1)}
				if _, err := loadtest.Seed(ctx, c, code, 0); err != nil {
					t.Fatal(err)
				}
				tokens = append(tokens, c.Token)
			}
			send := func(i int) int {
				st, _ := call(t, "POST", srv.URL+"/programs/"+[]string{"OTPA", "OTPB"}[i]+"/contactVerifications", tokens[i],
					map[string]any{"contactType": "phone", "communicationType": "sms", "contactHandle": "+12025550143"})
				time.Sleep(1100 * time.Millisecond) // past the global gap
				return st
			}
			for n := 1; n <= 2; n++ {
				if st := send(0); st != 200 {
					t.Fatalf("code %d of partner A: %d", n, st)
				}
			}
			if st := send(0); st != 429 {
				t.Fatalf("partner A over its hourly cap: %d, want 429", st)
			}
			if st := send(1); st != 200 {
				t.Fatalf("partner B's customer with the same number: %d, want 200", st)
			}
		})
	}
}
