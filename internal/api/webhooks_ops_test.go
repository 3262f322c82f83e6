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
