package api_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// Delivered deliveries are pruned after the retention; failed and
// pending ones never are. The metrics count deliveries by outcome and
// show the backlog.
func TestWebhookPruneAndMetrics(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		ok := apitest.NewReceiver(t)
		bad := apitest.NewReceiver(t)
		bad.Answer(answerStatus(500))
		subscribe(t, e, s.ProgramCode, ok.URL, "transaction")
		failing := subscribe(t, e, s.ProgramCode, bad.URL, "transaction")
		e.Admin("PATCH", "/admin/v1/programs/"+s.ProgramCode+"/webhooks/"+failing.WebhookID,
			map[string]any{"retries": false}).Want(t, http.StatusOK)
		adjust(t, e, s, "promo", "1.00")
		adjust(t, e, s, "promo", "2.00")
		deadline := time.Now().Add(20 * time.Second)
		for {
			d, _ := listDeliveries(t, e, s.ProgramCode, url.Values{"status": {"delivered"}})
			f, _ := listDeliveries(t, e, s.ProgramCode, url.Values{"status": {"failed"}})
			if len(d) == 2 && len(f) == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d delivered, %d failed", len(d), len(f))
			}
			time.Sleep(25 * time.Millisecond)
		}
		ctx := context.Background()
		e.App.WebhookWorker.RefreshGauges(ctx)
		metrics := scrapeText(t, e)
		for _, want := range []string{`verdant_webhook_deliveries_total{outcome="delivered"} 2`,
			`verdant_webhook_deliveries_total{outcome="failed"} 2`, "verdant_webhook_queue_depth 0",
			"verdant_webhook_oldest_undelivered_seconds 0", `verdant_webhook_attempt_duration_seconds_count{class="none"}`} {
			if !strings.Contains(metrics, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if n, err := e.App.WebhookWorker.Prune(ctx); err != nil || n != 0 {
			t.Fatalf("pruned %d (%v) within the retention", n, err)
		}
		e.Clock.Advance(31 * 24 * time.Hour)
		if n, err := e.App.WebhookWorker.Prune(ctx); err != nil || n != 2 {
			t.Fatalf("pruned %d (%v), want the 2 delivered", n, err)
		}
		all, _ := listDeliveries(t, e, s.ProgramCode, nil)
		if len(all) != 2 || all[0].Status != "failed" || all[1].Status != "failed" {
			t.Fatalf("after pruning: %+v", all)
		}
		getDelivery(t, e, s.ProgramCode, all[0].DeliveryID) // its event is still there
	})
}

func scrapeText(t *testing.T, e *apitest.Env) string {
	t.Helper()
	resp, err := http.Get(e.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// A delivered event (sent from the subscription's cursor, with no
// delivery row) shows in the log with its POST as its attempt;
// redelivering it sends it again with the same webhook-id, and the log
// then shows both attempts; a range replay sends it once more.
func TestWebhookRedeliverDelivered(t *testing.T) {
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		sub := subscribe(t, e, s.ProgramCode, rc.URL, "transaction")
		adjust(t, e, s, "promo", "1.00")
		waitDelivered(t, e, s.ProgramCode, 1)
		d := oneDelivery(t, e, s.ProgramCode)
		d = getDelivery(t, e, s.ProgramCode, d.DeliveryID)
		if d.Status != "delivered" || d.AttemptCount != 1 || len(d.Attempts) != 1 || d.Attempts[0].HTTPStatus != 200 {
			t.Fatalf("delivered from the cursor: %+v", d)
		}
		var again deliveryView
		e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/webhookDeliveries/"+d.DeliveryID+"/redeliver", nil).
			Want(t, http.StatusAccepted).Decode(t, &again)
		if again.DeliveryID != d.DeliveryID || again.Status != "pending" {
			t.Fatalf("redelivered: %+v", again)
		}
		d = waitDelivery(t, e, s.ProgramCode, d.DeliveryID, func(d deliveryView) bool { return d.Status == "delivered" && len(d.Attempts) == 2 })
		if d.Attempts[0].MessageID != d.Attempts[1].MessageID || d.Attempts[1].Attempt != 2 {
			t.Fatalf("attempts %+v", d.Attempts)
		}
		posts := rc.Wait(t, 10*time.Second, func(ps []apitest.Post) bool { return len(ps) == 2 })
		if posts[0].Header.Get("webhook-id") != posts[1].Header.Get("webhook-id") {
			t.Fatalf("webhook-id %q then %q", posts[0].Header.Get("webhook-id"), posts[1].Header.Get("webhook-id"))
		}
		var out struct{ Replayed int }
		e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/webhooks/"+sub.WebhookID+"/replay", map[string]any{
			"from": d.CreatedAt.Add(-time.Second), "to": d.CreatedAt.Add(time.Second)}).Want(t, http.StatusAccepted).Decode(t, &out)
		if out.Replayed != 1 {
			t.Fatalf("range replay: %d", out.Replayed)
		}
		waitDelivery(t, e, s.ProgramCode, d.DeliveryID, attempted(3))
	})
}
