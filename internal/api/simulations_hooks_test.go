package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

func sampleBody(accountID string) map[string]any {
	return map[string]any{"accounts": []any{map[string]any{"accountIdentifier": accountID, "events": []any{
		map[string]any{"eventIdentifier": "e1", "eventType": "accountUpdated", "eventDateTime": "2025-06-24T11:27:39.187Z"}}}}}
}

// The webhook test hooks: the loopback answer is configured and given; a
// simulated event reaches a URL and its answer comes back; the receiver
// refuses a body of the wrong shape or a wrong signature, naming why, and
// validates verdant's own signed deliveries.
func TestSimulatedWebhookHooks(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, sandboxEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		sim := "/programs/" + s.ProgramCode + "/simulations"
		receiver := e.URL + sim + "/webhooks/receiver"
		e.Partner("PUT", sim+"/webhooks/loopback", map[string]any{"minDelayMs": 0, "maxDelayMs": 30000,
			"httpStatus": 99, "contentType": "text/plain"}).Want(t, http.StatusBadRequest)
		e.Partner("PUT", sim+"/webhooks/loopback", map[string]any{"minDelayMs": 5, "maxDelayMs": 20,
			"httpStatus": 201, "body": `{"ok":true}`, "contentType": "application/json"}).Want(t, http.StatusOK)
		var lb struct{ HTTPStatus int }
		e.Partner("GET", sim+"/webhooks/loopback", nil).Want(t, http.StatusOK).Decode(t, &lb)
		if lb.HTTPStatus != 201 {
			t.Fatalf("loopback: %+v", lb)
		}

		var out struct {
			HTTPStatus   int
			ResponseBody string
		}
		e.Partner("POST", sim+"/webhooks/events", map[string]any{"postBackUrl": receiver,
			"headers": map[string]any{"X-GD-RequestId": "r1"}, "body": sampleBody(s.AccountID)}).
			Want(t, http.StatusOK).Decode(t, &out)
		if out.HTTPStatus != 201 || out.ResponseBody != `{"ok":true}` {
			t.Fatalf("simulated event: %+v", out)
		}
		bad := sampleBody(s.AccountID)
		bad["accounts"].([]any)[0].(map[string]any)["events"].([]any)[0].(map[string]any)["eventType"] = "nope"
		if _, _, d := e.Partner("POST", sim+"/webhooks/events", map[string]any{"postBackUrl": receiver, "body": bad}).
			Want(t, http.StatusBadRequest).Detail(t); !strings.Contains(d, "accounts[0].events[0].eventType") {
			t.Fatalf("bad body: %s", d)
		}
		req, _ := http.NewRequest("POST", e.URL+sim+"/webhooks/receiver", bytes.NewReader([]byte(
			`{"accounts":[{"accountIdentifier":"a","events":[{"eventIdentifier":"e","eventType":"transaction","eventDateTime":"2025-06-24T11:27:39.187Z"}]}]}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-gd-signature", "bm90IGEgc2lnbmF0dXJl")
		if _, _, d := e.Send(req).Want(t, http.StatusBadRequest).Detail(t); !strings.Contains(d, "x-gd-signature does not verify") {
			t.Fatalf("bad signature: %s", d)
		}

		// verdant's own delivery to the receiver validates and is acknowledged.
		subscribe(t, e, s.ProgramCode, receiver, "accountUpdated")
		e.Partner("POST", sim+"/accounts/"+s.AccountID+"/status", map[string]any{"status": "locked"}).Want(t, http.StatusOK)
		deadline := time.Now().Add(20 * time.Second)
		for {
			var ds struct{ Deliveries []struct{ Status string } }
			e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/webhookDeliveries", nil).Want(t, http.StatusOK).Decode(t, &ds)
			if len(ds.Deliveries) == 1 && ds.Deliveries[0].Status == "delivered" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("deliveries: %+v", ds)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
