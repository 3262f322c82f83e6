package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// eventsOf answers every acknowledged event received, by type.
func eventsOf(t *testing.T, rc *apitest.Receiver) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, p := range rc.Posts() {
		if p.Status != http.StatusOK {
			continue
		}
		_, evs := p.Events(t)
		for _, e := range evs {
			typ, _ := e["eventType"].(string)
			out[typ] = append(out[typ], e)
		}
	}
	return out
}

// path answers the value at a dotted path of a decoded JSON object
// (numbers index arrays).
func path(v any, p string) any {
	for _, k := range strings.Split(p, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := int(k[0] - '0')
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// Every event type is produced by its business change, in the shape the
// docs describe, and no payload holds a PAN or an SSN.
func TestWebhookEveryEventType(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed(apitest.ProgramSpec{Code: "EVT1", AdjustmentTypes: apitest.AllAdjustmentTypes,
			Features: []string{"NB100", "UCB1"}, TermsEnforced: []string{"negBal"}})
		rc := apitest.NewReceiver(t)
		sub := subscribe(t, e, s.ProgramCode, rc.URL, webhook.EventTypes...)
		const ssn = "212-34-5678"
		body := listed()
		body["socialsecuritynumber"] = ssn
		e.Partner("POST", "/customers/ofac9", body).Want(t, http.StatusOK)
		var acct struct{ AccountIdentifier string }
		e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/accounts", map[string]any{"holder": map[string]any{
			"firstName": "Erdenebalsuren", "lastName": "Damdin", "zipCode": "10001", "customerId": "ofac9"}}).
			Want(t, http.StatusCreated).Decode(t, &acct)
		holder := s
		holder.AccountID = acct.AccountIdentifier
		acctPath := "/admin/v1/programs/" + s.ProgramCode + "/accounts/" + holder.AccountID

		// accountUpdated: status, feature enrolment, terms; then the OFAC review outcome.
		e.Admin("PATCH", acctPath, map[string]any{"status": "locked"}).Want(t, http.StatusOK)
		e.Admin("PATCH", acctPath, map[string]any{"status": "normal"}).Want(t, http.StatusOK)
		base := "/programs/" + s.ProgramCode + "/accounts/" + holder.AccountID
		e.Partner("PUT", base+"/features/UCB1", map[string]any{"authorize": true}).WantDetail(t, http.StatusOK, 0, 0)
		e.Partner("PUT", base, map[string]any{"termsAcceptances": []any{map[string]any{"termsIdentifier": "negBal",
			"termsAcceptanceFlag": true, "termsAcceptanceDateTime": time.Now().UTC().Format(time.RFC3339)}}}).
			WantDetail(t, http.StatusOK, 0, 0)
		e.Admin("POST", "/admin/v1/customers/ofac9/sanctionsReview", map[string]any{"decision": "clear",
			"note": "different person"}).Want(t, http.StatusOK)

		// cardUpdate: issued, replaced, status; mailTracking: a delivery status.
		var c1, c2 struct{ PaymentInstrumentIdentifier, PAN string }
		e.Admin("POST", acctPath+"/paymentInstruments", map[string]any{}).Want(t, http.StatusCreated).Decode(t, &c1)
		e.Admin("POST", acctPath+"/paymentInstruments", map[string]any{"embossType": "REP"}).Want(t, http.StatusCreated).Decode(t, &c2)
		e.Admin("PATCH", acctPath+"/paymentInstruments/"+c1.PaymentInstrumentIdentifier, map[string]any{"status": "activated"}).
			Want(t, http.StatusOK)
		e.Admin("POST", acctPath+"/paymentInstruments/"+c2.PaymentInstrumentIdentifier+"/deliveryEvents", map[string]any{
			"deliveryStatusCode": "shipped", "trackingNumber": "9400111899223197428490",
			"occurredAt": time.Now().UTC().Add(time.Second).Format(time.RFC3339)}).Want(t, http.StatusCreated)

		// caseUpdated: an agent's change; transaction: a posting.
		n := careCreate(t, e, s.ProgramCode, careBody(holder.AccountID))
		carePatch(t, e, n, map[string]any{"status": "inProgress", "assignee": "agent.smith"}, http.StatusOK)
		adjust(t, e, holder, "disbursement", "5.00")

		var evs map[string][]map[string]any
		deadline := time.Now().Add(20 * time.Second)
		for {
			evs = eventsOf(t, rc)
			if len(evs[webhook.AccountUpdated]) >= 5 && len(evs[webhook.CardUpdate]) >= 3 && len(evs) >= len(webhook.EventTypes) {
				break
			}
			if time.Now().After(deadline) {
				counts := map[string]int{}
				for k, v := range evs {
					counts[k] = len(v)
				}
				t.Fatalf("events received: %v", counts)
			}
			time.Sleep(50 * time.Millisecond)
		}
		var changes []string
		for _, ev := range evs[webhook.AccountUpdated] {
			changes = append(changes, ev["change"].(string))
		}
		if !slices.Equal(changes, []string{"statusChanged", "statusChanged", "featuresChanged", "termsChanged", "ofacReviewed"}) {
			t.Fatalf("accountUpdated changes %v", changes)
		}
		ofac := evs[webhook.AccountUpdated][4]
		user := path(ofac, "account.accountHolders.0.user")
		if path(user, "last4Identity") != "5678" || path(user, "identityType") != "ssn" ||
			path(user, "kycStateData.ofacStatus") != "passed" || path(user, "userIdentifier") != "ofac9" {
			t.Fatalf("holder after the review: %v", user)
		}
		if f := path(ofac, "account.features"); !slices.Contains(f.([]any), any("UCB1")) {
			t.Fatalf("features %v", f)
		}
		cu := evs[webhook.CustomerUpdated][0]
		if path(cu, "customer.customerIdentifier") != "ofac9" || path(cu, "customer.status") != "Verified" {
			t.Fatalf("customerUpdated %v", cu)
		}
		var cards []string
		for _, ev := range evs[webhook.CardUpdate] {
			cards = append(cards, ev["change"].(string))
		}
		if !slices.Equal(cards, []string{"issued", "replaced", "statusChanged"}) {
			t.Fatalf("cardUpdate changes %v", cards)
		}
		mt := evs[webhook.MailTracking][0]
		if path(mt, "mailTracking.deliveryStatusCode") != "shipped" || path(mt, "mailTracking.estimatedArrivalDate") == nil ||
			path(mt, "mailTracking.paymentInstrumentIdentifier") != c2.PaymentInstrumentIdentifier {
			t.Fatalf("mailTracking %v", mt)
		}
		cs := evs[webhook.CaseUpdated][0]
		if path(cs, "case.caseNumber") != n || path(cs, "case.status") != "inProgress" || path(cs, "case.previousStatus") != "open" {
			t.Fatalf("caseUpdated %v", cs)
		}
		if tx := evs[webhook.Transaction][0]; path(tx, "transaction.amount") != "5.00" {
			t.Fatalf("transaction %v", tx)
		}
		for _, p := range rc.Posts() {
			verifySigned(t, p, sub.Secret)
			assertNoSecrets(t, p.Body, s.PAN, c1.PAN, c2.PAN, ssn, strings.ReplaceAll(ssn, "-", ""))
			var any map[string]any
			if json.Unmarshal(p.Body, &any) != nil {
				t.Fatalf("body is not JSON: %s", p.Body)
			}
		}
	})
}
