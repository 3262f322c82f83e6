package api_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// A transaction that wrote a webhook event wakes this node's worker once
// it commits (so an event need not wait for the poll); one that wrote
// none does not.
func TestWebhookCommitWakesWorker(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		var wakes atomic.Int64
		e.App.DB.OnWebhookEvent(func() { wakes.Add(1); e.App.WebhookWorker.Notify() })
		adjust(t, e, s, "promo", "1.00") // no subscription yet: no event
		if n := wakes.Load(); n != 0 {
			t.Fatalf("%d wakeups for a posting without an event", n)
		}
		rc := apitest.NewReceiver(t)
		sub := subscribe(t, e, s.ProgramCode, rc.URL, "transaction")
		adjust(t, e, s, "promo", "2.00")
		if n := wakes.Load(); n != 1 {
			t.Fatalf("%d wakeups after a posting with an event, want 1", n)
		}
		rc.Wait(t, 10*time.Second, func(ps []apitest.Post) bool { return len(ps) == 1 })
		e.Admin("DELETE", "/admin/v1/programs/"+s.ProgramCode+"/webhooks/"+sub.WebhookID, nil).Want(t, http.StatusNoContent)
		adjust(t, e, s, "promo", "3.00")
		if n := wakes.Load(); n != 1 {
			t.Fatalf("%d wakeups, want still 1 once the subscription is deleted", n)
		}
	})
}
