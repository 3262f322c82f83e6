package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/loadtest"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

// Issue 16's findings about secrets and the database, reproduced against
// the real binary (helpers in hardening_test.go).

// TestBinaryRotationEndsTokens reproduces issue 16's rotation finding
// against the real binary: after a secret rotation the old token stops
// working at once on the node that rotated and, on PostgreSQL, within
// partner.StandingTTL on a second node; a disabled partner's new token
// stops the same way.
func TestBinaryRotationEndsTokens(t *testing.T) {
	t.Parallel()
	hardeningNodes(t, func(t *testing.T, n loadtest.Node, a *loadtest.Server) {
		ctx := context.Background()
		c := &loadtest.Client{URL: a.URL, HTTP: loadtest.NewHTTP(2)}
		fx, err := loadtest.Seed(ctx, c, "ROT", 1)
		if err != nil {
			t.Fatal(err)
		}
		servers := []*loadtest.Server{a}
		if strings.HasPrefix(n.DB, "postgres") {
			servers = append(servers, startNode(t, n))
		}
		balance := func(srv *loadtest.Server, token string) int {
			st, _ := call(t, "GET", srv.URL+"/programs/ROT/accounts/"+fx.Accounts[0]+"/balances", token, nil)
			return st
		}
		ended := func(token, what string) {
			t.Helper()
			for i, srv := range servers {
				start := time.Now()
				for balance(srv, token) != 401 {
					if time.Since(start) > partner.StandingTTL+time.Second {
						t.Fatalf("node %d accepts the token %s after %s", i, time.Since(start), what)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}
		for i, srv := range servers {
			if st := balance(srv, c.Token); st != 200 {
				t.Fatalf("node %d: %d before rotation", i, st)
			}
		}
		st, body := call(t, "POST", a.URL+"/admin/v1/partners/"+partnerOf(t, a, fx)+"/secrets", loadtest.AdminToken, nil)
		if st != 201 {
			t.Fatalf("rotate: %d %s", st, body)
		}
		if balance(a, c.Token) != 401 {
			t.Fatal("the rotating node still accepts the old token")
		}
		ended(c.Token, "the rotation")
		var creds struct{ ClientSecret string }
		json.Unmarshal(body, &creds)
		fx.Secret = creds.ClientSecret
		if err := c.Login(ctx, fx); err != nil {
			t.Fatal(err)
		}
		for i, srv := range servers {
			if st := balance(srv, c.Token); st != 200 {
				t.Fatalf("node %d refuses the new token: %d", i, st)
			}
		}
		if st, body := call(t, "POST", a.URL+"/admin/v1/partners/"+partnerOf(t, a, fx)+"/disable", loadtest.AdminToken, nil); st != 200 {
			t.Fatalf("disable: %d %s", st, body)
		}
		ended(c.Token, "the disable")
		if err := c.Login(ctx, fx); err == nil {
			t.Fatal("a disabled partner got a token")
		}
	})
}

// partnerOf answers the partner id of the fixture's client (from the
// audit trail of its creation).
func partnerOf(t *testing.T, srv *loadtest.Server, fx loadtest.Fixture) string {
	t.Helper()
	st, body := call(t, "GET", srv.URL+"/admin/v1/audit?action=partner.created", loadtest.AdminToken, nil)
	var out struct {
		Events []struct {
			Subject string
			Detail  struct{ ClientID string }
		}
	}
	if st != 200 || json.Unmarshal(body, &out) != nil {
		t.Fatalf("audit: %d %s", st, body)
	}
	for _, e := range out.Events {
		if e.Detail.ClientID == fx.ClientID {
			return strings.TrimPrefix(e.Subject, "partner:")
		}
	}
	t.Fatalf("no partner with client id %s", fx.ClientID)
	return ""
}

// TestBinaryDatabaseRefusalIs503 reproduces issue 16's connection finding
// against the real binary on PostgreSQL: with the server refusing every
// new connection (the role's connection limit reached) and the node's
// connections gone, requests answer 503 with Retry-After in their
// family's envelope, not 500, and succeed again once the server accepts
// connections.
func TestBinaryDatabaseRefusalIs503(t *testing.T) {
	t.Parallel()
	base := os.Getenv(storagetest.PostgresURLEnv)
	if base == "" || testing.Short() {
		t.Skip(storagetest.PostgresURLEnv + " not set")
	}
	ctx := context.Background()
	admin, err := storage.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	name := "verdant_limited_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	for _, q := range []string{"CREATE ROLE " + name + " LOGIN", "CREATE SCHEMA " + name + " AUTHORIZATION " + name} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	kick := func() {
		admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '`+name+`'`)
	}
	t.Cleanup(func() {
		admin.Exec(ctx, "ALTER ROLE "+name+" CONNECTION LIMIT 0")
		kick()
		admin.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
		admin.Exec(ctx, "DROP ROLE "+name)
		admin.Close()
	})
	u, _ := url.Parse(base)
	u.User = url.User(name)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	n := loadtest.Node{Bin: verdantBin(t), DB: u.String(), DataDir: t.TempDir(), DataKey: vault.GenerateKey()}
	srv := startNode(t, n)
	c := &loadtest.Client{URL: srv.URL, HTTP: loadtest.NewHTTP(2)}
	fx, err := loadtest.Seed(ctx, c, "DOWN", 1)
	if err != nil {
		t.Fatal(err)
	}
	acct := srv.URL + "/programs/DOWN/accounts/" + fx.Accounts[0]
	adjust := func() (int, []byte) {
		return call(t, "POST", acct+"/adjustments", c.Token, map[string]any{"adjustmentIdentifier": uuid.NewString(),
			"amount": "1.00", "currency": "USD", "adjustmentType": "promo"})
	}
	if st, body := adjust(); st != 200 {
		t.Fatalf("before: %d %s", st, body)
	}

	if _, err := admin.Exec(ctx, "ALTER ROLE "+name+" CONNECTION LIMIT 0"); err != nil {
		t.Fatal(err)
	}
	kick()
	checks := []struct {
		name, method, url, bearer, envelope string
		body                                any
	}{
		{"BaaS read", "GET", acct + "/balances", c.Token, `"responseDetails":[{"code":503`, nil},
		{"BaaS adjustment", "POST", acct + "/adjustments", c.Token, `"responseDetails":[{"code":503`, map[string]any{
			"adjustmentIdentifier": uuid.NewString(), "amount": "1.00", "currency": "USD", "adjustmentType": "promo"}},
		{"operator", "GET", srv.URL + "/admin/v1/programs/DOWN", loadtest.AdminToken, `"status":503`, nil},
	}
	for _, ck := range checks {
		var rd io.Reader
		if ck.body != nil {
			b, _ := json.Marshal(ck.body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(ck.method, ck.url, rd)
		req.Header.Set("Authorization", "Bearer "+ck.bearer)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), ck.envelope) {
			t.Errorf("%s while the database refuses: %d Retry-After %q %s", ck.name, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	req, _ := http.NewRequest("POST", srv.URL+"/authentication", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(fx.ClientID, fx.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(body), "temporarily_unavailable") {
		t.Errorf("token request while the database refuses: %d %s", resp.StatusCode, body)
	}

	if _, err := admin.Exec(ctx, "ALTER ROLE "+name+" CONNECTION LIMIT -1"); err != nil {
		t.Fatal(err)
	}
	if st, body := adjust(); st != 200 {
		t.Fatalf("after the database accepts connections again: %d %s", st, body)
	}
}

// TestTokenKeyRotation follows docs/security.md's "every access token at
// once": with a new data key and the stored token key deleted, every
// token issued before fails, while client secrets (hashed with the
// unchanged index key) still authenticate.
func TestTokenKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storagetest.DSNs(t)["sqlite"]
	oldKey, _ := vault.ParseKey(vault.GenerateKey())
	newKey, _ := vault.ParseKey(vault.GenerateKey())
	a, err := app.New(ctx, app.Config{DB: dsn, DataKey: oldKey, TokenTTL: time.Hour, Now: time.Now}, app.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := a.Partners.Create(ctx, "P")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := a.Partners.Authenticate(ctx, cr.Partner.ClientID, cr.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.Exec(ctx, `DELETE FROM vault_secrets WHERE name = 'token'`); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b, err := app.New(ctx, app.Config{DB: dsn, DataKey: newKey, RetiredKeys: [][]byte{oldKey}, TokenTTL: time.Hour,
		Now: time.Now}, app.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Partners.Verify(ctx, tok.AccessToken); err == nil {
		t.Fatal("a token signed with the old token key still verifies")
	}
	fresh, err := b.Partners.Authenticate(ctx, cr.Partner.ClientID, cr.ClientSecret)
	if err != nil {
		t.Fatalf("the unchanged secret no longer authenticates: %v", err)
	}
	if _, err := b.Partners.Verify(ctx, fresh.AccessToken); err != nil {
		t.Fatal(err)
	}
}
