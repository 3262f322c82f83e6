package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/crm/crmtest"
)

// A case the CRM refused shows as failed with its error in the queue and
// on the case; viewer, risk and finance may not redeliver it; support
// redelivers it (audited, in the case's history) and it reaches the CRM;
// a delivered case is not offered again.
func TestCaseCRMRedeliver(t *testing.T) {
	t.Parallel()
	fake := crmtest.New(t)
	opts := apitest.Options{Configure: func(c *app.Config) { c.CRM = fake.Config(300 * time.Millisecond) }}
	apitest.EnginesWith(t, opts, func(t *testing.T, e *apitest.Env) {
		fake.Reset() // the engines run one after the other on this fake
		fake.SetDown(true)
		f := newFixture(t, e)
		page := "/console/cases/" + f.CaseNumber
		redeliver := page + "/redeliver"

		sup := f.client(t)
		stok := sup.login("support@example.com")
		sup.until(t, page, "failed")
		sup.get(page).want(t, http.StatusOK, "last error", "Redeliver to CRM")
		sup.get("/console/cases").want(t, http.StatusOK, "<th scope=\"col\">CRM</th>", "failed")

		for _, role := range []string{"viewer", "risk", "finance"} {
			c := f.client(t)
			tok := c.login(role + "@example.com")
			if p := c.get(page).want(t, http.StatusOK, "failed"); contains(p.Body, "Redeliver to CRM") {
				t.Fatalf("%s is offered the redeliver button", role)
			}
			c.post(redeliver, url.Values{"csrf": {tok}}).want(t, http.StatusForbidden)
		}
		// Without its CSRF token the form changes nothing.
		sup.post(redeliver, url.Values{}).want(t, http.StatusForbidden)
		if n := len(f.events(t, "case.crmRedelivered")); n != 0 {
			t.Fatalf("%d redeliveries audited before any was allowed", n)
		}

		fake.SetDown(false)
		p := sup.post(redeliver, url.Values{"csrf": {stok}})
		if p.Status != http.StatusSeeOther || p.Location != page {
			t.Fatalf("redeliver: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		d := sup.until(t, page, "delivered as ")
		if contains(d.Body, "Redeliver to CRM") {
			t.Fatal("a delivered case is offered for redelivery")
		}
		sup.get(page).want(t, http.StatusOK, "crmRedeliver", "support@example.com")
		ev := f.events(t, "case.crmRedelivered")
		if len(ev) != 1 || ev[0].Subject != "case:"+f.CaseNumber || ev[0].Actor == "" {
			t.Fatalf("audit events: %+v", ev)
		}
		if _, ok := fake.Cases()[f.CaseNumber]; !ok {
			t.Fatal("the CRM does not hold the case")
		}
		// A second redelivery of a delivered case is refused.
		sup.post(redeliver, url.Values{"csrf": {stok}}).want(t, http.StatusConflict, "already in the CRM")
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
