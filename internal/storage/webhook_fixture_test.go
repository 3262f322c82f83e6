package storage_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/vault"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// hookReceiver records the events of every POST it acknowledges, and
// answers 500 to the accounts in fail, and holds those in hold until the
// channel closes.
type hookReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	fail  map[string]bool
	hold  map[string]chan struct{}
	posts [][]string       // event ids of each acknowledged POST
	acked map[string]int   // event id -> acknowledgements
	byAcc map[string][]int // account -> indexes into posts
}

func newHookReceiver(t *testing.T) *hookReceiver {
	rc := &hookReceiver{fail: map[string]bool{}, hold: map[string]chan struct{}{}, acked: map[string]int{}, byAcc: map[string][]int{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Accounts []struct {
				AccountIdentifier string
				Events            []struct{ EventIdentifier string }
			}
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &b); err != nil || len(b.Accounts) != 1 {
			t.Errorf("POST body %s", body)
		}
		acct := b.Accounts[0].AccountIdentifier
		rc.mu.Lock()
		hold := rc.hold[acct]
		rc.mu.Unlock()
		if hold != nil {
			<-hold
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.fail[acct] {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var ids []string
		for _, e := range b.Accounts[0].Events {
			ids = append(ids, e.EventIdentifier)
			rc.acked[e.EventIdentifier]++
		}
		rc.byAcc[acct] = append(rc.byAcc[acct], len(rc.posts))
		rc.posts = append(rc.posts, ids)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *hookReceiver) times(id string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.acked[id]
}

// hookFixture is a program with one subscription to transaction events
// and a worker on a settable clock.
type hookFixture struct {
	db     *storage.DB
	st     *storage.WebhookStore
	svc    *webhook.Service
	sub    webhook.Subscription
	rc     *hookReceiver
	clock  *clock
	worker *webhook.Worker
}

func newHookFixture(t *testing.T, db *storage.DB) *hookFixture {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO partners (id, name, client_id, secret_hash, created_at, updated_at) VALUES ('p1', 'P', 'c1', 'h', 0, 0)`,
		`INSERT INTO programs (code, partner_id, name, bin, created_at, updated_at) VALUES ('PROG', 'p1', 'Prog', '499998', 0, 0)`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	key, _ := vault.ParseKey(vault.GenerateKey())
	v, err := vault.New(key)
	if err != nil {
		t.Fatal(err)
	}
	f := &hookFixture{db: db, st: storage.NewWebhookStore(db), rc: newHookReceiver(t), clock: newClock()}
	f.svc = &webhook.Service{Store: f.st, Vault: v, AllowPrivate: true, Now: f.clock.Now}
	if f.sub, _, err = f.svc.Create(ctx, "PROG", webhook.Input{URL: f.rc.URL, EventTypes: []string{webhook.Transaction}}); err != nil {
		t.Fatal(err)
	}
	f.worker = f.newWorker()
	return f
}

func (f *hookFixture) newWorker() *webhook.Worker {
	return &webhook.Worker{Queue: f.st, Vault: f.svc.Vault, Client: webhook.NewClient(true), Now: f.clock.Now, Timeout: time.Second,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
}

// event is a transaction event of account a.
func (f *hookFixture) event(a string) webhook.Event {
	return webhook.NewEvent(webhook.Transaction, "PROG", a, f.clock.Now(), map[string]any{"n": uuid.NewString()})
}

// emit commits events in one transaction.
func (f *hookFixture) emit(t *testing.T, es ...webhook.Event) {
	t.Helper()
	err := f.db.Tx(context.Background(), func(tx *storage.Tx) error {
		for _, e := range es {
			if err := tx.Emit(context.Background(), e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// drain steps the worker until it has nothing left to do.
func (f *hookFixture) drain(t *testing.T, w *webhook.Worker) {
	t.Helper()
	for i := 0; i < 20; i++ {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the worker never ran dry")
}

func (f *hookFixture) seq(t *testing.T, eventID string) int64 {
	t.Helper()
	var seq int64
	if err := f.db.QueryRow(context.Background(), `SELECT seq FROM webhook_stream WHERE id = ?`, eventID).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}
