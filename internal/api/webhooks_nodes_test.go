package api_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/vault"
)

// Two nodes on one PostgreSQL both run delivery workers: no event is
// ever in flight to the receiver twice at the same time, and each is
// acknowledged once.
func TestWebhookTwoNodesNeverDeliverTwice(t *testing.T) {
	t.Parallel()
	dsn := apitest.PostgresDSN(t) // skips without PostgreSQL
	key, _ := vault.ParseKey(vault.GenerateKey())
	opts := apitest.Options{Configure: func(c *app.Config) { c.WebhookAllowPrivate, c.DataKey = true, key }}
	n1 := apitest.NewWith(t, dsn, opts)
	n2 := apitest.NewWith(t, dsn, opts)
	s := n1.Seed()
	n2.Token = n1.Token

	var mu sync.Mutex
	inflight, overlaps := map[string]bool{}, 0
	rc := apitest.NewReceiver(t)
	rc.Answer(func(p apitest.Post, w http.ResponseWriter) {
		_, events := p.Events(t)
		mu.Lock()
		for _, e := range events {
			id := e["eventIdentifier"].(string)
			if inflight[id] {
				overlaps++
				t.Errorf("event %s in flight twice at once", id)
			}
			inflight[id] = true
		}
		mu.Unlock()
		time.Sleep(300 * time.Millisecond) // longer than a poll: the other node looks while this is in flight
		mu.Lock()
		for _, e := range events {
			delete(inflight, e["eventIdentifier"].(string))
		}
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	})
	subscribe(t, n1, s.ProgramCode, rc.URL, "transaction")
	accounts := []apitest.Seed{s}
	for i := 0; i < 5; i++ {
		a := s
		a.AccountID = n1.OpenAccount(s.ProgramCode, "normal")
		accounts = append(accounts, a)
	}
	const n = 60
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		node := n1
		if i%2 == 1 {
			node = n2
		}
		wg.Add(1)
		go func() { defer wg.Done(); adjust(t, node, accounts[i%len(accounts)], "promo", "1.00") }()
		time.Sleep(10 * time.Millisecond) // spread over several polls of both nodes
	}
	wg.Wait()
	waitDelivered(t, n1, s.ProgramCode, n)
	mu.Lock()
	defer mu.Unlock()
	if overlaps != 0 {
		t.Fatalf("%d events were in flight twice at once", overlaps)
	}
	ids := rc.Acknowledged(t)
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("event %s acknowledged twice", id)
		}
		seen[id] = true
	}
	if len(seen) != n {
		t.Fatalf("%d events acknowledged, want %d", len(seen), n)
	}
}
