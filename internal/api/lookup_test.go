package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

func issueCard(t *testing.T, e *apitest.Env, prog, acct string, body map[string]any) (id, pan string) {
	t.Helper()
	var c struct{ PaymentInstrumentIdentifier, PAN string }
	e.Admin("POST", "/admin/v1/programs/"+prog+"/accounts/"+acct+"/paymentInstruments", body).Want(t, http.StatusCreated).Decode(t, &c)
	return c.PaymentInstrumentIdentifier, c.PAN
}

func wantLookupError(t *testing.T, r *apitest.Response, status int, code string) {
	t.Helper()
	r.Want(t, status)
	if got := r.JSON(t); got["errorCode"] != code || got["errorMessage"] == "" {
		t.Fatalf("want %s: %s", code, r.Body)
	}
}

func TestCustomerLookup(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		const path = "/customers/accounts/search"
		retailer := map[string]any{"storeNumber": "0042", "storeName": "Main St", "stateCode": "ca", "latitude": 2.2, "longitude": -1.1}
		r := e.Partner("POST", path, map[string]any{"accountNumber": s.PAN, "retailer": retailer}).Want(t, http.StatusOK).JSON(t)
		if r["customerId"] != s.AccountID || r["accountId"] != s.AccountID || r["firstName"] != "Jack" ||
			r["lastName"] != "White" || r["zipCode"] != "91107" || len(r["expiryYear"].(string)) != 4 || len(r["expiryMonth"].(string)) != 2 {
			t.Fatalf("lookup: %v", r)
		}
		// A holder with a customer id answers it (the id of the partner's
		// customer profile, which must exist first).
		e.Partner("POST", "/customers/0033B00000ToKB8QAN", map[string]any{"firstname": "Nancy", "lastname": "Yang",
			"zipcode": "02110"}).Want(t, http.StatusOK)
		var a struct{ AccountIdentifier string }
		e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/accounts", map[string]any{"holder": map[string]any{
			"firstName": "Nancy", "lastName": "Yang", "zipCode": "02110", "customerId": "0033B00000ToKB8QAN"}}).Want(t, http.StatusCreated).Decode(t, &a)
		_, pan2 := issueCard(t, e, s.ProgramCode, a.AccountIdentifier, map[string]any{"expiryYear": "2099", "expiryMonth": "01"})
		r = e.Partner("POST", path, map[string]any{"accountNumber": pan2}).Want(t, http.StatusOK).JSON(t)
		if r["customerId"] != "0033B00000ToKB8QAN" || r["accountId"] != a.AccountIdentifier || r["zipCode"] != "02110" ||
			r["expiryYear"] != "2099" || r["expiryMonth"] != "01" {
			t.Fatalf("lookup with customer id: %v", r)
		}

		wantLookupError(t, e.Partner("POST", path, map[string]any{"accountNumber": "4999980000000000"}), 404, "ACCOUNT_NOT_FOUND")
		_, expired := issueCard(t, e, s.ProgramCode, s.AccountID, map[string]any{"expiryYear": "2020", "expiryMonth": "01", "type": "virtual"})
		wantLookupError(t, e.Partner("POST", path, map[string]any{"accountNumber": expired}), 404, "ACCOUNT_EXPIRED")

		blockedID, blocked := issueCard(t, e, s.ProgramCode, s.AccountID, map[string]any{"type": "virtual"})
		e.Admin("PATCH", "/admin/v1/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/paymentInstruments/"+blockedID,
			map[string]any{"status": "blocked"}).Want(t, http.StatusOK)
		wantLookupError(t, e.Partner("POST", path, map[string]any{"accountNumber": blocked}), 404, "ACCOUNT_BLOCKED")
		e.Admin("PATCH", "/admin/v1/programs/"+s.ProgramCode+"/accounts/"+a.AccountIdentifier, map[string]any{"status": "locked"}).Want(t, http.StatusOK)
		wantLookupError(t, e.Partner("POST", path, map[string]any{"accountNumber": pan2}), 404, "ACCOUNT_BLOCKED")

		// Bad input: 400 in the lookup envelope.
		for _, body := range []any{
			map[string]any{}, map[string]any{"accountNumber": ""}, map[string]any{"accountNumber": "12ab"},
			map[string]any{"accountNumber": 4111111111111111}, `{"accountNumber":`,
			map[string]any{"accountNumber": s.PAN, "retailer": map[string]any{"latitude": 91}},
			map[string]any{"accountNumber": s.PAN, "retailer": map[string]any{"longitude": -180.5}},
			map[string]any{"accountNumber": s.PAN, "retailer": map[string]any{"stateCode": "CAL"}},
			map[string]any{"accountNumber": s.PAN, "retailer": map[string]any{"storeName": strings.Repeat("x", 101)}},
			map[string]any{"accountNumber": s.PAN, "retailer": map[string]any{"latitude": "north"}},
		} {
			wantLookupError(t, e.Partner("POST", path, body), 400, "INVALID_REQUEST")
		}
		// A bad token is 401 AUTHORIZATION_FAILED.
		wantLookupError(t, e.Do("POST", path, map[string]any{"accountNumber": s.PAN}, apitest.Header{Name: "Authorization", Value: "Bearer nope"}), 401, "AUTHORIZATION_FAILED")
		wantLookupError(t, e.Do("POST", path, map[string]any{"accountNumber": s.PAN}), 401, "AUTHORIZATION_FAILED")

		// The audit log has every lookup, with the retailer, never the PAN.
		logs, err := e.App.Server.Lookup.Store.Lookups(context.Background(), s.PartnerID, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(logs) != 6 {
			t.Fatalf("lookup log has %d rows, want 6", len(logs))
		}
		first := logs[len(logs)-1]
		if first.Outcome != "FOUND" || first.Last4 != s.PAN[12:] || first.Retailer.StoreNumber != "0042" ||
			first.Retailer.StateCode != "CA" || first.Retailer.Latitude != "2.2" || first.Retailer.Longitude != "-1.1" {
			t.Fatalf("first lookup logged as %+v", first)
		}
		var api struct{ Lookups []map[string]any }
		e.Admin("GET", "/admin/v1/partners/"+s.PartnerID+"/customerLookups?limit=2", nil).Want(t, http.StatusOK).Decode(t, &api)
		if len(api.Lookups) != 2 || api.Lookups[0]["outcome"] != "ACCOUNT_BLOCKED" {
			t.Fatalf("operator lookup log: %+v", api.Lookups)
		}
		e.Admin("GET", "/admin/v1/partners/"+s.PartnerID+"/customerLookups?limit=0", nil).Want(t, http.StatusBadRequest)
		var dump strings.Builder
		rows, _ := e.App.DB.Query(context.Background(), `SELECT id || outcome || card_id || last4 || store_number || store_name FROM customer_lookups`)
		for rows.Next() {
			var v string
			rows.Scan(&v)
			dump.WriteString(v)
		}
		rows.Close()
		if strings.Contains(dump.String(), s.PAN) {
			t.Fatal("the lookup log holds a full PAN")
		}

		// A query past the timeout answers GATEWAY_TIMEOUT (and is logged).
		e.App.Server.Lookup.Timeout = 1
		wantLookupError(t, e.Partner("POST", path, map[string]any{"accountNumber": s.PAN}), 503, "GATEWAY_TIMEOUT")
		e.App.Server.Lookup.Timeout = 0
		if logs, _ := e.App.Server.Lookup.Store.Lookups(context.Background(), s.PartnerID, 1); len(logs) != 1 || logs[0].Outcome != "GATEWAY_TIMEOUT" {
			t.Fatalf("timeout logged as %+v", logs)
		}

		// Another partner does not find this partner's cards.
		e.Seed(apitest.ProgramSpec{Code: "OTHER"})
		wantLookupError(t, e.Partner("POST", path, map[string]any{"accountNumber": s.PAN}), 404, "ACCOUNT_NOT_FOUND")
	})
}

// The lookup page lists 200, 400, 401 and 404 as its answers and requires
// Content-Type application/json: a missing or wrong one is 400
// INVALID_REQUEST (not 415), as is a body over the size limit (not 413).
func TestCustomerLookupContentType(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		send := func(contentType, body string) *apitest.Response {
			req, _ := http.NewRequest("POST", e.URL+"/customers/accounts/search", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+e.Token)
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			return e.Send(req)
		}
		body := `{"accountNumber":"` + s.PAN + `"}`
		for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/problem+json", "json"} {
			wantLookupError(t, send(ct, body), http.StatusBadRequest, "INVALID_REQUEST")
		}
		send("application/json; charset=utf-8", body).Want(t, http.StatusOK)
		big := `{"accountNumber":"` + s.PAN + `","retailer":{"storeName":"` + strings.Repeat("x", 2<<20) + `"}}`
		wantLookupError(t, send("application/json", big), http.StatusBadRequest, "INVALID_REQUEST")
	})
}
