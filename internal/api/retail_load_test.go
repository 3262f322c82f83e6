package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apitest"
)

// validate answers the responseId of an approved validation of amount.
func (w *retailWorld) validate(t *testing.T, e *apitest.Env, amount any) string {
	t.Helper()
	b := w.body()
	b["transactionAmount"] = amount
	return w.md(wantRetail(t, w.call(e, b), http.StatusOK, 0, "Success"))["responseId"].(string)
}

// loadBody is a load (field validationResponseId) or a void (field
// loadResponseId) of ref for amount, at the seeded store.
func (w *retailWorld) loadBody(field, ref string, amount any) map[string]any {
	return map[string]any{field: ref, "transactionAmount": amount,
		"metadata": map[string]any{"storeId": "CC970", "merchantId": merchant, "userId": "cashier@store.example",
			"requestDateTime": "2023-09-28T00:57:01Z", "registerId": "01"}}
}

// post sends a load or void with a fresh request id unless one is given.
func (w *retailWorld) post(e *apitest.Env, path string, body any, reqID ...string) *apitest.Response {
	e.T.Helper()
	id := "ld-" + uuid.NewString()[:8]
	if len(reqID) > 0 {
		id = reqID[0]
	}
	return e.Partner("POST", path, body, apitest.Header{Name: "X-GD-RequestId", Value: id})
}

// wantLoad checks a load or void answer: status, code in body and header,
// description, echoed request id, and every field present.
func wantLoad(t *testing.T, r *apitest.Response, status, code int, desc string) map[string]any {
	t.Helper()
	r.Want(t, status)
	b := r.JSON(t)
	md := b["metadata"].(map[string]any)
	if md["responseCode"] != float64(code) || md["responseDescription"] != desc || r.Header.Get("X-GD-ResponseCode") != itoa(code) {
		t.Fatalf("metadata = %v (header %s), want %d %q", md, r.Header.Get("X-GD-ResponseCode"), code, desc)
	}
	if md["requestId"] != r.Header.Get("X-GD-RequestId") || md["responseId"] != r.Header.Get("X-GD-ResponseId") {
		t.Fatalf("ids: %v vs %v", md, r.Header)
	}
	for _, k := range []string{"transactionIdentifier", "transactionAmount", "availableBalance", "reloadFee", "merchantFee",
		"maxAllowedAmount", "minAllowedAmount"} {
		if _, ok := b[k]; !ok {
			t.Fatalf("%s missing: %s", k, r.Body)
		}
	}
	if code != 0 {
		wantNulls(t, b, "transactionIdentifier", "transactionAmount", "availableBalance")
	}
	return b
}

// postings counts the account's ledger postings of a type.
func postings(t *testing.T, e *apitest.Env, accountID, typ string) int {
	t.Helper()
	var n int
	if err := e.App.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM adjustments WHERE account_id = ? AND type = ? AND status = 'completed'`,
		accountID, typ).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A validated load posts the amount with both fees as the posting's fee,
// answers the balance after it, shows in the partner's transactions and is
// answered again on a replay; its void reverses it exactly, once.
func TestCardLoadAndVoid(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e) // reload fee 3.95, merchant fee 2.00
		adjust(t, e, w.Seed, "instructionCredit", "10.00")
		ref := w.validate(t, e, "100.00")
		first := wantLoad(t, w.post(e, "/card/load", w.loadBody("validationResponseId", ref, 100), "load-1"), http.StatusOK, 0, "Success")
		if first["availableBalance"] != "104.05" || first["transactionAmount"] != "100.00" || first["reloadFee"] != "3.95" ||
			first["merchantFee"] != "2.00" {
			t.Fatalf("load answer: %v", first)
		}
		if got := balance(t, e, w.Seed); got != "104.05" {
			t.Fatalf("balance after load = %s", got)
		}
		// The same request again (the amount as a string this time): the first answer.
		again := wantLoad(t, w.post(e, "/card/load", w.loadBody("validationResponseId", ref, "100.00"), "load-1"), http.StatusOK, 0, "Success")
		if string(mustJSON(first)) != string(mustJSON(again)) {
			t.Fatalf("replay:\n%v\n%v", first, again)
		}
		txs := e.Partner("GET", "/programs/"+w.ProgramCode+"/accounts/"+w.AccountID+"/transactions", nil).Want(t, http.StatusOK).JSON(t)
		found := false
		for _, x := range txs["transactions"].([]any) {
			tx := x.(map[string]any)
			if tx["transactionIdentifier"] == first["transactionIdentifier"] {
				found = tx["transactionType"] == "retailLoad" && tx["amount"] == "100.00" && tx["fee"] == "5.95" &&
					tx["creditDebitIndicator"] == "credit"
			}
		}
		if !found {
			t.Fatalf("load not among the transactions as a retailLoad of 100.00 with fee 5.95: %v", txs)
		}
		verify(t, e)

		loadID := w.md(first)["responseId"].(string)
		v := wantLoad(t, w.post(e, "/card/load/void", w.loadBody("loadResponseId", loadID, 100), "void-1"), http.StatusOK, 0, "Success")
		if v["availableBalance"] != "10.00" || v["transactionAmount"] != "100.00" {
			t.Fatalf("void answer: %v", v)
		}
		if got := balance(t, e, w.Seed); got != "10.00" {
			t.Fatalf("balance after void = %s", got)
		}
		wantLoad(t, w.post(e, "/card/load/void", w.loadBody("loadResponseId", loadID, 100), "void-1"), http.StatusOK, 0, "Success")
		wantLoad(t, w.post(e, "/card/load/void", w.loadBody("loadResponseId", loadID, 100)), http.StatusBadRequest, 100,
			"The load has already been voided")
		// The fees came back too: the program's fee account is where it was.
		var fees int64
		if err := e.App.DB.QueryRow(context.Background(), `SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account = ?`,
			"program:"+w.ProgramCode+":fees").Scan(&fees); err != nil || fees != 0 {
			t.Fatalf("fee account %d %v after the void", fees, err)
		}
		if postings(t, e, w.AccountID, "retailLoad") != 1 || postings(t, e, w.AccountID, "retailLoadVoid") != 1 {
			t.Fatal("want one load and one void posting")
		}
		// A replay of the load still answers the load (now voided).
		wantLoad(t, w.post(e, "/card/load", w.loadBody("validationResponseId", ref, 100), "load-1"), http.StatusOK, 0, "Success")
		verify(t, e)
	})
}

// Bad input: every refusal is answered in the retail envelope (100 or
// 110) and posts nothing.
func TestCardLoadRefusals(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e)
		tokA := e.Token
		ref := w.validate(t, e, 50)
		declined := w.call(e, func() map[string]any { b := w.body(); b["transactionAmount"] = 5000; return b }())
		declinedRef := w.md(wantRetail(t, declined, http.StatusOK, 700, "The transaction amount does not pass load limit verification."))["responseId"].(string)
		load := func(ref string, amount any, reqID ...string) *apitest.Response {
			return w.post(e, "/card/load", w.loadBody("validationResponseId", ref, amount), reqID...)
		}
		for _, tc := range []struct {
			name string
			r    func() *apitest.Response
			code int
			desc string
		}{
			{"unknown validation", func() *apitest.Response { return load(uuid.NewString(), 50) }, 100, "ValidationResponseId does not name a validation of this merchant"},
			{"unapproved validation", func() *apitest.Response { return load(declinedRef, 5000) }, 100, "The validation was not approved"},
			{"different amount", func() *apitest.Response { return load(ref, "50.01") }, 100, "TransactionAmount does not match the validation"},
			{"no reference", func() *apitest.Response { return load("", 50) }, 100, "ValidationResponseId is required"},
			{"reference not a GUID", func() *apitest.Response { return load("nope", 50) }, 100, "ValidationResponseId must be a GUID"},
			{"no request id", func() *apitest.Response {
				return e.Partner("POST", "/card/load", w.loadBody("validationResponseId", ref, 50))
			}, 100, "RequestId is required"},
			{"no amount", func() *apitest.Response { return load(ref, nil) }, 100, "TransactionAmount should be greater than zero"},
			{"malformed", func() *apitest.Response { return w.post(e, "/card/load", `{"validationResponseId": 5}`) }, 100,
				"validationResponseId must be a string, not a number"},
			{"void of an unknown load", func() *apitest.Response {
				return w.post(e, "/card/load/void", w.loadBody("loadResponseId", uuid.NewString(), 50))
			}, 100, "LoadResponseId does not name a load of this merchant"},
			{"void of a validation", func() *apitest.Response {
				return w.post(e, "/card/load/void", w.loadBody("loadResponseId", ref, 50))
			}, 100, "LoadResponseId does not name a load of this merchant"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status := http.StatusOK
				if tc.code == 100 {
					status = http.StatusBadRequest
				}
				wantLoad(t, tc.r(), status, tc.code, tc.desc)
			})
		}
		if got := balance(t, e, w.Seed); got != "0.00" {
			t.Fatalf("a refused load moved money: %s", got)
		}

		// Committed once; the same validation under another request id is refused.
		ok := wantLoad(t, load(ref, 50, "ok-1"), http.StatusOK, 0, "Success")
		wantLoad(t, load(ref, 50), http.StatusBadRequest, 100, "The validation has already been committed")
		// The request id again with a different body.
		wantLoad(t, load(w.validate(t, e, 20), 20, "ok-1"), http.StatusBadRequest, 100, "RequestId has already been used for a different request")
		loadID := w.md(ok)["responseId"].(string)
		void := func(ref string, amount any) *apitest.Response {
			return w.post(e, "/card/load/void", w.loadBody("loadResponseId", ref, amount))
		}
		wantLoad(t, void(loadID, 49), http.StatusBadRequest, 100, "TransactionAmount does not match the load")

		// Another retailer: partner B with its own merchant names A's validation and A's load.
		b := e.Seed(apitest.ProgramSpec{Code: "PARTNERB", AdjustmentTypes: []string{}, Features: []string{}})
		e.Admin("POST", "/admin/v1/merchants", map[string]any{"merchantId": "BSTORE", "partnerId": b.PartnerID,
			"name": "B", "merchantFee": "1.00"}).Want(t, http.StatusCreated)
		e.Admin("POST", "/admin/v1/merchants/BSTORE/stores", map[string]any{"storeId": "CC970"}).Want(t, http.StatusCreated)
		e.Admin("POST", "/admin/v1/merchants/BSTORE/users", map[string]any{"userId": "cashier@store.example"}).Want(t, http.StatusCreated)
		asB := func(field, ref string, amount any) map[string]any {
			body := w.loadBody(field, ref, amount)
			body["metadata"].(map[string]any)["merchantId"] = "BSTORE"
			return body
		}
		tokB := e.Token
		e.Token = tokA
		other := w.validate(t, e, 30)
		e.Token = tokB
		wantLoad(t, w.post(e, "/card/load", asB("validationResponseId", other, 30)), http.StatusBadRequest, 100,
			"ValidationResponseId does not name a validation of this merchant")
		wantLoad(t, w.post(e, "/card/load/void", asB("loadResponseId", loadID, 50)), http.StatusBadRequest, 100,
			"LoadResponseId does not name a load of this merchant")
		// B naming A's merchant: 130, nothing recorded under A's ids.
		wantLoad(t, w.post(e, "/card/load", w.loadBody("validationResponseId", other, 30)), http.StatusOK, 130, "InvalidMerchant")
		e.Token = tokA

		// An expired validation, and a void on a later day.
		stale := w.validate(t, e, 20)
		e.Clock.Advance(16 * time.Minute)
		wantLoad(t, load(stale, 20), http.StatusBadRequest, 100, "The validation has expired; validate again")
		e.Clock.Advance(24 * time.Hour)
		e.Token = e.TokenFor(w.ClientID, w.ClientSecret)
		wantLoad(t, void(loadID, 50), http.StatusBadRequest, 100, "A load can only be voided on the day it was made (UTC)")

		if got := balance(t, e, w.Seed); got != "44.05" {
			t.Fatalf("balance = %s, want the one load (50.00 - 5.95)", got)
		}
		if postings(t, e, w.AccountID, "retailLoad") != 1 || postings(t, e, w.AccountID, "retailLoadVoid") != 0 {
			t.Fatal("refusals posted")
		}
		verify(t, e)
	})
}

// Concurrent retries of one load (same request id), concurrent loads of
// one validation (different request ids) and concurrent voids move the
// ledger exactly once each.
func TestCardLoadConcurrentRetries(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e)
		race := func(path string, bodies func(i int) (map[string]any, string)) map[string]int {
			var calls []retailCall
			for i := range 10 {
				body, reqID := bodies(i)
				calls = append(calls, retailCall{e: e, path: path, reqID: reqID, body: body})
			}
			got := map[string]int{}
			for _, a := range raceRetail(t, calls) {
				got[a.code+" "+a.responseID]++
			}
			return got
		}
		ref := w.validate(t, e, 100)
		same := race("/card/load", func(int) (map[string]any, string) {
			return w.loadBody("validationResponseId", ref, 100), "retry-1"
		})
		if len(same) != 1 {
			t.Fatalf("retries answered differently: %v", same)
		}
		ref2 := w.validate(t, e, 100)
		distinct := race("/card/load", func(i int) (map[string]any, string) {
			return w.loadBody("validationResponseId", ref2, 100), "distinct-" + strconv.Itoa(i)
		})
		if n := countCode(distinct, "0"); n != 1 || countCode(distinct, "100") != 9 {
			t.Fatalf("one validation committed %d times: %v", n, distinct)
		}
		if got := balance(t, e, w.Seed); got != "188.10" || postings(t, e, w.AccountID, "retailLoad") != 2 {
			t.Fatalf("balance %s after two loads of 100.00 less 5.95", got)
		}
		var loadID string
		for k := range same {
			loadID = k[2:]
		}
		voids := race("/card/load/void", func(i int) (map[string]any, string) {
			return w.loadBody("loadResponseId", loadID, 100), "void-" + strconv.Itoa(i)
		})
		if countCode(voids, "0") != 1 || countCode(voids, "100") != 9 {
			t.Fatalf("voids: %v", voids)
		}
		if got := balance(t, e, w.Seed); got != "94.05" || postings(t, e, w.AccountID, "retailLoadVoid") != 1 {
			t.Fatalf("balance %s after one void", got)
		}
		verify(t, e)
	})
}

// retailCall is one request of raceRetail: a retail call to a node.
type retailCall struct {
	e           *apitest.Env
	path, reqID string
	body        any
}

// retailAnswer is the outcome of a retailCall.
type retailAnswer struct{ path, code, responseID string }

// raceRetail sends every call at once and answers their outcomes.
func raceRetail(t *testing.T, calls []retailCall) []retailAnswer {
	t.Helper()
	out := make([]retailAnswer, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, _ := json.Marshal(c.body)
			req, _ := http.NewRequest("POST", c.e.URL+c.path, bytes.NewReader(j))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+c.e.Token)
			req.Header.Set("X-GD-RequestId", c.reqID)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			out[i] = retailAnswer{c.path, resp.Header.Get("X-GD-ResponseCode"), resp.Header.Get("X-GD-ResponseId")}
		}()
	}
	wg.Wait()
	return out
}

func countCode(m map[string]int, code string) int {
	n := 0
	for k, v := range m {
		if len(k) > len(code) && k[:len(code)+1] == code+" " {
			n += v
		}
	}
	return n
}

// The daily load limit counts committed loads (and validations holding
// their amount until committed or expired); a voided load no longer counts.
func TestCardLoadDailyLimit(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e) // 500.00 a load, 1000.00 a day
		var loads []string
		for range 2 {
			ref := w.validate(t, e, 500)
			l := wantLoad(t, w.post(e, "/card/load", w.loadBody("validationResponseId", ref, 500)), http.StatusOK, 0, "Success")
			loads = append(loads, w.md(l)["responseId"].(string))
		}
		b := w.body()
		b["transactionAmount"] = 20
		got := wantRetail(t, w.call(e, b), http.StatusOK, 700, "Exceeds account daily load limit")
		if got["maxAllowedAmount"] != "0.00" {
			t.Fatalf("700 after 1000.00 committed: %v", got)
		}
		wantLoad(t, w.post(e, "/card/load/void", w.loadBody("loadResponseId", loads[0], 500)), http.StatusOK, 0, "Success")
		// The voided 500.00 is free again; an uncommitted validation holds
		// its amount until it expires.
		w.validate(t, e, 500)
		wantRetail(t, w.call(e, b), http.StatusOK, 700, "Exceeds account daily load limit")
		e.Clock.Advance(16 * time.Minute)
		e.Token = e.TokenFor(w.ClientID, w.ClientSecret)
		w.validate(t, e, 500)
	})
}
