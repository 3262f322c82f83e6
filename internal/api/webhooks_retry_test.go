package api_test

import (
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// fastTimeout is a platform whose webhook attempts time out after 1s
// (and whose worker polls often: these tests step through retries).
var fastTimeout = apitest.Options{Parallel: true, Poll: 20 * time.Millisecond, Configure: func(c *app.Config) {
	c.WebhookAllowPrivate, c.WebhookTimeout = true, time.Second
}}

func answerStatus(code int) func(apitest.Post, http.ResponseWriter) {
	return func(_ apitest.Post, w http.ResponseWriter) { w.WriteHeader(code) }
}

// hang answers nothing until the sender gives up (its timeout), or 2.5s.
func hang(p apitest.Post, w http.ResponseWriter) {
	select {
	case <-p.Gone:
	case <-time.After(2500 * time.Millisecond):
	}
}

func drop(_ apitest.Post, w http.ResponseWriter) {
	if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
		c.Close()
	}
}

// oneDelivery answers the only delivery of a program (failing otherwise).
func oneDelivery(t *testing.T, e *apitest.Env, program string) deliveryView {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ds, _ := listDeliveries(t, e, program, nil)
		if len(ds) == 1 {
			return ds[0]
		}
		if len(ds) > 1 || time.Now().After(deadline) {
			t.Fatalf("%d deliveries, want 1", len(ds))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A receiver failing with 500s, then hanging, then dropping connections
// gets every event, once, when it recovers; each attempt is in the log
// with its class.
func TestWebhookReceiverRecovers(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, fastTimeout, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		rc.Answer(answerStatus(500))
		subscribe(t, e, s.ProgramCode, rc.URL, "transaction")
		adjust(t, e, s, "promo", "3.00")
		d := oneDelivery(t, e, s.ProgramCode)
		p := s.ProgramCode
		d = waitDelivery(t, e, p, d.DeliveryID, attempted(1))
		if d.Status != "pending" || d.LastHTTPStatus != 500 || d.NextAttemptAt == nil ||
			d.NextAttemptAt.Sub(d.CreatedAt).Round(time.Second) != time.Minute {
			t.Fatalf("after a 500: %+v", d)
		}
		rc.Answer(hang)
		e.Clock.Advance(time.Minute)
		d = waitDelivery(t, e, p, d.DeliveryID, attempted(2))
		rc.Answer(drop)
		e.Clock.Advance(4 * time.Minute)
		d = waitDelivery(t, e, p, d.DeliveryID, attempted(3))
		rc.Answer(nil)
		e.Clock.Advance(10 * time.Minute)
		// The log reads a delivery's attempts and its row one after the
		// other: the status may show the success a moment before its attempt.
		d = waitDelivery(t, e, p, d.DeliveryID, func(d deliveryView) bool { return d.Status == "delivered" && len(d.Attempts) == 4 })
		var classes []string
		for _, a := range d.Attempts {
			classes = append(classes, a.ErrorClass)
		}
		if !slices.Equal(classes, []string{"http", "timeout", "connection", ""}) {
			t.Fatalf("attempt classes %q", classes)
		}
		if ids := rc.Acknowledged(t); len(ids) != 1 || ids[0] != d.EventIdentifier {
			t.Fatalf("acknowledged %v, want the event once", ids)
		}
		if m := d.Attempts[0].MessageID; d.Attempts[3].MessageID != m {
			t.Fatalf("webhook-id changed across attempts: %s then %s", m, d.Attempts[3].MessageID)
		}
	})
}

// The schedule under a controllable clock: retries within the first
// hour, then hourly until 24 hours after the event, then failed; a
// replay of the failed delivery delivers it.
func TestWebhookScheduleGiveUpAndReplay(t *testing.T) {
	t.Parallel()
	// The worker's warnings go to the test output (shown when it fails).
	warn := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	apitest.EnginesWith(t, apitest.Options{Configure: webhookEnv.Configure, Log: warn, Parallel: true, Poll: 20 * time.Millisecond}, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		rc.Answer(answerStatus(503))
		sub := subscribe(t, e, s.ProgramCode, rc.URL, "transaction")
		adjust(t, e, s, "promo", "1.00")
		d := oneDelivery(t, e, s.ProgramCode)
		for n := 1; ; n++ {
			d = waitDelivery(t, e, s.ProgramCode, d.DeliveryID, attempted(n))
			if d.Status != "pending" {
				break
			}
			if wait := d.NextAttemptAt.Sub(e.Clock.Now()); wait > 0 {
				e.Clock.Advance(wait + time.Millisecond)
			}
		}
		if d.Status != "failed" || len(d.Attempts) != 29 {
			t.Fatalf("gave up as %s after %d attempts, want failed after 29", d.Status, len(d.Attempts))
		}
		sched := webhook.Schedule(d.CreatedAt)
		for i, a := range d.Attempts[1:] {
			if off := a.At.Sub(sched[i]); off < 0 || off > 5*time.Second {
				t.Fatalf("attempt %d at +%s, scheduled at +%s", i+2, a.At.Sub(d.CreatedAt), sched[i].Sub(d.CreatedAt))
			}
		}
		rc.Answer(nil)
		var out struct{ Replayed int }
		path := "/admin/v1/programs/" + s.ProgramCode + "/webhooks/" + sub.WebhookID + "/replay"
		e.Admin("POST", path, map[string]any{"status": "failed"}).Want(t, http.StatusAccepted).Decode(t, &out)
		if out.Replayed != 1 {
			t.Fatalf("replayed %d", out.Replayed)
		}
		d = waitDelivery(t, e, s.ProgramCode, d.DeliveryID, func(d deliveryView) bool { return d.Status == "delivered" })
		// A time range replays delivered ones too.
		from, to := d.CreatedAt.Add(-time.Second), d.CreatedAt.Add(time.Second)
		e.Admin("POST", path, map[string]any{"from": from, "to": to}).Want(t, http.StatusAccepted).Decode(t, &out)
		if out.Replayed != 1 {
			t.Fatalf("range replayed %d", out.Replayed)
		}
		waitDelivery(t, e, s.ProgramCode, d.DeliveryID, func(d deliveryView) bool { return d.Status == "delivered" && len(d.Attempts) == 31 })
		wantProblem(t, e.Admin("POST", path, map[string]any{"status": "delivered"}), 400, "status")
		wantProblem(t, e.Admin("POST", path, map[string]any{"from": to, "to": from}), 400, "to")
		wantProblem(t, e.Admin("POST", path, map[string]any{}), 400, "from")
	})
}

// HTTP 410 disables the subscription with its reason; later changes send
// nothing; enabling it again lets a replay deliver the failed delivery.
func TestWebhookGoneDisables(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		rc.Answer(answerStatus(410))
		sub := subscribe(t, e, s.ProgramCode, rc.URL, "transaction")
		adjust(t, e, s, "promo", "1.00")
		d := oneDelivery(t, e, s.ProgramCode)
		d = waitDelivery(t, e, s.ProgramCode, d.DeliveryID, func(d deliveryView) bool { return d.Status == "failed" })
		path := "/admin/v1/programs/" + s.ProgramCode + "/webhooks/" + sub.WebhookID
		var got webhookView
		e.Admin("GET", path, nil).Want(t, http.StatusOK).Decode(t, &got)
		if got.Enabled || got.DisabledReason == "" {
			t.Fatalf("after 410: %+v", got)
		}
		adjust(t, e, s, "promo", "1.00")
		if ds, _ := listDeliveries(t, e, s.ProgramCode, nil); len(ds) != 1 {
			t.Fatalf("a disabled subscription got %d deliveries", len(ds))
		}
		wantProblem(t, e.Admin("POST", path+"/test", nil), 409, "enabled")
		rc.Answer(nil)
		got = webhookView{}
		e.Admin("PATCH", path, map[string]any{"enabled": true}).Want(t, http.StatusOK).Decode(t, &got)
		if !got.Enabled || got.DisabledReason != "" {
			t.Fatalf("re-enabled: %+v", got)
		}
		e.Admin("POST", path+"/replay", map[string]any{"status": "failed"}).Want(t, http.StatusAccepted)
		waitDelivery(t, e, s.ProgramCode, d.DeliveryID, func(d deliveryView) bool { return d.Status == "delivered" })
	})
}

// A subscription whose every attempt has failed for DisableAfter is
// disabled with the reason.
func TestWebhookFailingSubscriptionDisabled(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		rc.Answer(answerStatus(500))
		sub := subscribe(t, e, s.ProgramCode, rc.URL, "transaction")
		path := "/admin/v1/programs/" + s.ProgramCode + "/webhooks/" + sub.WebhookID
		adjust(t, e, s, "promo", "1.00")
		first := oneDelivery(t, e, s.ProgramCode)
		waitDelivery(t, e, s.ProgramCode, first.DeliveryID, attempted(1))
		e.Clock.Advance(5*24*time.Hour + time.Hour)
		e.Token = e.TokenFor(s.ClientID, s.ClientSecret) // the old one expired
		adjust(t, e, s, "promo", "1.00")
		deadline := time.Now().Add(10 * time.Second)
		var got webhookView
		for {
			e.Admin("GET", path, nil).Want(t, http.StatusOK).Decode(t, &got)
			if !got.Enabled || time.Now().After(deadline) {
				break
			}
			time.Sleep(25 * time.Millisecond)
		}
		if got.Enabled || got.DisabledReason != "every attempt failed for 5 days" {
			t.Fatalf("after 5 days of failures: %+v", got)
		}
		ds, _ := listDeliveries(t, e, s.ProgramCode, url.Values{"status": {"failed"}})
		if len(ds) != 2 {
			t.Fatalf("%d failed deliveries, want 2 (replayable)", len(ds))
		}
	})
}

// A test event reaches the receiver as a test delivery; 429 with
// Retry-After is honoured; a redirect is not followed.
func TestWebhookTestEventRetryAfterAndRedirect(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		other := apitest.NewReceiver(t)
		sub := subscribe(t, e, s.ProgramCode, rc.URL, "cardUpdate", "mailTracking")
		rc.Answer(func(_ apitest.Post, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		})
		var d deliveryView
		path := "/admin/v1/programs/" + s.ProgramCode + "/webhooks/" + sub.WebhookID + "/test"
		e.Admin("POST", path, map[string]any{"eventType": "mailTracking"}).Want(t, http.StatusAccepted).Decode(t, &d)
		if !d.Test || d.EventType != "mailTracking" {
			t.Fatalf("test delivery %+v", d)
		}
		d = waitDelivery(t, e, s.ProgramCode, d.DeliveryID, attempted(1))
		if wait := d.NextAttemptAt.Sub(d.Attempts[0].At).Round(time.Second); wait != 120*time.Second {
			t.Fatalf("after 429 Retry-After 120 the next attempt is in %s", wait)
		}
		rc.Answer(func(_ apitest.Post, w http.ResponseWriter) {
			w.Header().Set("Location", other.URL)
			w.WriteHeader(http.StatusFound)
		})
		e.Clock.Advance(2 * time.Minute)
		d = waitDelivery(t, e, s.ProgramCode, d.DeliveryID, attempted(2))
		if d.Attempts[1].HTTPStatus != 302 || d.Status != "pending" || len(other.Posts()) != 0 {
			t.Fatalf("redirect: %+v, %d posts followed it", d.Attempts[1], len(other.Posts()))
		}
		rc.Answer(nil)
		e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/webhookDeliveries/"+d.DeliveryID+"/redeliver", nil).
			Want(t, http.StatusAccepted)
		d = waitDelivery(t, e, s.ProgramCode, d.DeliveryID, func(d deliveryView) bool { return d.Status == "delivered" })
		posts := rc.Posts()
		verifySigned(t, posts[len(posts)-1], sub.Secret)
		_, evs := posts[len(posts)-1].Events(t)
		if evs[0]["eventType"] != "mailTracking" || evs[0]["mailTracking"] == nil {
			t.Fatalf("test event %v", evs[0])
		}
		wantProblem(t, e.Admin("POST", path, map[string]any{"eventType": "nope"}), 400, "eventType")
	})
}

// During a rotation's overlap every POST is signed by both secrets;
// after it, by the new one only.
func TestWebhookSecretRotation(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		sub := subscribe(t, e, s.ProgramCode, rc.URL, "transaction")
		var rot webhookView
		e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/webhooks/"+sub.WebhookID+"/secrets", nil).
			Want(t, http.StatusCreated).Decode(t, &rot)
		adjust(t, e, s, "promo", "1.00")
		p := rc.Wait(t, 10*time.Second, func(ps []apitest.Post) bool { return len(ps) == 1 })[0]
		verifySigned(t, p, rot.Secret)
		verifyStandardOnly(t, p, sub.Secret)
		e.Clock.Advance(webhook.Overlap + time.Minute)
		e.Token = e.TokenFor(s.ClientID, s.ClientSecret) // the old one expired
		adjust(t, e, s, "promo", "1.00")
		p = rc.Wait(t, 10*time.Second, func(ps []apitest.Post) bool { return len(ps) == 2 })[1]
		verifySigned(t, p, rot.Secret)
		if wh := mustWebhook(t, sub.Secret); wh.VerifyIgnoringTimestamp(p.Body, p.Header) == nil {
			t.Fatal("the old secret still verifies after the overlap")
		}
	})
}
