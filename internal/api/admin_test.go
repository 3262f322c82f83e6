package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/card"
)

func TestOperatorAPIRequiresAdminToken(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	for _, auth := range []string{"", "Bearer wrong", "Basic " + apitest.AdminToken} {
		var hs []apitest.Header
		if auth != "" {
			hs = append(hs, apitest.Header{Name: "Authorization", Value: auth})
		}
		r := e.Do("POST", "/admin/v1/partners", map[string]any{"name": "x"}, hs...).Want(t, http.StatusUnauthorized)
		if r.Header.Get("Content-Type") != "application/problem+json" || r.JSON(t)["type"] != "https://verdant.dev/problems/unauthorized" {
			t.Fatalf("answer: %s %s", r.Header.Get("Content-Type"), r.Body)
		}
	}
	// A partner token is not an admin token.
	e.Seed()
	e.Partner("GET", "/admin/v1/programs/PROG1", nil).Want(t, http.StatusUnauthorized)
}

func TestOperatorAPIDisabledWithoutToken(t *testing.T) {
	t.Parallel()
	dsn := "sqlite:" + t.TempDir() + "/v.db"
	e := apitest.NewWith(t, dsn, apitest.Options{Configure: func(c *app.Config) { c.AdminToken = "" }})
	r := e.Admin("POST", "/admin/v1/partners", map[string]any{"name": "x"}).Want(t, http.StatusUnauthorized)
	if !strings.Contains(string(r.Body), "disabled") {
		t.Fatalf("answer: %s", r.Body)
	}
}

func TestOperatorValidation(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		acct := "/admin/v1/programs/" + s.ProgramCode + "/accounts/" + s.AccountID
		prog := func(code, partner, bin string, extra map[string]any) map[string]any {
			m := map[string]any{"programCode": code, "partnerId": partner, "name": "n", "bin": bin}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		tests := []struct {
			name, method, path string
			body               any
			status             int
			field              string
		}{
			{"partner name missing", "POST", "/admin/v1/partners", map[string]any{}, 400, "name"},
			{"program code too short", "POST", "/admin/v1/programs", prog("X", s.PartnerID, "499998", nil), 400, "programCode"},
			{"program code bad chars", "POST", "/admin/v1/programs", prog("AB CD", s.PartnerID, "499998", nil), 400, "programCode"},
			{"program bin", "POST", "/admin/v1/programs", prog("NEW1", s.PartnerID, "4999", nil), 400, "bin"},
			{"program unknown partner", "POST", "/admin/v1/programs", prog("NEW1", "no-such-partner", "499998", nil), 404, "partnerId"},
			{"program duplicate", "POST", "/admin/v1/programs", prog(s.ProgramCode, s.PartnerID, "499998", nil), 409, "programCode"},
			{"program unknown feature", "POST", "/admin/v1/programs", prog("NEW1", s.PartnerID, "499998", map[string]any{"features": []string{"NB999"}}), 400, "features"},
			{"program unknown adjustment", "POST", "/admin/v1/programs", prog("NEW1", s.PartnerID, "499998", map[string]any{"adjustmentTypes": []string{"steal"}}), 400, "adjustmentTypes"},
			{"program wrong type", "POST", "/admin/v1/programs", `{"programCode":5}`, 400, "programCode"},
			{"unknown program", "GET", "/admin/v1/programs/NOPE", nil, 404, ""},
			{"account holder missing", "POST", "/admin/v1/programs/" + s.ProgramCode + "/accounts", map[string]any{}, 400, "holder.firstName"},
			{"account bad zip", "POST", "/admin/v1/programs/" + s.ProgramCode + "/accounts", map[string]any{"holder": map[string]any{"firstName": "a", "lastName": "b", "zipCode": "9110"}}, 400, "holder.zipCode"},
			{"account bad status", "PATCH", acct, map[string]any{"status": "frozen"}, 400, "status"},
			{"account id not uuid", "GET", "/admin/v1/programs/" + s.ProgramCode + "/accounts/123", nil, 400, "accountIdentifier"},
			{"account unknown", "GET", "/admin/v1/programs/" + s.ProgramCode + "/accounts/00000000-0000-0000-0000-000000000000", nil, 404, ""},
			{"card bad luhn", "POST", acct + "/paymentInstruments", map[string]any{"pan": "4111111111111112"}, 400, "pan"},
			{"card other issuer", "POST", acct + "/paymentInstruments", map[string]any{"pan": "4111111111111111"}, 400, "pan"},
			{"card bad expiry", "POST", acct + "/paymentInstruments", map[string]any{"expiryYear": "30", "expiryMonth": "01"}, 400, "expiryYear"},
			{"card bad type", "POST", acct + "/paymentInstruments", map[string]any{"type": "plastic"}, 400, "type"},
			{"card bad status", "PATCH", acct + "/paymentInstruments/" + s.CardID, map[string]any{"status": "lost"}, 400, "status"},
			{"card id not uuid", "PATCH", acct + "/paymentInstruments/abc", map[string]any{"status": "blocked"}, 400, "paymentInstrumentIdentifier"},
			{"malformed json", "POST", "/admin/v1/partners", `{"name":`, 400, ""},
			{"program patch read-only field", "PATCH", "/admin/v1/programs/" + s.ProgramCode, map[string]any{"programCode": "NEW"}, 400, "programCode"},
			{"program patch misspelt field", "PATCH", "/admin/v1/programs/" + s.ProgramCode, map[string]any{"feature": []string{"NB100"}}, 400, "feature"},
			{"account patch unknown field", "PATCH", acct, map[string]any{"status": "locked", "holder": map[string]any{}}, 400, "holder"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.Admin(tt.method, tt.path, tt.body).Want(t, tt.status)
				p := r.JSON(t)
				if tt.field != "" && p["field"] != tt.field {
					t.Fatalf("field = %v: %s", p["field"], r.Body)
				}
			})
		}
		// Nothing was stored by the failed calls.
		e.Admin("GET", "/admin/v1/programs/NEW1", nil).Want(t, http.StatusNotFound)
	})
}

func TestOperatorCardsAndAccounts(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		if !card.ValidPAN(s.PAN) || !strings.HasPrefix(s.PAN, "499998") {
			t.Fatalf("generated PAN %q", s.PAN)
		}
		acct := "/admin/v1/programs/" + s.ProgramCode + "/accounts/" + s.AccountID
		// A given PAN of the program's bin, a past expiry (imported card) and a virtual card.
		var c map[string]any
		imported := card.NewPAN("499998")
		e.Admin("POST", acct+"/paymentInstruments", map[string]any{"pan": imported, "expiryYear": "2020",
			"expiryMonth": "03", "type": "virtual"}).Want(t, http.StatusCreated).Decode(t, &c)
		if c["last4Pan"] != imported[12:] || c["bin"] != "499998" || c["status"] != "activated" || c["expiryYear"] != "2020" {
			t.Fatalf("card: %v", c)
		}
		r := e.Admin("PATCH", acct+"/paymentInstruments/"+c["paymentInstrumentIdentifier"].(string), map[string]any{"status": "blocked"}).Want(t, http.StatusOK)
		if strings.Contains(string(r.Body), imported) || r.JSON(t)["status"] != "blocked" {
			t.Fatalf("patch answer: %s", r.Body)
		}
		e.Admin("PATCH", acct, map[string]any{"status": "locked"}).Want(t, http.StatusOK)
		if got := e.Admin("GET", acct, nil).Want(t, http.StatusOK).JSON(t)["status"]; got != "locked" {
			t.Fatalf("status = %v", got)
		}
		// The partner view never shows a full PAN.
		body := string(e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID, nil).Want(t, http.StatusOK).Body)
		if strings.Contains(body, s.PAN) || strings.Contains(body, imported) {
			t.Fatalf("full PAN in partner answer: %s", body)
		}
		// Paging accounts.
		for i := 0; i < 3; i++ {
			e.OpenAccount(s.ProgramCode, "normal")
		}
		var page struct {
			Accounts []map[string]any
			Next     string
		}
		e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/accounts?limit=2", nil).Want(t, http.StatusOK).Decode(t, &page)
		if len(page.Accounts) != 2 || page.Next == "" {
			t.Fatalf("page 1: %+v", page)
		}
		e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/accounts?limit=2&after="+page.Next, nil).Want(t, http.StatusOK).Decode(t, &page)
		if len(page.Accounts) != 2 {
			t.Fatalf("page 2: %+v", page)
		}
		e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/accounts?limit=500", nil).Want(t, http.StatusBadRequest)
		// Program patch.
		p := e.Admin("PATCH", "/admin/v1/programs/"+s.ProgramCode, map[string]any{"features": []string{"nb100", "UCB1"}}).Want(t, http.StatusOK).JSON(t)
		if f := p["features"].([]any); len(f) != 2 || f[0] != "NB100" {
			t.Fatalf("features spelled as the catalogue: %v", f)
		}
	})
}
