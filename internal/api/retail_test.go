package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/ledger"
)

// retailWorld is a seeded partner with reload settings and a merchant
// network: merchant FSCC0342 (fee 2.00), store CC970, blocked store
// BLK1, user cashier@store.example and inactive user gone@store.example.
type retailWorld struct {
	apitest.Seed
	n int
}

const merchant = "FSCC0342"

func seedRetail(t *testing.T, e *apitest.Env) *retailWorld {
	t.Helper()
	s := e.Seed()
	e.Admin("PATCH", "/admin/v1/programs/"+s.ProgramCode, map[string]any{"reload": map[string]any{
		"reloadFee": "3.95", "minLoadAmount": 20, "maxLoadAmount": "500.00", "dailyLoadLimit": "1000"}}).Want(t, http.StatusOK)
	e.Admin("POST", "/admin/v1/merchants", map[string]any{"merchantId": merchant, "partnerId": s.PartnerID,
		"name": "Corner Store", "merchantFee": 2.00, "enabled": true}).Want(t, http.StatusCreated)
	e.Admin("POST", "/admin/v1/merchants/"+merchant+"/stores", map[string]any{"storeId": "CC970"}).Want(t, http.StatusCreated)
	e.Admin("POST", "/admin/v1/merchants/"+merchant+"/stores", map[string]any{"storeId": "BLK1", "blocked": true}).Want(t, http.StatusCreated)
	e.Admin("POST", "/admin/v1/merchants/"+merchant+"/users", map[string]any{"userId": "cashier@store.example"}).Want(t, http.StatusCreated)
	e.Admin("POST", "/admin/v1/merchants/"+merchant+"/users", map[string]any{"userId": "gone@store.example", "active": false}).Want(t, http.StatusCreated)
	return &retailWorld{Seed: s}
}

// body is the page's success request for the seeded card.
func (w *retailWorld) body() map[string]any {
	return map[string]any{
		"accountIdentifier": "", "accountNumber": w.PAN, "paymentProgramType": "Regular", "transactionAmount": 20.00,
		"metadata": map[string]any{"storeId": "CC970", "merchantId": merchant, "userId": "cashier@store.example",
			"requestDateTime": "2023-09-28T00:56:25Z", "registerId": "01"},
	}
}

func (w *retailWorld) md(b map[string]any) map[string]any { return b["metadata"].(map[string]any) }

// call posts /card/details with a fresh request id unless one is given.
func (w *retailWorld) call(e *apitest.Env, body any, reqID ...string) *apitest.Response {
	e.T.Helper()
	id := "req-" + uuid.NewString()[:8]
	if len(reqID) > 0 {
		id = reqID[0]
	}
	return e.Partner("POST", "/card/details", body, apitest.Header{Name: "X-GD-RequestId", Value: id})
}

var responseDateRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)

// wantRetail checks the status, the code in body and header, the
// description, the echoed request id and a fresh response id.
func wantRetail(t *testing.T, r *apitest.Response, status, code int, desc string) map[string]any {
	t.Helper()
	r.Want(t, status)
	b := r.JSON(t)
	md := b["metadata"].(map[string]any)
	if md["responseCode"] != float64(code) || md["responseDescription"] != desc {
		t.Fatalf("metadata = %v, want %d %q", md, code, desc)
	}
	if r.Header.Get("X-GD-ResponseCode") != itoa(code) {
		t.Fatalf("X-GD-ResponseCode = %q, want %d", r.Header.Get("X-GD-ResponseCode"), code)
	}
	if _, err := uuid.Parse(r.Header.Get("X-GD-ResponseId")); err != nil || md["responseId"] != r.Header.Get("X-GD-ResponseId") {
		t.Fatalf("X-GD-ResponseId %q, metadata.responseId %v", r.Header.Get("X-GD-ResponseId"), md["responseId"])
	}
	if md["requestId"] != r.Header.Get("X-GD-RequestId") {
		t.Fatalf("requestId %v not echoed (%q)", md["requestId"], r.Header.Get("X-GD-RequestId"))
	}
	if !responseDateRE.MatchString(md["responseDateTime"].(string)) {
		t.Fatalf("responseDateTime %v", md["responseDateTime"])
	}
	for _, k := range []string{"availableBalance", "reloadFee", "merchantFee", "maxAllowedAmount", "minAllowedAmount", "cardType"} {
		if _, ok := b[k]; !ok {
			t.Fatalf("%s missing (must be present, null when empty): %s", k, r.Body)
		}
	}
	return b
}

func itoa(n int) string { return strconv.Itoa(n) }

func wantNulls(t *testing.T, b map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if b[k] != nil {
			t.Fatalf("%s = %v, want null", k, b[k])
		}
	}
}

func TestCardDetailsSuccess(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e)
		b := wantRetail(t, w.call(e, w.body(), "test101"), http.StatusOK, 0, "Success")
		if b["availableBalance"] != "0.00" || b["reloadFee"] != "3.95" || b["merchantFee"] != "2.00" || b["cardType"] != "Normal" {
			t.Fatalf("success body: %v", b)
		}
		wantNulls(t, b, "minAllowedAmount", "maxAllowedAmount")
		// By accountIdentifier, amount as a string; the ledger's available
		// balance, which a validation never moves.
		adjust(t, e, w.Seed, "instructionCredit", "20.25")
		body := w.body()
		body["accountNumber"], body["accountIdentifier"], body["transactionAmount"] = "", w.AccountID, "20.50"
		b = wantRetail(t, w.call(e, body), http.StatusOK, 0, "Success")
		if b["availableBalance"] != "20.25" {
			t.Fatalf("availableBalance = %v", b["availableBalance"])
		}
		if got := balance(t, e, w.Seed); got != "20.25" {
			t.Fatalf("a validation moved money: balance %s", got)
		}
		// Both given and designating different accounts: not found.
		body["accountNumber"] = w.PAN
		body["accountIdentifier"] = e.OpenAccount(w.ProgramCode, "normal")
		wantNulls(t, wantRetail(t, w.call(e, body), http.StatusOK, 110, "Account Not Found."), "availableBalance")
	})
}

type brokenBalance struct{}

func (brokenBalance) Balance(context.Context, string) (ledger.Balance, error) {
	return ledger.Balance{}, errors.New("ledger unavailable")
}

func TestCardDetailsInvalidParameter(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e)
		long := func(n int) string { return strings.Repeat("x", n) }
		for _, tc := range []struct {
			msg    string
			reqID  string
			mutate func(b, md map[string]any)
		}{
			{"RequestId is required", "", nil},
			{"RequestId is too long", long(51), nil},
			{"RequestDateTime is required", "", func(b, md map[string]any) { delete(md, "requestDateTime") }},
			{"RequestDateTime must be in the format YYYY-MM-DDTHH:mm:ssZ", "", func(b, md map[string]any) { md["requestDateTime"] = "2023-09-28 00:56:25" }},
			{"The field RegisterId must be a string or array type with a maximum length of '20'.", "", func(b, md map[string]any) { md["registerId"] = long(21) }},
			{"UserId is required", "", func(b, md map[string]any) { md["userId"] = "" }},
			{"UserId is too long", "", func(b, md map[string]any) { md["userId"] = long(51) }},
			{"StoreId is required", "", func(b, md map[string]any) { delete(md, "storeId") }},
			{"StoreId is too long", "", func(b, md map[string]any) { md["storeId"] = long(21) }},
			{"MerchantId is required", "", func(b, md map[string]any) { md["merchantId"] = "" }},
			{"MerchantId is too long", "", func(b, md map[string]any) { md["merchantId"] = long(21) }},
			{"Metadata fields must not contain control characters", "", func(b, md map[string]any) { md["storeId"] = "CC\x00970" }},
			{"Either AccountNumber or AccountIdentifier is required", "", func(b, md map[string]any) { b["accountNumber"] = "" }},
			{"Invalid length of AccountNumber", "", func(b, md map[string]any) { b["accountNumber"] = "534456000081624" }},
			{"AccountIdentifier must be a GUID", "", func(b, md map[string]any) { b["accountNumber"], b["accountIdentifier"] = "", "nope" }},
			{"TransactionAmount should be greater than zero", "", func(b, md map[string]any) { b["transactionAmount"] = 0 }},
			{"TransactionAmount should be greater than zero", "", func(b, md map[string]any) { b["transactionAmount"] = "-5.00" }},
			{"TransactionAmount should be greater than zero", "", func(b, md map[string]any) { delete(b, "transactionAmount") }},
			{"TransactionAmount must have at most 2 decimal places", "", func(b, md map[string]any) { b["transactionAmount"] = "20.001" }},
			{"PaymentProgramType is required", "", func(b, md map[string]any) { delete(b, "paymentProgramType") }},
			{"PaymentProgramType must be Regular or CheckCashing", "", func(b, md map[string]any) { b["paymentProgramType"] = "Cash" }},
		} {
			t.Run(tc.msg, func(t *testing.T) {
				body := w.body()
				if tc.mutate != nil {
					tc.mutate(body, w.md(body))
				}
				var r *apitest.Response
				if tc.reqID != "" || tc.mutate == nil {
					r = w.call(e, body, tc.reqID)
				} else {
					r = w.call(e, body)
				}
				wantNulls(t, wantRetail(t, r, http.StatusBadRequest, 100, tc.msg), "availableBalance", "reloadFee", "merchantFee", "cardType")
			})
		}
		r := w.call(e, `{"accountNumber": 5344560000816246}`)
		wantRetail(t, r, http.StatusBadRequest, 100, "accountNumber must be a string, not a number")
		wantRetail(t, w.call(e, `{not json`), http.StatusBadRequest, 100, "malformed JSON at offset 2")
	})
}

func TestCardDetailsBusinessCodes(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e)
		other := e.Seed(apitest.ProgramSpec{Code: "OTHER"}) // e.Token is now the other partner's
		e.Admin("POST", "/admin/v1/merchants", map[string]any{"merchantId": "OTHERM", "partnerId": other.PartnerID,
			"name": "Other", "merchantFee": "1.00"}).Want(t, http.StatusCreated)
		e.Token = e.TokenFor(w.ClientID, w.ClientSecret)
		e.Admin("POST", "/admin/v1/merchants", map[string]any{"merchantId": "OFF", "partnerId": w.PartnerID,
			"name": "Disabled", "merchantFee": "1.00", "enabled": false}).Want(t, http.StatusCreated)
		e.Admin("POST", "/admin/v1/merchants", map[string]any{"merchantId": "NOFEE", "partnerId": w.PartnerID,
			"name": "No fee"}).Want(t, http.StatusCreated)
		e.Admin("POST", "/admin/v1/merchants/NOFEE/stores", map[string]any{"storeId": "CC970"}).Want(t, http.StatusCreated)
		e.Admin("POST", "/admin/v1/merchants/NOFEE/users", map[string]any{"userId": "cashier@store.example"}).Want(t, http.StatusCreated)
		byID := func(id string) func(b, md map[string]any) {
			return func(b, md map[string]any) { b["accountNumber"], b["accountIdentifier"] = "", id }
		}
		blocked := e.OpenAccount(w.ProgramCode, "normal")
		var bc struct{ PaymentInstrumentIdentifier, PAN string }
		e.Admin("POST", "/admin/v1/programs/"+w.ProgramCode+"/accounts/"+blocked+"/paymentInstruments", map[string]any{}).
			Want(t, http.StatusCreated).Decode(t, &bc)
		e.Admin("PATCH", "/admin/v1/programs/"+w.ProgramCode+"/accounts/"+blocked+"/paymentInstruments/"+bc.PaymentInstrumentIdentifier,
			map[string]any{"status": "blocked"}).Want(t, http.StatusOK)

		for _, tc := range []struct {
			name   string
			code   int
			desc   string
			mutate func(b, md map[string]any)
		}{
			{"closed", 110, "AccountStatus is Closed.", byID(e.OpenAccount(w.ProgramCode, "closed"))},
			{"pending", 110, "AccountStatus is Pending.", byID(e.OpenAccount(w.ProgramCode, "pending"))},
			{"locked", 110, "AccountStatus is Locked.", byID(e.OpenAccount(w.ProgramCode, "locked"))},
			{"restricted", 110, "Account Status is Restricted", byID(e.OpenAccount(w.ProgramCode, "restricted"))},
			{"unknown account", 110, "Account Not Found.", byID("6287287e-b79f-4458-8830-cc5edd9d7378")},
			{"unknown PAN", 110, "Account Not Found.", func(b, md map[string]any) { b["accountNumber"] = "5344560000816246" }},
			{"another partner's account", 110, "Account Not Found.", byID(other.AccountID)},
			{"card blocked", 110, "This account is in a restricted state that does not allow inbound or internal transfers.",
				func(b, md map[string]any) { b["accountNumber"] = bc.PAN }},
			{"unknown merchant", 130, "InvalidMerchant", func(b, md map[string]any) { md["merchantId"] = "NOSUCH" }},
			{"disabled merchant", 130, "InvalidMerchant", func(b, md map[string]any) { md["merchantId"] = "OFF" }},
			{"another partner's merchant", 130, "InvalidMerchant", func(b, md map[string]any) { md["merchantId"] = "OTHERM" }},
			{"merchant without a fee", 600, "Unable to process request due to fee split not set and downstream error.",
				func(b, md map[string]any) { md["merchantId"] = "NOFEE" }},
			{"unknown store", 800, "Store was not found", func(b, md map[string]any) { md["storeId"] = "NOPE" }},
			{"blocked store", 801, "The store is blocked", func(b, md map[string]any) { md["storeId"] = "BLK1" }},
			{"unknown user", 861, "User is not found.", func(b, md map[string]any) { md["userId"] = "nobody" }},
			{"inactive user", 862, "User is not active.", func(b, md map[string]any) { md["userId"] = "gone@store.example" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := w.body()
				tc.mutate(body, w.md(body))
				b := wantRetail(t, w.call(e, body), http.StatusOK, tc.code, tc.desc)
				wantNulls(t, b, "merchantFee", "minAllowedAmount", "maxAllowedAmount", "cardType")
				if tc.code != 600 {
					wantNulls(t, b, "availableBalance", "reloadFee")
				} else if b["availableBalance"] != "0.00" || b["reloadFee"] != "3.95" {
					t.Fatalf("600 keeps the balance and the program's configured reload fee: %v", b)
				}
			})
		}

		// Operator lookups with identifiers that cannot exist are 404, never 500.
		e.Admin("GET", "/admin/v1/merchants/%00", nil).Want(t, http.StatusNotFound)
		e.Admin("PATCH", "/admin/v1/merchants/"+merchant+"/stores/%00", map[string]any{"blocked": true}).Want(t, http.StatusNotFound)
		e.Admin("POST", "/admin/v1/merchants", map[string]any{"merchantId": "M2", "partnerId": "p\x00", "name": "x"}).Want(t, http.StatusBadRequest)

		// Program not reloadable: 110 AccountNotFound; then no reload fee: 600.
		e.Admin("PATCH", "/admin/v1/programs/"+w.ProgramCode, map[string]any{"reload": map[string]any{"enabled": false}}).Want(t, http.StatusOK)
		wantRetail(t, w.call(e, w.body()), http.StatusOK, 110, "AccountNotFound")
		r := e.Admin("PATCH", "/admin/v1/programs/"+w.ProgramCode, map[string]any{"reload": map[string]any{"enabled": true, "reloadFee": nil}}).Want(t, http.StatusOK)
		if rl := r.JSON(t)["reload"].(map[string]any); rl["reloadFee"] != nil || rl["enabled"] != true || rl["minLoadAmount"] != "20.00" {
			t.Fatalf("reload settings: %v", rl)
		}
		b := wantRetail(t, w.call(e, w.body()), http.StatusOK, 600, "Unable to process request due to fee split not set and downstream error.")
		if b["merchantFee"] != "2.00" || b["reloadFee"] != nil || b["availableBalance"] != "0.00" {
			t.Fatalf("600 without a reload fee keeps the merchant's fee: %v", b)
		}
		// A zero reload fee is configured: answered "0.00", never null.
		e.Admin("PATCH", "/admin/v1/programs/"+w.ProgramCode, map[string]any{"reload": map[string]any{"reloadFee": "0.00"}}).Want(t, http.StatusOK)
		body := w.body()
		w.md(body)["merchantId"] = "NOFEE"
		b = wantRetail(t, w.call(e, body), http.StatusOK, 600, "Unable to process request due to fee split not set and downstream error.")
		if b["reloadFee"] != "0.00" || b["merchantFee"] != nil {
			t.Fatalf("600 with a 0.00 reload fee: %v", b)
		}

		// An internal failure (the ledger is down): 1000, HTTP 500.
		e.Admin("PATCH", "/admin/v1/programs/"+w.ProgramCode, map[string]any{"reload": map[string]any{"reloadFee": "3.95"}}).Want(t, http.StatusOK)
		e.App.Server.Balances = brokenBalance{}
		b = wantRetail(t, w.call(e, w.body()), http.StatusInternalServerError, 1000, "Service failure.")
		if strings.Contains(string(mustJSON(b)), "ledger") {
			t.Fatalf("internal cause leaked: %v", b)
		}
	})
}

func TestCardDetailsLoadLimits(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e) // 20.00 to 500.00 a load, 1000.00 a day
		body := func(amount any) map[string]any {
			b := w.body()
			b["transactionAmount"] = amount
			return b
		}
		b := wantRetail(t, w.call(e, body("500.01")), http.StatusOK, 700, "The transaction amount does not pass load limit verification.")
		if b["minAllowedAmount"] != "20.00" || b["maxAllowedAmount"] != "500.00" || b["reloadFee"] != "3.95" {
			t.Fatalf("700 over the per-load maximum: %v", b)
		}
		b = wantRetail(t, w.call(e, body(19.99)), http.StatusOK, 700, "The transaction amount does not pass load limit verification.")
		if b["minAllowedAmount"] != "20.00" {
			t.Fatalf("700 under the minimum: %v", b)
		}
		wantRetail(t, w.call(e, body(500)), http.StatusOK, 0, "Success")
		wantRetail(t, w.call(e, body(400)), http.StatusOK, 0, "Success")
		// 900.00 approved today: 100.01 breaks the daily limit, 100.00 remains.
		b = wantRetail(t, w.call(e, body("100.01")), http.StatusOK, 700, "Exceeds account daily load limit")
		if b["minAllowedAmount"] != "20.00" || b["maxAllowedAmount"] != "100.00" {
			t.Fatalf("700 over the daily limit: %v", b)
		}
		wantRetail(t, w.call(e, body(100)), http.StatusOK, 0, "Success")
		// The next UTC day starts afresh.
		e.Clock.Advance(24 * 60 * 60 * 1e9)
		e.Token = e.TokenFor(w.ClientID, w.ClientSecret)
		wantRetail(t, w.call(e, body(500)), http.StatusOK, 0, "Success")
	})
}

func TestCardDetailsDuplicateRequestAndAudit(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e)
		first := wantRetail(t, w.call(e, w.body(), "dup-1"), http.StatusOK, 0, "Success")
		again := wantRetail(t, w.call(e, w.body(), "dup-1"), http.StatusOK, 0, "Success")
		if string(mustJSON(first)) != string(mustJSON(again)) {
			t.Fatalf("a replay must answer the first answer:\n%v\n%v", first, again)
		}
		other := w.body()
		other["transactionAmount"] = 30
		wantRetail(t, w.call(e, other, "dup-1"), http.StatusBadRequest, 100, "RequestId has already been used for a different request")
		// A replay was not counted twice against the daily limit.
		var approved int
		if err := e.App.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM retail_validations WHERE approved = ?`, true).Scan(&approved); err != nil {
			t.Fatal(err)
		}
		if approved != 1 {
			t.Fatalf("%d approved validations, want 1", approved)
		}
		// Every request is kept, failures included, and never with the full PAN.
		bad := w.body()
		w.md(bad)["storeId"] = "NOPE"
		wantRetail(t, w.call(e, bad), http.StatusOK, 800, "Store was not found")
		rows, err := e.App.DB.Query(context.Background(), `SELECT merchant_id, request_id, store_id, user_id, register_id,
			account_id, last4, response_body, response_description, fingerprint FROM retail_validations`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			cols := make([]any, 10)
			for i := range cols {
				cols[i] = new(any)
			}
			if err := rows.Scan(cols...); err != nil {
				t.Fatal(err)
			}
			for _, c := range cols {
				if v := *(c.(*any)); v != nil && strings.Contains(toString(v), w.PAN) {
					t.Fatalf("full PAN stored in the audit: %v", v)
				}
			}
			n++
		}
		if n != 2 {
			t.Fatalf("%d audit rows, want 2", n)
		}
	})
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// Concurrent validations of one account never approve more than the daily
// load limit (the account row lock; on SQLite, inside a shared commit).
func TestCardDetailsDailyLimitUnderConcurrency(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e) // 1000.00 a day
		body, _ := json.Marshal(func() map[string]any { b := w.body(); b["transactionAmount"] = "200.00"; return b }())
		codes := make(chan string, 12)
		var wg sync.WaitGroup
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				req, _ := http.NewRequest("POST", e.URL+"/card/details", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+e.Token)
				req.Header.Set("X-GD-RequestId", "conc-"+strconv.Itoa(i))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					codes <- err.Error()
					return
				}
				resp.Body.Close()
				codes <- resp.Header.Get("X-GD-ResponseCode")
			}(i)
		}
		wg.Wait()
		close(codes)
		count := map[string]int{}
		for c := range codes {
			count[c]++
		}
		if count["0"] != 5 || count["700"] != 7 {
			t.Fatalf("answers %v, want 5 approved and 7 declined 700", count)
		}
	})
}

// An authentication failure is HTTP 401 with responseCode 401 (a code the
// page's table does not list) in the retail envelope, both headers set.
func TestCardDetailsUnauthorized(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e)
		for _, token := range []string{"", "Bearer not-a-token"} {
			hs := []apitest.Header{{Name: "X-GD-RequestId", Value: "auth-1"}}
			if token != "" {
				hs = append(hs, apitest.Header{Name: "Authorization", Value: token})
			}
			r := e.Do("POST", "/card/details", w.body(), hs...).Want(t, http.StatusUnauthorized)
			b := r.JSON(t)
			md := b["metadata"].(map[string]any)
			if md["responseCode"] != float64(401) || r.Header.Get("X-GD-ResponseCode") != "401" || md["requestId"] != "auth-1" {
				t.Fatalf("401 answer: %s %v", r.Body, r.Header)
			}
			if _, err := uuid.Parse(r.Header.Get("X-GD-ResponseId")); err != nil || md["responseId"] != r.Header.Get("X-GD-ResponseId") {
				t.Fatalf("X-GD-ResponseId %q, metadata.responseId %v", r.Header.Get("X-GD-ResponseId"), md["responseId"])
			}
			wantNulls(t, b, "availableBalance", "reloadFee", "merchantFee", "maxAllowedAmount", "minAllowedAmount", "cardType")
		}
	})
}
