package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

// webhookEnv lets webhooks reach the local test receivers.
var webhookEnv = apitest.Options{Parallel: true, Configure: func(c *app.Config) { c.WebhookAllowPrivate = true }}

var (
	webhookLinkRE  = regexp.MustCompile(`href="(/console/programs/[^/]+/webhooks/[0-9a-f-]{36})"`)
	deliveryLinkRE = regexp.MustCompile(`href="(/console/programs/[^/]+/webhookDeliveries/[0-9a-f-]{36})"`)
	secretRE       = regexp.MustCompile(`id="signing-secret" readonly value="([^"]+)"`)
)

// until reloads a page until it holds want (the delivery worker runs on
// its own time), failing after ten seconds.
func (c *client) until(t *testing.T, path, want string) page {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p := c.get(path)
		if p.Status == http.StatusOK && strings.Contains(p.Body, want) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q\n%s", path, want, p.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A program's webhook subscriptions in the console: an admin subscribes
// an endpoint (its secret shown once); a failed delivery shows in the log
// with its attempt and on the overview; support redelivers it and
// replays; a viewer only reads; the admin rotates, tests, disables and
// deletes.
func TestWebhookScreens(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		rc := apitest.NewReceiver(t)
		rc.Answer(func(_ apitest.Post, w http.ResponseWriter) {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		})
		admin := f.client(t)
		atok := admin.login("admin@example.com")
		prog := "/console/programs/" + f.Seed.ProgramCode
		admin.get(prog).want(t, http.StatusOK, "No subscriptions", "New subscription")

		// Support may not subscribe; the admin may, without retries.
		sup := f.client(t)
		stok := sup.login("support@example.com")
		sup.post(prog+"/webhooks", url.Values{"csrf": {stok}, "url": {rc.URL}, "eventTypes": {"transaction"}}).want(t, http.StatusForbidden)
		admin.post(prog+"/webhooks", url.Values{"csrf": {atok}, "url": {rc.URL}}).want(t, http.StatusBadRequest, "eventTypes")
		p := admin.post(prog+"/webhooks", url.Values{"csrf": {atok}, "url": {rc.URL}, "eventTypes": {"transaction", "accountUpdated"}}).
			want(t, http.StatusCreated, "Subscription created", "no retries")
		secret := html.UnescapeString(secretRE.FindStringSubmatch(p.Body)[1])
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("secret %q", secret)
		}
		page := webhookLinkRE.FindStringSubmatch(admin.get(prog).want(t, http.StatusOK, rc.URL).Body)[1]
		if strings.Contains(admin.get(page).Body, secret) {
			t.Fatal("the signing secret is shown twice")
		}

		// An adjustment: its delivery fails (no retries) and shows everywhere.
		e.Partner("POST", "/programs/"+f.Seed.ProgramCode+"/accounts/"+f.Seed.AccountID+"/adjustments", map[string]any{
			"adjustmentIdentifier": uuid.NewString(), "amount": "5.00", "currency": "USD", "adjustmentType": "promo",
			"adjustmentDescription": "Referral"}).Want(t, http.StatusOK)
		log := sup.until(t, page+"?status=failed", "HTTP 503")
		delivery := deliveryLinkRE.FindStringSubmatch(log.Body)[1]
		sup.get("/console/").want(t, http.StatusOK, `<span class="count">1</span> webhook deliveries failing`,
			"0 waiting for a retry, 1 given up (replayable); 1 subscriptions failing")
		d := sup.get(delivery).want(t, http.StatusOK, "transaction", "HTTP 503", "down for maintenance", f.Seed.AccountID, "Redeliver")
		if strings.Contains(d.Body, f.Seed.PAN) {
			t.Fatal("the delivery page shows the card number")
		}

		// A viewer reads the log but sends nothing again.
		v := f.client(t)
		vtok := v.login("viewer@example.com")
		if vp := v.get(delivery).want(t, http.StatusOK, "HTTP 503"); strings.Contains(vp.Body, "Redeliver") {
			t.Fatal("a viewer is offered redelivery")
		}
		v.post(delivery+"/redeliver", url.Values{"csrf": {vtok}}).want(t, http.StatusForbidden, "webhooks.replay")

		// The receiver is back: support redelivers, then replays the day.
		rc.Answer(nil)
		p = sup.post(delivery+"/redeliver", url.Values{"csrf": {stok}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("redeliver: %d\n%s", p.Status, p.Body)
		}
		sup.until(t, delivery, "acknowledged")
		sup.get(page+"?status=delivered").want(t, http.StatusOK, "delivered")
		sup.post(page+"/replay", url.Values{"csrf": {stok}, "which": {"failed"}}).want(t, http.StatusSeeOther)
		sup.get(page).want(t, http.StatusOK, "0 deliveries sent again.")
		day := time.Now().UTC().Format("2006-01-02")
		sup.post(page+"/replay", url.Values{"csrf": {stok}, "which": {"range"}, "from": {day}, "to": {"someday"}}).
			want(t, http.StatusBadRequest, "YYYY-MM-DD")
		sup.post(page+"/replay", url.Values{"csrf": {stok}, "which": {"range"}, "from": {day}, "to": {day}}).want(t, http.StatusSeeOther)
		sup.get(page).want(t, http.StatusOK, "1 delivery sent again.")
		rc.Wait(t, 10*time.Second, func(ps []apitest.Post) bool { return len(ps) >= 3 })
		sup.post(page, url.Values{"csrf": {stok}, "action": {"rotate"}}).want(t, http.StatusForbidden)

		// The admin's actions.
		p = admin.post(page, url.Values{"csrf": {atok}, "action": {"rotate"}}).want(t, http.StatusOK, "New signing secret", "also signs until")
		if html.UnescapeString(secretRE.FindStringSubmatch(p.Body)[1]) == secret {
			t.Fatal("rotation kept the secret")
		}
		admin.post(page, url.Values{"csrf": {atok}, "action": {"test"}}).want(t, http.StatusSeeOther)
		admin.until(t, page, "(test)")
		admin.post(page, url.Values{"csrf": {atok}, "action": {"save"}, "url": {rc.URL}}).want(t, http.StatusBadRequest, "eventTypes")
		admin.post(page, url.Values{"csrf": {atok}, "action": {"save"}, "url": {rc.URL}, "eventTypes": {"caseUpdated"}, "retries": {"on"}}).
			want(t, http.StatusSeeOther)
		admin.get(page).want(t, http.StatusOK, "Subscription saved.", `value="caseUpdated" checked`)
		admin.post(page, url.Values{"csrf": {atok}, "action": {"disable"}}).want(t, http.StatusSeeOther)
		admin.get(prog).want(t, http.StatusOK, "disabled")
		admin.post(page, url.Values{"csrf": {atok}, "action": {"delete"}}).want(t, http.StatusSeeOther)
		admin.get(prog).want(t, http.StatusOK, "Subscription deleted", "No subscriptions")
		admin.get(page).want(t, http.StatusNotFound)
	})
}
