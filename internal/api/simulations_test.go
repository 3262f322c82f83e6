package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// sandboxEnv is a sandbox whose webhooks may reach local test receivers.
var sandboxEnv = apitest.Options{Sandbox: true, Parallel: true, Configure: func(c *app.Config) { c.WebhookAllowPrivate = true }}

// simPaths is one call of every simulation (ids need not exist: without
// --sandbox none is routed).
func simPaths(program string) [][2]string {
	const id = "/0a250bd5-f641-43e3-80af-bf52c07868c3"
	sim := "/programs/" + program + "/simulations"
	return [][2]string{{"POST", sim + "/accounts"}, {"POST", sim + "/accounts" + id + "/paymentInstruments"},
		{"POST", sim + "/accounts" + id + "/status"}, {"POST", sim + "/paymentInstruments" + id + "/shipment"},
		{"POST", sim + "/paymentInstruments" + id + "/activation"}, {"POST", sim + "/customers/c1/ofacReview"},
		{"GET", sim + "/contactVerifications" + id + "/code"}, {"GET", sim + "/clock"}, {"POST", sim + "/clock"},
		{"DELETE", sim + "/clock"}, {"GET", sim + "/webhooks/loopback"}, {"PUT", sim + "/webhooks/loopback"},
		{"POST", sim + "/webhooks/receiver"}, {"POST", sim + "/webhooks/events"}, {"POST", sim + "/retailLoads"},
		{"POST", sim + "/retailLoads" + id + "/void"}}
}

// Without --sandbox every simulation answers 404 in the BaaS envelope, as
// a path that does not exist does, whatever the method.
func TestSimulationsAbsentWithoutSandbox(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		for _, c := range simPaths(s.ProgramCode) {
			r := e.Partner(c[0], c[1], map[string]any{})
			if r.Status != http.StatusNotFound || r.Header.Get("Allow") != "" {
				t.Fatalf("%s %s: %d %s", c[0], c[1], r.Status, r.Body)
			}
			r.Detail(t)
		}
		// And the magic values are ordinary values: 451 is an issuable SSN.
		r := e.Partner("POST", "/customers/magic1", map[string]any{"firstname": "Ann", "lastname": "Ofacmatch",
			"zipcode": "10001", "socialsecuritynumber": "451-12-3456"}).Want(t, http.StatusOK).JSON(t)
		if r["status"] != "Verified" {
			t.Fatalf("outside a sandbox: %v", r)
		}
	})
}

// The SSN-prefix table and the magic last name choose the status.
func TestSandboxMagicIdentities(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, apitest.Options{Sandbox: true}, func(t *testing.T, e *apitest.Env) {
		e.Seed()
		for i, tc := range []struct {
			ssn, last, status string
			code              float64
		}{
			{"451-11-1111", "Doe", "FailedVerification", 105},
			{"554-11-1111", "Doe", "FailedVerification", 104},
			{"452-11-1111", "Doe", "FailedVerification", 105},
			{"401-11-1111", "Doe", "OFACMatch-Pending", 201},
			{"992-11-1111", "Doe", "OFACMatch-Pending", 201},
			{"991-11-1111", "Doe", "FailedVerification", 105},
			{"101-11-1111", "Doe", "Verified", 0},
			{"", "OFACMATCH", "OFACMatch-Pending", 201},
			{"212-34-5678", "Doe", "Verified", 0}, // no magic: the real path
		} {
			body := map[string]any{"firstname": "Ann", "lastname": tc.last, "zipcode": "10001"}
			if tc.ssn != "" {
				body["socialsecuritynumber"] = tc.ssn
			}
			r := e.Partner("POST", "/customers/magic"+string(rune('a'+i)), body).Want(t, http.StatusOK).JSON(t)
			if r["status"] != tc.status || r["responsedetail"].(map[string]any)["responsedetailcode"] != tc.code {
				t.Errorf("%s %s: %v", tc.ssn, tc.last, r)
			}
		}
	})
}

// A complete life cycle driven by simulations, each answer in the BaaS
// envelope and each step's webhook asserted at a local receiver.
func TestSimulationsLifeCycle(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, sandboxEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		subscribe(t, e, s.ProgramCode, rc.URL, webhook.EventTypes...)
		sim := "/programs/" + s.ProgramCode + "/simulations"

		// A customer held for review by the magic last name, with an account.
		e.Partner("POST", "/customers/held1", map[string]any{"firstname": "Ann", "lastname": "Ofacmatch",
			"zipcode": "10001"}).Want(t, http.StatusOK)
		var acct struct{ AccountIdentifier, Status string }
		e.Partner("POST", sim+"/accounts", map[string]any{"holder": map[string]any{"firstName": "Ann",
			"lastName": "Ofacmatch", "zipCode": "10001"}}).Want(t, http.StatusOK).Decode(t, &acct)
		if acct.Status != "normal" || acct.AccountIdentifier == "" {
			t.Fatalf("account: %+v", acct)
		}
		var linked struct{ AccountIdentifier string }
		e.Partner("POST", sim+"/accounts", map[string]any{"holder": map[string]any{"customerId": "held1",
			"firstName": "Ann", "lastName": "Ofacmatch", "zipCode": "10001"}}).Want(t, http.StatusOK).Decode(t, &linked)
		acctSim := sim + "/accounts/" + acct.AccountIdentifier

		// A physical card: the PAN is answered once.
		var c struct{ PaymentInstrumentIdentifier, PAN, Status string }
		e.Partner("POST", acctSim+"/paymentInstruments", map[string]any{"type": "physical"}).
			Want(t, http.StatusOK).Decode(t, &c)
		if len(c.PAN) != 16 || !strings.HasPrefix(c.PAN, "499998") || c.Status != "notActivated" {
			t.Fatalf("card: %+v", c)
		}
		card := sim + "/paymentInstruments/" + c.PaymentInstrumentIdentifier

		// Delivering a card never shipped is refused, naming why; nothing changes.
		d := e.Partner("POST", card+"/shipment", map[string]any{"status": "delivered"}).Want(t, http.StatusConflict)
		if _, _, desc := d.Detail(t); !strings.Contains(desc, "has not shipped") {
			t.Fatalf("deliver unshipped: %s", desc)
		}
		if _, _, desc := e.Partner("POST", card+"/shipment", map[string]any{"status": "lost"}).
			Want(t, http.StatusBadRequest).Detail(t); !strings.Contains(desc, `"lost" is unknown`) {
			t.Fatalf("unknown status: %s", desc)
		}
		// An estimated arrival is not an input (docs/sandbox.md): refused, naming it.
		if _, _, desc := e.Partner("POST", card+"/shipment", map[string]any{"status": "ordered",
			"estimatedArrivalDate": "2030-01-01"}).Want(t, http.StatusBadRequest).Detail(t); !strings.Contains(desc, "estimatedArrivalDate") {
			t.Fatalf("estimatedArrivalDate: %s", desc)
		}
		for _, st := range []string{"ordered", "printing", "shipped", "delivered"} {
			var out struct{ DeliveryStatusCode, TrackingNumber string }
			e.Partner("POST", card+"/shipment", map[string]any{"status": st}).Want(t, http.StatusOK).Decode(t, &out)
			if out.DeliveryStatusCode != st || (st == "shipped") != (out.TrackingNumber != "" && st == "shipped") {
				t.Fatalf("%s: %+v", st, out)
			}
		}
		e.Partner("POST", card+"/shipment", map[string]any{"status": "shipped"}).Want(t, http.StatusConflict)
		var ds struct{ DeliveryStatusCode string }
		e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+acct.AccountIdentifier+"/paymentInstruments/"+
			c.PaymentInstrumentIdentifier+"/deliveryStatus", nil).Want(t, http.StatusOK).Decode(t, &ds)
		if ds.DeliveryStatusCode != "delivered" {
			t.Fatalf("deliveryStatus after the simulation: %+v", ds)
		}
		e.Partner("POST", card+"/activation", nil).WantDetail(t, http.StatusOK, 0, 0)
		e.Partner("POST", card+"/activation", nil).Want(t, http.StatusConflict)

		// A virtual card, closed, cannot be activated or shipped.
		var v struct{ PaymentInstrumentIdentifier string }
		e.Partner("POST", acctSim+"/paymentInstruments", map[string]any{"type": "virtual"}).Want(t, http.StatusOK).Decode(t, &v)
		e.Admin("PATCH", "/admin/v1/programs/"+s.ProgramCode+"/accounts/"+acct.AccountIdentifier+"/paymentInstruments/"+
			v.PaymentInstrumentIdentifier, map[string]any{"status": "closed"}).Want(t, http.StatusOK)
		if _, _, desc := e.Partner("POST", sim+"/paymentInstruments/"+v.PaymentInstrumentIdentifier+"/activation", nil).
			Want(t, http.StatusConflict).Detail(t); !strings.Contains(desc, "is closed") {
			t.Fatalf("activate closed: %s", desc)
		}

		// Account status: unknown refused, then locked.
		e.Partner("POST", acctSim+"/status", map[string]any{"status": "frozen"}).Want(t, http.StatusBadRequest)
		e.Partner("POST", acctSim+"/status", map[string]any{"status": "locked"}).WantDetail(t, http.StatusOK, 0, 0)

		// The OFAC review: a wrong decision refused, then cleared; once only.
		e.Partner("POST", sim+"/customers/held1/ofacReview", map[string]any{"decision": "maybe"}).Want(t, http.StatusBadRequest)
		var rv struct{ Status string }
		e.Partner("POST", sim+"/customers/held1/ofacReview", map[string]any{"decision": "clear"}).
			Want(t, http.StatusOK).Decode(t, &rv)
		if rv.Status != "Verified" {
			t.Fatalf("review: %+v", rv)
		}
		e.Partner("POST", sim+"/customers/held1/ofacReview", map[string]any{"decision": "clear"}).Want(t, http.StatusNotFound)
		if r := e.Partner("GET", "/customers/held1", nil).Want(t, http.StatusOK).JSON(t); path(r, "Customer.status") != "Verified" {
			t.Fatalf("customer after the review: %v", r)
		}

		// Webhooks: the same events the real paths send.
		var evs map[string][]map[string]any
		rc.Wait(t, 20*time.Second, func([]apitest.Post) bool {
			evs = eventsOf(t, rc)
			return len(evs[webhook.MailTracking]) >= 4 && len(evs[webhook.CardUpdate]) >= 4 &&
				len(evs[webhook.AccountUpdated]) >= 2
		})
		var stages []string
		for _, ev := range evs[webhook.MailTracking] {
			stages = append(stages, path(ev, "mailTracking.deliveryStatusCode").(string))
		}
		if !slices.Equal(stages, []string{"ordered", "printing", "shipped", "delivered"}) {
			t.Fatalf("mailTracking stages %v", stages)
		}
		var cardChanges, acctChanges []string
		for _, ev := range evs[webhook.CardUpdate] {
			cardChanges = append(cardChanges, ev["change"].(string))
		}
		for _, ev := range evs[webhook.AccountUpdated] {
			acctChanges = append(acctChanges, ev["change"].(string)+":"+path(ev, "account.accountIdentifier").(string))
		}
		if !slices.Equal(cardChanges, []string{"issued", "statusChanged", "issued", "statusChanged"}) {
			t.Fatalf("cardUpdate changes %v", cardChanges)
		}
		if !slices.Contains(acctChanges, "statusChanged:"+acct.AccountIdentifier) ||
			!slices.Contains(acctChanges, "ofacReviewed:"+linked.AccountIdentifier) {
			t.Fatalf("accountUpdated %v", acctChanges)
		}
	})
}

// Another partner's objects are unknown to a simulation, and nothing of
// theirs changes.
func TestSimulationsScopedToCaller(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, apitest.Options{Sandbox: true}, func(t *testing.T, e *apitest.Env) {
		other := e.Seed(apitest.ProgramSpec{Code: "OTHER", AdjustmentTypes: apitest.AllAdjustmentTypes})
		e.Partner("POST", "/customers/theirs", map[string]any{"firstname": "Ann", "lastname": "Ofacmatch",
			"zipcode": "10001"}).Want(t, http.StatusOK)
		s := e.Seed()
		sim := "/programs/" + s.ProgramCode + "/simulations"
		e.Partner("POST", "/programs/OTHER/simulations/accounts", map[string]any{"holder": map[string]any{
			"firstName": "A", "lastName": "B", "zipCode": "10001"}}).Want(t, http.StatusUnauthorized)
		e.Partner("POST", sim+"/paymentInstruments/"+other.CardID+"/activation", nil).Want(t, http.StatusNotFound)
		e.Partner("POST", sim+"/paymentInstruments/"+other.CardID+"/shipment", map[string]any{"status": "ordered"}).
			Want(t, http.StatusNotFound)
		e.Partner("POST", sim+"/accounts/"+other.AccountID+"/status", map[string]any{"status": "closed"}).
			Want(t, http.StatusNotFound)
		e.Partner("POST", sim+"/customers/theirs/ofacReview", map[string]any{"decision": "confirm"}).
			Want(t, http.StatusNotFound)
		var a struct{ Status string }
		e.Admin("GET", "/admin/v1/programs/OTHER/accounts/"+other.AccountID, nil).Want(t, http.StatusOK).Decode(t, &a)
		var cd struct{ Status string }
		e.Admin("PATCH", "/admin/v1/programs/OTHER/accounts/"+other.AccountID+"/paymentInstruments/"+other.CardID,
			map[string]any{"status": "notActivated"}).Want(t, http.StatusOK).Decode(t, &cd)
		if a.Status != "normal" || cd.Status != "notActivated" {
			t.Fatalf("the other partner's objects changed: %v %v", a, cd)
		}
	})
}
