package api_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// webhookEnv is a platform whose webhooks may reach the local test
// receivers (http on 127.0.0.1).
var webhookEnv = apitest.Options{Parallel: true, Configure: func(c *app.Config) { c.WebhookAllowPrivate = true }}

type webhookView struct {
	WebhookID      string   `json:"webhookId"`
	URL            string   `json:"url"`
	EventTypes     []string `json:"eventTypes"`
	Enabled        bool     `json:"enabled"`
	Retries        bool     `json:"retries"`
	Secret         string   `json:"secret"`
	DisabledReason string   `json:"disabledReason"`
}

// subscribe creates a subscription and answers it (with its secret).
func subscribe(t *testing.T, e *apitest.Env, program, url string, types ...string) webhookView {
	t.Helper()
	var w webhookView
	e.Admin("POST", "/admin/v1/programs/"+program+"/webhooks", map[string]any{"url": url, "eventTypes": types}).
		Want(t, http.StatusCreated).Decode(t, &w)
	return w
}

// verifySigned checks both signatures of a POST with secret: the
// Standard Webhooks library, and the documented x-gd-signature recipe.
func verifySigned(t *testing.T, p apitest.Post, secret string) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.VerifyIgnoringTimestamp(p.Body, p.Header); err != nil {
		t.Fatalf("Standard Webhooks verification: %v (headers %v)", err, p.Header)
	}
	if !webhook.VerifyGD(secret, p.Body, p.Header.Get("x-gd-signature")) {
		t.Fatalf("x-gd-signature does not verify")
	}
}

func TestWebhookTransactionDelivered(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		sub := subscribe(t, e, s.ProgramCode, rc.URL, "transaction")
		if !regexp.MustCompile(`^whsec_[A-Za-z0-9+/]{43}=$`).MatchString(sub.Secret) {
			t.Fatalf("secret %q is not whsec_ + base64 of 32 bytes", sub.Secret)
		}
		if k, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sub.Secret, "whsec_")); len(k) != 32 {
			t.Fatalf("secret key is %d bytes", len(k))
		}
		adjID := uuid.NewString()
		e.Partner("POST", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/adjustments", map[string]any{
			"adjustmentIdentifier": adjID, "amount": "12.86", "currency": "USD", "adjustmentType": "disbursement",
			"adjustmentDescription": "refund 1138"}).WantDetail(t, http.StatusOK, 0, 0)
		posts := rc.Wait(t, 10*time.Second, func(ps []apitest.Post) bool { return len(ps) >= 1 })
		p := posts[0]
		verifySigned(t, p, sub.Secret)
		for h, want := range map[string]string{"Content-Type": "application/json", "User-Agent": "verdant/test"} {
			if got := p.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if _, err := uuid.Parse(p.Header.Get("X-GD-RequestId")); err != nil {
			t.Errorf("X-GD-RequestId %q", p.Header.Get("X-GD-RequestId"))
		}
		acct, events := p.Events(t)
		if acct != s.AccountID || len(events) != 1 {
			t.Fatalf("posted %s %v", acct, events)
		}
		ev := events[0]
		if ev["eventType"] != "transaction" || ev["eventIdentifier"] == "" {
			t.Fatalf("event %v", ev)
		}
		// The transaction is the same item GET .../transactions answers.
		var list struct{ Transactions []json.RawMessage }
		e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/transactions", nil).
			Want(t, http.StatusOK).Decode(t, &list)
		got, _ := json.Marshal(ev["transaction"])
		var want any
		json.Unmarshal(list.Transactions[0], &want)
		wantJSON, _ := json.Marshal(want)
		if string(got) != string(wantJSON) {
			t.Fatalf("webhook transaction %s\nGET transactions item %s", got, wantJSON)
		}
		if !strings.Contains(string(got), `"adjustmentIdentifier":"`+adjID+`"`) {
			t.Fatalf("no adjustmentIdentifier under postedInternalTransactionData: %s", got)
		}
		bal, _ := json.Marshal(ev["balances"])
		if string(bal) != `{"availableBalance":"12.86","currency":"USD","postedBalance":"12.86"}` {
			t.Fatalf("balances %s", bal)
		}
		assertNoSecrets(t, p.Body, s.PAN)
	})
}

// assertNoSecrets fails if a body holds a full PAN (the given one, or any
// 13 to 19 digit run) or an SSN.
func assertNoSecrets(t *testing.T, body []byte, pans ...string) {
	t.Helper()
	for _, pan := range pans {
		if pan != "" && strings.Contains(string(body), pan) {
			t.Fatalf("payload holds a PAN: %s", body)
		}
	}
	if m := regexp.MustCompile(`\b\d{13,19}\b|\b\d{3}-?\d{2}-?\d{4}\b`).Find(body); m != nil {
		t.Fatalf("payload holds %q (a PAN or SSN shape): %s", m, body)
	}
}

func mustWebhook(t *testing.T, secret string) *standardwebhooks.Webhook {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	return wh
}

// verifyStandardOnly checks the Standard Webhooks signatures alone (the
// previous secret of a rotation signs only there).
func verifyStandardOnly(t *testing.T, p apitest.Post, secret string) {
	t.Helper()
	if err := mustWebhook(t, secret).VerifyIgnoringTimestamp(p.Body, p.Header); err != nil {
		t.Fatalf("Standard Webhooks verification: %v", err)
	}
}
