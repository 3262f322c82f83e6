package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/vault"
)

func TestRateLimits(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		body := map[string]any{"contactType": "phone", "communicationType": "sms", "contactHandle": "213-373-4253"}
		path := "/programs/" + s.ProgramCode + "/contactVerifications"
		createVerification(t, e, s.ProgramCode, body)
		// The same number in another notation is the same handle.
		r := e.Partner("POST", path, map[string]any{"contactType": "phone", "communicationType": "voice", "contactHandle": "+12133734253"})
		r.WantDetail(t, http.StatusTooManyRequests, 70, 2)
		if r.Header.Get("Retry-After") != "30" {
			t.Fatalf("Retry-After = %q", r.Header.Get("Retry-After"))
		}
		for i := 2; i <= 5; i++ {
			e.Clock.Advance(31 * time.Second)
			createVerification(t, e, s.ProgramCode, body)
		}
		e.Clock.Advance(31 * time.Second)
		e.Partner("POST", path, body).WantDetail(t, http.StatusTooManyRequests, 70, 1)
		// Another handle is not limited.
		createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "phone", "communicationType": "sms", "contactHandle": "2133734254"})
		// An hour after the first code, one slot frees up.
		e.Clock.Advance(time.Hour - 4*31*time.Second)
		e.Token = e.TokenFor(s.ClientID, s.ClientSecret) // the old token has expired
		createVerification(t, e, s.ProgramCode, body)
		e.Partner("POST", path, body).WantDetail(t, http.StatusTooManyRequests, 70, 2)
	})
}

func TestRateLimitHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		const n = 8
		var wg sync.WaitGroup
		statuses := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, _ := json.Marshal(map[string]any{"contactType": "email", "communicationType": "email", "contactHandle": "race@example.com"})
				req, _ := http.NewRequest("POST", e.URL+"/programs/"+s.ProgramCode+"/contactVerifications", bytes.NewReader(b))
				req.Header.Set("Authorization", "Bearer "+e.Token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				resp.Body.Close()
				statuses[i] = resp.StatusCode
			}()
		}
		wg.Wait()
		ok, limited := 0, 0
		for _, st := range statuses {
			switch st {
			case http.StatusOK:
				ok++
			case http.StatusTooManyRequests:
				limited++
			}
		}
		if ok != 1 || limited != n-1 {
			t.Fatalf("statuses %v: want exactly one 200 and %d 429", statuses, n-1)
		}
	})
}

// TestRateLimitAcrossNodes runs two apps (two "nodes") on one database and
// sends to both at once.
func TestRateLimitAcrossNodes(t *testing.T) {
	t.Parallel()
	for name, dsn := range apitest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			key, _ := vault.ParseKey(vault.GenerateKey())
			same := func(c *app.Config) { c.DataKey = key }
			a := apitest.NewWith(t, dsn, apitest.Options{Configure: same})
			b := apitest.NewWith(t, dsn, apitest.Options{Configure: same})
			s := a.Seed()
			var wg sync.WaitGroup
			codes := make(chan int, 10)
			for i := range 10 {
				node := a
				if i%2 == 1 {
					node = b
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, _ := http.NewRequest("POST", node.URL+"/programs/"+s.ProgramCode+"/contactVerifications",
						strings.NewReader(`{"contactType":"phone","communicationType":"sms","contactHandle":"2025550143"}`))
					req.Header.Set("Authorization", "Bearer "+a.Token)
					resp, err := http.DefaultClient.Do(req)
					if err == nil {
						resp.Body.Close()
						codes <- resp.StatusCode
					}
				}()
			}
			wg.Wait()
			close(codes)
			ok := 0
			for c := range codes {
				if c == http.StatusOK {
					ok++
				} else if c != http.StatusTooManyRequests {
					t.Fatalf("unexpected status %d", c)
				}
			}
			if ok != 1 {
				t.Fatalf("%d codes went out across two nodes, want 1", ok)
			}
		})
	}
}

// TestDeliveryAcrossRestart creates a verification on a node whose
// outbox worker never runs, stops it, and starts another node on the same
// database: the message arrives exactly once. A lost outbox
// acknowledgement (the row set back to pending after delivery) does not
// send it again.
func TestDeliveryAcrossRestart(t *testing.T) {
	t.Parallel()
	mb := newMailbox(t)
	for name, dsn := range apitest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			clock := &apitest.Clock{}
			cfg := apitest.Config(dsn, clock)
			mb.configure(&cfg)
			a1, err := app.New(context.Background(), cfg, app.Discard) // not started: no worker
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(a1.Handler)
			e1 := &apitest.Env{T: t, App: a1, URL: srv.URL, Clock: clock}
			s := e1.Seed()
			handle := "restart-" + name + "@example.com"
			id := createVerification(t, e1, s.ProgramCode, map[string]any{"contactType": "email", "communicationType": "email",
				"contactHandle": handle})
			wantStatus(t, e1, s.ProgramCode, id, 0)
			srv.Close()
			a1.Close()
			if n := countTo(mb, handle); n != 0 {
				t.Fatalf("%d messages sent before the restart", n)
			}

			e2 := apitest.NewWith(t, dsn, apitest.Options{Configure: func(c *app.Config) {
				c.DataKey = cfg.DataKey
				mb.configure(c)
			}})
			e2.Token = e1.Token
			waitStatus(t, e2, s.ProgramCode, id, 1)
			msgs := waitTo(t, mb, handle, 1)

			// Lose the outbox acknowledgement: the row is claimed again.
			if _, err := e2.App.DB.Exec(context.Background(),
				`UPDATE outbox SET status = 'pending', lease_until = 0, next_attempt_at = 0`); err != nil {
				t.Fatal(err)
			}
			e2.App.Outbox.Notify()
			deadline := time.Now().Add(10 * time.Second)
			for {
				var pending int
				e2.App.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM outbox WHERE status <> 'delivered'`).Scan(&pending)
				if pending == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the replayed outbox row was not handled")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if n := countTo(mb, handle); n != 1 {
				t.Fatalf("%d messages arrived, want exactly 1", n)
			}
			if !strings.Contains(msgs[0].MessageID, "@verdant") {
				t.Fatalf("Message-ID %q is not the outbox message id", msgs[0].MessageID)
			}
			check(e2, s.ProgramCode, id, codeIn(t, msgs[0].Body)).WantDetail(t, http.StatusOK, 0, 0)
		})
	}
}

func countTo(mb *mailbox, to string) int {
	n := 0
	for _, m := range mb.all() {
		if m.To == to {
			n++
		}
	}
	return n
}

func waitTo(t *testing.T, mb *mailbox, to string, n int) []received {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var out []received
		for _, m := range mb.all() {
			if m.To == to {
				out = append(out, m)
			}
		}
		if len(out) >= n {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no message to %s", to)
	return nil
}

// TestWrongCodesUnderConcurrency sends ten wrong codes at once: the row
// lock makes them count one by one, so exactly four answer "incorrect"
// and the rest "locked", and the right code no longer works.
func TestWrongCodesUnderConcurrency(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, apitest.Options{Sandbox: true}, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		id := createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "email", "communicationType": "email",
			"contactHandle": "guess@example.com"})
		waitStatus(t, e, s.ProgramCode, id, 1)
		code := sandboxCode(t, e, "guess@example.com", id)
		var wg sync.WaitGroup
		subs := make(chan int, 10)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("PUT", e.URL+"/programs/"+s.ProgramCode+"/contactVerifications/"+id,
					strings.NewReader(`{"verificationCode":"`+wrongCode(code)+`"}`))
				req.Header.Set("Authorization", "Bearer "+e.Token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				defer resp.Body.Close()
				var out struct{ ResponseDetails []struct{ Code, SubCode int } }
				if json.NewDecoder(resp.Body).Decode(&out) == nil && len(out.ResponseDetails) == 1 {
					subs <- out.ResponseDetails[0].SubCode
				}
			}()
		}
		wg.Wait()
		close(subs)
		counts := map[int]int{}
		for sub := range subs {
			counts[sub]++
		}
		if counts[1] != 4 || counts[3] != 6 {
			t.Fatalf("sub-codes %v: want 4 incorrect (71/1) and 6 locked (71/3)", counts)
		}
		check(e, s.ProgramCode, id, code).WantDetail(t, http.StatusOK, 71, 3)
	})
}
