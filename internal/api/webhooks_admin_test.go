package api_test

import (
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// wantProblem fails unless r is a problem+json with the status naming field.
func wantProblem(t *testing.T, r *apitest.Response, status int, field string) {
	t.Helper()
	r.Want(t, status)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	if got, _ := r.JSON(t)["field"].(string); got != field {
		t.Fatalf("problem names field %q, want %q: %s", got, field, r.Body)
	}
}

func listWebhooks(t *testing.T, e *apitest.Env, program string) []webhookView {
	t.Helper()
	var out struct{ Webhooks []webhookView }
	e.Admin("GET", "/admin/v1/programs/"+program+"/webhooks", nil).Want(t, http.StatusOK).Decode(t, &out)
	return out.Webhooks
}

func TestWebhookSubscriptionBadInput(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		path := "/admin/v1/programs/" + s.ProgramCode + "/webhooks"
		ok := map[string]any{"url": "https://93.184.216.34/hooks", "eventTypes": []string{"transaction"}}
		e.Admin("POST", path, ok).Want(t, http.StatusCreated)
		for _, c := range []struct {
			name  string
			body  map[string]any
			code  int
			field string
		}{
			{"not https", map[string]any{"url": "http://93.184.216.34/hooks", "eventTypes": []string{"transaction"}}, 400, "url"},
			{"loopback", map[string]any{"url": "https://127.0.0.1/hooks", "eventTypes": []string{"transaction"}}, 400, "url"},
			{"private", map[string]any{"url": "https://10.0.0.8/hooks", "eventTypes": []string{"transaction"}}, 400, "url"},
			{"metadata", map[string]any{"url": "https://169.254.169.254/latest", "eventTypes": []string{"transaction"}}, 400, "url"},
			{"malformed", map[string]any{"url": "hooks at example", "eventTypes": []string{"transaction"}}, 400, "url"},
			{"unresolvable", map[string]any{"url": "https://no-such-host.invalid/hooks", "eventTypes": []string{"transaction"}}, 400, "url"},
			{"no url", map[string]any{"eventTypes": []string{"transaction"}}, 400, "url"},
			{"unknown event type", map[string]any{"url": "https://93.184.216.35/h", "eventTypes": []string{"balanceChanged"}}, 400, "eventTypes"},
			{"no event type", map[string]any{"url": "https://93.184.216.35/h", "eventTypes": []string{}}, 400, "eventTypes"},
			{"unknown field", map[string]any{"url": "https://93.184.216.35/h", "eventTypes": []string{"transaction"}, "secret": "x"}, 400, "secret"},
			{"duplicate", ok, 409, "url"},
		} {
			t.Run(c.name, func(t *testing.T) { wantProblem(t, e.Admin("POST", path, c.body), c.code, c.field) })
		}
		if n := len(listWebhooks(t, e, s.ProgramCode)); n != 1 {
			t.Fatalf("%d subscriptions stored, want 1", n)
		}
		e.Admin("POST", "/admin/v1/programs/NOPE/webhooks", ok).Want(t, http.StatusNotFound)
		e.Admin("GET", path+"/not-a-uuid", nil).Want(t, http.StatusBadRequest)
		e.Admin("GET", path+"/8b7c8c2a-6a0e-4d5e-9a51-3f1f2a7d0c11", nil).Want(t, http.StatusNotFound)
	})
}

func TestWebhookSubscriptionLifecycle(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		sub := subscribe(t, e, s.ProgramCode, rc.URL, "transaction", "cardUpdate")
		if !sub.Enabled || !sub.Retries || len(sub.EventTypes) != 2 {
			t.Fatalf("created %+v", sub)
		}
		path := "/admin/v1/programs/" + s.ProgramCode + "/webhooks/" + sub.WebhookID
		var got webhookView
		e.Admin("GET", path, nil).Want(t, http.StatusOK).Decode(t, &got)
		if got.Secret != "" || got.URL != rc.URL {
			t.Fatalf("GET shows %+v (the secret is shown only on creation and rotation)", got)
		}
		e.Admin("PATCH", path, map[string]any{"eventTypes": []string{"accountUpdated"}, "retries": false}).
			Want(t, http.StatusOK).Decode(t, &got)
		if strings.Join(got.EventTypes, ",") != "accountUpdated" || got.Retries {
			t.Fatalf("patched %+v", got)
		}
		wantProblem(t, e.Admin("PATCH", path, map[string]any{"eventTypes": []string{"nope"}}), 400, "eventTypes")
		wantProblem(t, e.Admin("PATCH", path, map[string]any{"url": "ftp://x"}), 400, "url")
		wantProblem(t, e.Admin("PATCH", path, map[string]any{"webhookId": "x"}), 400, "webhookId")
		var rot webhookView
		e.Admin("POST", path+"/secrets", nil).Want(t, http.StatusCreated).Decode(t, &rot)
		if rot.Secret == "" || rot.Secret == sub.Secret {
			t.Fatalf("rotation answered %+v", rot)
		}
		other := subscribe(t, e, s.ProgramCode, rc.URL+"/2", "transaction")
		if n := len(listWebhooks(t, e, s.ProgramCode)); n != 2 {
			t.Fatalf("%d subscriptions, want 2", n)
		}
		wantProblem(t, e.Admin("PATCH", "/admin/v1/programs/"+s.ProgramCode+"/webhooks/"+other.WebhookID,
			map[string]any{"url": rc.URL}), 409, "url")
		e.Admin("DELETE", path, nil).Want(t, http.StatusNoContent)
		e.Admin("GET", path, nil).Want(t, http.StatusNotFound)
		e.Admin("DELETE", path, nil).Want(t, http.StatusNotFound)
	})
}

type deliveryView struct {
	DeliveryID      string
	WebhookID       string
	EventIdentifier string
	EventType       string
	Status          string
	Test            bool
	AttemptCount    int
	NextAttemptAt   *time.Time
	LastHTTPStatus  int `json:"lastHttpStatus"`
	LastError       string
	CreatedAt       time.Time
	Event           map[string]any
	Attempts        []struct {
		Attempt    int
		MessageID  string
		HTTPStatus int `json:"httpStatus"`
		ErrorClass string
		At         time.Time
		Response   string
	}
}

func listDeliveries(t *testing.T, e *apitest.Env, program string, q url.Values) ([]deliveryView, string) {
	t.Helper()
	var out struct {
		Deliveries []deliveryView
		Next       string
	}
	e.Admin("GET", "/admin/v1/programs/"+program+"/webhookDeliveries?"+q.Encode(), nil).Want(t, http.StatusOK).Decode(t, &out)
	return out.Deliveries, out.Next
}

func getDelivery(t *testing.T, e *apitest.Env, program, id string) deliveryView {
	t.Helper()
	var d deliveryView
	e.Admin("GET", "/admin/v1/programs/"+program+"/webhookDeliveries/"+id, nil).Want(t, http.StatusOK).Decode(t, &d)
	return d
}

// waitDelivery polls a delivery until cond holds.
func waitDelivery(t *testing.T, e *apitest.Env, program, id string, cond func(deliveryView) bool) deliveryView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d := getDelivery(t, e, program, id)
		if cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 1) // where the worker is
			t.Fatalf("delivery %s: condition not met: %+v", id, d)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// attempted is a condition: the delivery's log holds n attempts.
func attempted(n int) func(deliveryView) bool {
	return func(d deliveryView) bool { return len(d.Attempts) >= n }
}

func TestWebhookDeliveryListing(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		a := subscribe(t, e, s.ProgramCode, rc.URL, "transaction")
		b := subscribe(t, e, s.ProgramCode, rc.URL+"/b", "transaction")
		for i := 0; i < 5; i++ {
			adjust(t, e, s, "promo", "1.00")
		}
		waitDelivered(t, e, s.ProgramCode, 10)
		var seen []string
		q := url.Values{"webhookId": {a.WebhookID}, "status": {"delivered"}, "eventType": {"transaction"}, "limit": {"2"}}
		page, next := listDeliveries(t, e, s.ProgramCode, q)
		for {
			for _, d := range page {
				if d.WebhookID != a.WebhookID {
					t.Fatalf("page lost its filter: %+v", d)
				}
				seen = append(seen, d.DeliveryID)
			}
			if next == "" {
				break
			}
			page, next = listDeliveries(t, e, s.ProgramCode, url.Values{"cursor": {next}})
		}
		if len(seen) != 5 {
			t.Fatalf("paged %d deliveries of webhook a, want 5", len(seen))
		}
		_, next = listDeliveries(t, e, s.ProgramCode, q)
		wantProblem(t, e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/webhookDeliveries?webhookId="+b.WebhookID+
			"&cursor="+next, nil), 400, "cursor")
		wantProblem(t, e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/webhookDeliveries?cursor=zzz", nil), 400, "cursor")
		wantProblem(t, e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/webhookDeliveries?status=lost", nil), 400, "status")
		wantProblem(t, e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/webhookDeliveries?from=yesterday", nil), 400, "from")
		d := getDelivery(t, e, s.ProgramCode, seen[0])
		if d.Status != "delivered" || len(d.Attempts) != 1 || d.Attempts[0].HTTPStatus != 200 || d.Event["eventType"] != "transaction" ||
			!strings.Contains(d.Attempts[0].Response, `"code":0`) {
			t.Fatalf("delivery %+v", d)
		}
		none, _ := listDeliveries(t, e, s.ProgramCode, url.Values{"accountIdentifier": {"00000000-0000-0000-0000-000000000000"}})
		if len(none) != 0 {
			t.Fatalf("account filter: %d", len(none))
		}
	})
}

// waitDelivered waits until a program has n deliveries, all delivered.
func waitDelivered(t *testing.T, e *apitest.Env, program string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		all, _ := listDeliveries(t, e, program, url.Values{"limit": {"100"}})
		done := 0
		for _, d := range all {
			if d.Status == "delivered" {
				done++
			}
		}
		if len(all) == n && done == n {
			return
		}
		if len(all) > n || time.Now().After(deadline) {
			t.Fatalf("%d deliveries, %d delivered; want %d delivered", len(all), done, n)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
