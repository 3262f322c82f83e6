package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/loadtest"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

// holdingReceiver holds every POST until released, then acknowledges;
// it records the adjustments whose transaction events it acknowledged.
type holdingReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	release  chan struct{}
	held     int
	received map[string]int // adjustmentIdentifier -> acknowledgements
}

func newHoldingReceiver(t *testing.T) *holdingReceiver {
	rc := &holdingReceiver{release: make(chan struct{}), received: map[string]int{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.held++
		rc.mu.Unlock()
		select {
		case <-rc.release:
		case <-r.Context().Done():
			return // the sender died: nothing acknowledged
		}
		var b struct {
			Accounts []struct {
				Events []struct {
					Transaction struct {
						PostedInternalTransactionData struct{ AdjustmentIdentifier string }
					}
				}
			}
		}
		json.Unmarshal(body, &b)
		rc.mu.Lock()
		for _, a := range b.Accounts {
			for _, e := range a.Events {
				rc.received[e.Transaction.PostedInternalTransactionData.AdjustmentIdentifier]++
			}
		}
		rc.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *holdingReceiver) heldCount() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.held
}

// adminPost calls the operator API of a started node.
func adminPost(t *testing.T, url, path string, body any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+loadtest.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, out)
	}
}

// TestKill9BetweenCommitAndDelivery kills the server with SIGKILL while
// the transaction events of acknowledged adjustments are in flight to
// the receiver (which holds them unanswered), restarts it, and checks
// that every one of them is delivered.
func TestKill9BetweenCommitAndDelivery(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	bin := verdantBin(t)
	// Attempts end within 1s, and claims lapse 4s after a crash (the
	// lease, through the test hook: by default 2*timeout+10s).
	env := []string{"VERDANT_WEBHOOK_ALLOW_PRIVATE=true", "VERDANT_WEBHOOK_TIMEOUT=1s", webhookLeaseEnv + "=4s"}
	for name, dsn := range storagetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			node := loadtest.Node{Bin: bin, DB: dsn, DataDir: t.TempDir(), DataKey: vault.GenerateKey(), Env: env}
			srv := startNode(t, node)
			c := &loadtest.Client{URL: srv.URL, HTTP: loadtest.NewHTTP(4)}
			fx, err := loadtest.Seed(ctx, c, "KILLWH", 3)
			if err != nil {
				t.Fatal(err)
			}
			rc := newHoldingReceiver(t)
			adminPost(t, srv.URL, "/admin/v1/programs/KILLWH/webhooks", map[string]any{"url": rc.URL + "/hooks",
				"eventTypes": []string{"transaction"}})
			var acked []string
			for i := 0; i < 12; i++ {
				id := uuid.NewString()
				r, err := c.Adjust(ctx, fx.ProgramCode, fx.Accounts[i%len(fx.Accounts)], id, "promo", "1.00", false)
				if err != nil || r.Status != "completed" {
					t.Fatalf("adjustment: %+v %v", r, err)
				}
				acked = append(acked, id)
			}
			deadline := time.Now().Add(10 * time.Second)
			for rc.heldCount() == 0 {
				if time.Now().After(deadline) {
					t.Fatal("no webhook reached the receiver")
				}
				time.Sleep(10 * time.Millisecond)
			}
			srv.Kill()
			close(rc.release)

			startNode(t, node)
			deadline = time.Now().Add(60 * time.Second)
			for {
				rc.mu.Lock()
				missing := 0
				for _, id := range acked {
					if rc.received[id] == 0 {
						missing++
					}
				}
				rc.mu.Unlock()
				if missing == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d of %d committed adjustments never reached the receiver after the restart", missing, len(acked))
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}
