package console_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

// The partners page lists the retailers the enumeration guard throttles;
// a risk operator lifts one with its button (audited in the operator's
// name), a viewer sees the list without the button and is refused the
// action, and a second lift is answered that there is nothing to lift.
func TestConsoleLiftsRetailThrottle(t *testing.T) {
	cfg := func(c *app.Config) { c.RetailMissLimit = 2 }
	apitest.EnginesWith(t, apitest.Options{Configure: cfg}, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		e.Admin("POST", "/admin/v1/merchants", map[string]any{"merchantId": "CONS1", "partnerId": f.Seed.PartnerID, "name": "Chain"}).
			Want(t, http.StatusCreated)
		e.Admin("POST", "/admin/v1/merchants/CONS1/stores", map[string]any{"storeId": "S1"}).Want(t, http.StatusCreated)
		e.Admin("POST", "/admin/v1/merchants/CONS1/users", map[string]any{"userId": "u1"}).Want(t, http.StatusCreated)
		for i := range 3 {
			e.Partner("POST", "/card/details", map[string]any{"accountNumber": "5344560000816246", "paymentProgramType": "Regular",
				"transactionAmount": 20, "metadata": map[string]any{"storeId": "S1", "merchantId": "CONS1", "userId": "u1",
					"requestDateTime": "2023-09-28T00:56:25Z"}}, apitest.Header{Name: "X-GD-RequestId", Value: "miss-" + strconv.Itoa(i)})
		}
		lift := "/console/partners/" + f.Seed.PartnerID + "/unthrottle"

		viewer := f.client(t)
		vtok := viewer.login("viewer@example.com")
		if p := viewer.get("/console/partners").want(t, http.StatusOK, "Retailers throttled now", "Partner PROG1"); contains(p.Body, "Lift the throttle") {
			t.Fatal("a viewer is offered the lift")
		}
		viewer.post(lift, url.Values{"csrf": {vtok}}).want(t, http.StatusForbidden, "retail.unthrottle")

		risk := f.client(t)
		rtok := risk.login("risk@example.com")
		risk.get("/console/partners").want(t, http.StatusOK, "Lift the throttle of Partner PROG1")
		risk.post(lift, url.Values{}).want(t, http.StatusForbidden)
		if n := len(f.events(t, "retail.throttleLifted")); n != 0 {
			t.Fatalf("%d lifts audited before one was allowed", n)
		}
		if p := risk.post(lift, url.Values{"csrf": {rtok}}); p.Status != http.StatusSeeOther || p.Location != "/console/partners" {
			t.Fatalf("lift: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		if p := risk.get("/console/partners").want(t, http.StatusOK, "Throttle of Partner PROG1 lifted"); contains(p.Body, "Retailers throttled now") {
			t.Fatal("the lifted throttle is still listed")
		}
		ev := f.events(t, "retail.throttleLifted")
		if len(ev) != 1 || ev[0].Subject != "partner:"+f.Seed.PartnerID || ev[0].Actor != "operator:risk@example.com" {
			t.Fatalf("audit: %+v", ev)
		}
		risk.post(lift, url.Values{"csrf": {rtok}}).want(t, http.StatusNotFound, "not throttled")
	})
}
