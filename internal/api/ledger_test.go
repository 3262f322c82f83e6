package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apitest"
)

func adjPath(s apitest.Seed) string {
	return "/programs/" + s.ProgramCode + "/accounts/" + s.AccountID + "/adjustments"
}

// adjust posts an adjustment and answers its HTTP status and body.
func adjust(t *testing.T, e *apitest.Env, s apitest.Seed, typ, amount string, extra ...any) map[string]any {
	t.Helper()
	body := map[string]any{"adjustmentIdentifier": uuid.NewString(), "amount": amount, "currency": "USD",
		"adjustmentType": typ, "adjustmentDescription": "test " + typ}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i].(string)] = extra[i+1]
	}
	return e.Partner("POST", adjPath(s), body).Want(t, http.StatusOK).JSON(t)
}

func balance(t *testing.T, e *apitest.Env, s apitest.Seed) string {
	t.Helper()
	b := e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/balances", nil).Want(t, http.StatusOK).JSON(t)
	if b["availableBalance"] != b["postedBalance"] {
		t.Fatalf("available %v != posted %v with no holds", b["availableBalance"], b["postedBalance"])
	}
	return b["postedBalance"].(string)
}

// detailIs reports whether a BaaS answer's single responseDetail is code/subCode.
func detailIs(r map[string]any, code, subCode float64) bool {
	ds, _ := r["responseDetails"].([]any)
	if len(ds) != 1 {
		return false
	}
	d, _ := ds[0].(map[string]any)
	return d["code"] == code && d["subCode"] == subCode
}

func verify(t *testing.T, e *apitest.Env) {
	t.Helper()
	problems, err := e.App.Ledger.Verify(context.Background())
	if err != nil || len(problems) > 0 {
		t.Fatalf("ledger verify: %v %v", err, problems)
	}
}

func TestAdjustmentEveryTypeAndReversal(t *testing.T) {
	t.Parallel()
	// The publisher's table, written out independently of the code.
	table := []struct {
		typ  string
		sign int
	}{
		{"disbursement", +1}, {"disbursementReversal", -1}, {"anyDebitOut", -1}, {"anyDebitOutReversal", +1},
		{"achOut", -1}, {"achOutReversal", +1}, {"promo", +1}, {"promoReversal", -1},
		{"instructionCredit", +1}, {"instructionDebit", -1},
	}
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		if r := adjust(t, e, s, "instructionCredit", "100.00"); r["adjustmentStatus"] != "completed" || r["adjustmentStatusReason"] != "success" ||
			!detailIs(r, 0, 0) {
			t.Fatalf("funding: %v", r)
		}
		want := int64(100_00)
		for _, c := range table {
			id := uuid.NewString()
			r := e.Partner("POST", adjPath(s), map[string]any{"adjustmentIdentifier": id, "amount": 2.5, "fee": "0.10",
				"currency": "USD", "adjustmentType": c.typ, "adjustmentDescription": "d " + c.typ}).Want(t, http.StatusOK).JSON(t)
			if r["adjustmentStatus"] != "completed" {
				t.Fatalf("%s: %v", c.typ, r)
			}
			want += int64(c.sign)*250 - 10
			if got := balance(t, e, s); got != fmt.Sprintf("%d.%02d", want/100, want%100) {
				t.Fatalf("after %s balance = %s, want %d", c.typ, got, want)
			}
			g := e.Partner("GET", adjPath(s)+"/"+id, nil).Want(t, http.StatusOK).JSON(t)
			if g["amount"] != "2.50" || g["fee"] != "0.10" || g["adjustmentType"] != c.typ || g["currency"] != "USD" ||
				g["adjustmentDescription"] != "d "+c.typ || !strings.HasSuffix(g["transactionDate"].(string), "Z") || !detailIs(g, 0, 0) {
				t.Fatalf("status of %s: %v", c.typ, g)
			}
		}
		tx := e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/transactions?limit=100", nil).Want(t, http.StatusOK).JSON(t)
		list := tx["transactions"].([]any)
		if len(list) != len(table)+1 {
			t.Fatalf("transactions: %d, want %d", len(list), len(table)+1)
		}
		first := list[0].(map[string]any) // newest first: the last type posted
		pid := first["postedInternalTransactionData"].(map[string]any)
		if first["transactionType"] != "instructionDebit" || pid["description"] != "d instructionDebit" || pid["adjustmentIdentifier"] == "" {
			t.Fatalf("newest transaction: %v", first)
		}
		verify(t, e)
	})
}

func TestAdjustmentIdempotency(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		body := map[string]any{"adjustmentIdentifier": uuid.NewString(), "amount": "12.86", "currency": "USD",
			"adjustmentType": "promo", "adjustmentDescription": "Acme Cashback"}
		a := e.Partner("POST", adjPath(s), body).Want(t, http.StatusOK)
		b := e.Partner("POST", adjPath(s), body).Want(t, http.StatusOK)
		if !bytes.Equal(a.Body, b.Body) || balance(t, e, s) != "12.86" {
			t.Fatalf("replay: %s vs %s, balance %s", a.Body, b.Body, balance(t, e, s))
		}
		body["amount"] = "12.87"
		c := e.Partner("POST", adjPath(s), body).Want(t, http.StatusConflict).JSON(t)
		if d := c["responseDetails"].([]any)[0].(map[string]any); d["code"].(float64) != 409 {
			t.Fatalf("conflict: %v", c)
		}
		// A decline is HTTP 200 with a non-zero code (4/10), and is replayed
		// as declined even once funds arrive.
		debit := map[string]any{"adjustmentIdentifier": uuid.NewString(), "amount": "100", "currency": "USD", "adjustmentType": "achOut"}
		declined := e.Partner("POST", adjPath(s), debit)
		if d := declined.WantDetail(t, http.StatusOK, 4, 10); d != "Insufficient funds." {
			t.Fatalf("decline description %q", d)
		}
		if r := declined.JSON(t); r["adjustmentStatus"] != "declined" || r["adjustmentStatusReason"] != "insufficientFunds" {
			t.Fatalf("debit: %v", r)
		}
		adjust(t, e, s, "instructionCredit", "500")
		replayed := e.Partner("POST", adjPath(s), debit)
		replayed.WantDetail(t, http.StatusOK, 4, 10)
		if !bytes.Equal(replayed.Body, declined.Body) {
			t.Fatalf("replayed decline: %s, first %s", replayed.Body, declined.Body)
		}
		g := e.Partner("GET", adjPath(s)+"/"+debit["adjustmentIdentifier"].(string), nil)
		g.WantDetail(t, http.StatusOK, 4, 10)
		if r := g.JSON(t); r["adjustmentStatus"] != "declined" || r["adjustmentStatusReason"] != "insufficientFunds" {
			t.Fatalf("status of a decline: %v", r)
		}
		// Concurrent duplicates post once.
		dup, _ := json.Marshal(map[string]any{"adjustmentIdentifier": uuid.NewString(), "amount": "1.00", "currency": "USD", "adjustmentType": "promo"})
		statuses := parallel(t, e, adjPath(s), 20, func(int) []byte { return dup })
		if n := countCompleted(statuses); n != len(statuses) {
			t.Fatalf("%d of %d duplicates answered completed: %v", n, len(statuses), statuses)
		}
		if got := balance(t, e, s); got != "513.86" {
			t.Fatalf("balance after duplicates = %s, want 513.86", got)
		}
		verify(t, e)
	})
}

// parallel sends n POSTs at once and answers their statuses.
func parallel(t *testing.T, e *apitest.Env, path string, n int, body func(i int) []byte) []int {
	t.Helper()
	out := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req, _ := http.NewRequest("POST", e.URL+path, bytes.NewReader(body(i)))
			req.Header.Set("Authorization", "Bearer "+e.Token)
			req.Header.Set("Content-Type", "application/json")
			<-start
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			var m map[string]any
			json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
			out[i] = resp.StatusCode
			if m["adjustmentStatus"] == "completed" {
				out[i] = 1 // completed
			}
		}(i)
	}
	close(start)
	wg.Wait()
	return out
}

func countCompleted(st []int) int {
	n := 0
	for _, s := range st {
		if s == 1 {
			n++
		}
	}
	return n
}

func TestParallelDebitsNeverOverdraw(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		adjust(t, e, s, "instructionCredit", "10.00")
		debit := func(neg bool) func(int) []byte {
			return func(int) []byte {
				b, _ := json.Marshal(map[string]any{"adjustmentIdentifier": uuid.NewString(), "amount": "1.00",
					"currency": "USD", "adjustmentType": "instructionDebit", "debitToNegative": neg})
				return b
			}
		}
		if n := countCompleted(parallel(t, e, adjPath(s), 50, debit(false))); n != 10 {
			t.Fatalf("%d debits completed, want 10", n)
		}
		if got := balance(t, e, s); got != "0.00" {
			t.Fatalf("balance = %s", got)
		}
		// NB100: the floor is -100.00, only with debitToNegative.
		if _, err := e.App.DB.Exec(context.Background(), `INSERT INTO account_features (account_id, feature, enrolled_at) VALUES (?, 'NB100', 0)`, s.AccountID); err != nil {
			t.Fatal(err)
		}
		if r := adjust(t, e, s, "instructionDebit", "1.00"); r["adjustmentStatusReason"] != "insufficientFunds" {
			t.Fatalf("NB100 without debitToNegative: %v", r)
		}
		adjust(t, e, s, "instructionCredit", "10.00")
		if n := countCompleted(parallel(t, e, adjPath(s), 150, debit(true))); n != 110 {
			t.Fatalf("%d NB100 debits completed, want 110", n)
		}
		if got := balance(t, e, s); got != "-100.00" {
			t.Fatalf("NB100 balance = %s", got)
		}
		// Below the floor a credit is still taken.
		if r := adjust(t, e, s, "promo", "0.01"); r["adjustmentStatus"] != "completed" {
			t.Fatalf("credit at floor: %v", r)
		}
		verify(t, e)
	})
}

func TestAdjustmentRejections(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed(apitest.ProgramSpec{Code: "LIMITED", AdjustmentTypes: []string{"promo", "promoReversal"}})
		path := adjPath(s)
		valid := func() map[string]any {
			return map[string]any{"adjustmentIdentifier": uuid.NewString(), "amount": "1.00", "currency": "USD", "adjustmentType": "promo"}
		}
		cases := []struct {
			name, field string
			edit        func(m map[string]any)
		}{
			{"missing id", "adjustmentIdentifier", func(m map[string]any) { delete(m, "adjustmentIdentifier") }},
			{"bad id", "adjustmentIdentifier", func(m map[string]any) { m["adjustmentIdentifier"] = "nope" }},
			{"missing amount", "amount", func(m map[string]any) { delete(m, "amount") }},
			{"three decimals", "amount", func(m map[string]any) { m["amount"] = "12.345" }},
			{"negative", "amount", func(m map[string]any) { m["amount"] = -5 }},
			{"zero", "amount", func(m map[string]any) { m["amount"] = "0" }},
			{"abc", "amount", func(m map[string]any) { m["amount"] = "abc" }},
			{"huge", "amount", func(m map[string]any) { m["amount"] = json.RawMessage("1e400") }},
			{"bool amount", "amount", func(m map[string]any) { m["amount"] = true }},
			{"negative fee", "fee", func(m map[string]any) { m["fee"] = "-1" }},
			{"fee decimals", "fee", func(m map[string]any) { m["fee"] = 0.001 }},
			{"unknown type", "adjustmentType", func(m map[string]any) { m["adjustmentType"] = "bogus" }},
			{"missing type", "adjustmentType", func(m map[string]any) { delete(m, "adjustmentType") }},
			{"missing currency", "currency", func(m map[string]any) { delete(m, "currency") }},
			{"unknown currency", "currency", func(m map[string]any) { m["currency"] = "XYZ" }},
			{"lower currency", "currency", func(m map[string]any) { m["currency"] = "usd" }},
			{"wrong type id", "adjustmentIdentifier", func(m map[string]any) { m["adjustmentIdentifier"] = 5 }},
		}
		for _, c := range cases {
			m := valid()
			c.edit(m)
			r := e.Partner("POST", path, m).Want(t, http.StatusBadRequest).JSON(t)
			d := r["responseDetails"].([]any)[0].(map[string]any)
			if !strings.Contains(d["description"].(string), c.field) {
				t.Errorf("%s: description %q does not name %s", c.name, d["description"], c.field)
			}
		}
		e.Partner("POST", path, "{not json").Want(t, http.StatusBadRequest)
		// Not configured for the program: a validation failure naming the
		// field. In production that includes instructionCredit/Debit.
		for _, typ := range []string{"achOut", "instructionCredit", "instructionDebit"} {
			m := valid()
			m["adjustmentType"] = typ
			d := e.Partner("POST", path, m).WantDetail(t, http.StatusBadRequest, 640, 0)
			if want := "adjustmentType " + typ + " is not enabled for program LIMITED"; d != want {
				t.Errorf("%s: description %q, want %q", typ, d, want)
			}
		}
		// Unknown or invalid account, unknown program.
		e.Partner("POST", "/programs/"+s.ProgramCode+"/accounts/"+uuid.NewString()+"/adjustments", valid()).Want(t, http.StatusNotFound)
		e.Partner("POST", "/programs/"+s.ProgramCode+"/accounts/123/adjustments", valid()).Want(t, http.StatusBadRequest)
		e.Partner("POST", "/programs/NOPE/accounts/"+s.AccountID+"/adjustments", valid()).Want(t, http.StatusUnauthorized)
		if got := balance(t, e, s); got != "0.00" {
			t.Fatalf("bad input posted something: balance %s", got)
		}
		// Accounts that take no adjustments: 200 with 4/105, nothing posted.
		for _, st := range []string{"closed", "locked", "restricted", "pending"} {
			id := e.OpenAccount(s.ProgramCode, st)
			r := e.Partner("POST", "/programs/"+s.ProgramCode+"/accounts/"+id+"/adjustments", valid()).Want(t, http.StatusOK).JSON(t)
			d := r["responseDetails"].([]any)[0].(map[string]any)
			if d["code"].(float64) != 4 || d["subCode"].(float64) != 105 || !strings.Contains(d["description"].(string), st) || r["adjustmentStatus"] != nil {
				t.Fatalf("%s account: %v", st, r)
			}
		}
		e.Partner("GET", path+"/"+uuid.NewString(), nil).Want(t, http.StatusNotFound)
		e.Partner("GET", path+"/xyz", nil).Want(t, http.StatusBadRequest)
		verify(t, e)
	})
}

// On a sandbox server (the page's PIE) instructionCredit and
// instructionDebit are enabled for every program; other types still need
// the program's configuration.
func TestInstructionTypesOpenInSandbox(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, apitest.Options{Sandbox: true}, func(t *testing.T, e *apitest.Env) {
		s := e.Seed(apitest.ProgramSpec{Code: "LIMITED", AdjustmentTypes: []string{"promo", "promoReversal"}})
		if r := adjust(t, e, s, "instructionCredit", "5"); r["adjustmentStatus"] != "completed" || !detailIs(r, 0, 0) {
			t.Fatalf("instructionCredit in sandbox: %v", r)
		}
		if r := adjust(t, e, s, "instructionDebit", "2.00"); r["adjustmentStatus"] != "completed" {
			t.Fatalf("instructionDebit in sandbox: %v", r)
		}
		if r := adjust(t, e, s, "instructionDebit", "3.01"); r["adjustmentStatus"] != "declined" || !detailIs(r, 4, 10) {
			t.Fatalf("instructionDebit past the balance in sandbox: %v", r)
		}
		if got := balance(t, e, s); got != "3.00" {
			t.Fatalf("balance = %s, want 3.00", got)
		}
		m := map[string]any{"adjustmentIdentifier": uuid.NewString(), "amount": "1.00", "currency": "USD", "adjustmentType": "achOut"}
		e.Partner("POST", adjPath(s), m).WantDetail(t, http.StatusBadRequest, 640, 0)
		verify(t, e)
	})
}

// Balances are capped (ledger.MaxBalance), so no run of maximum credits can
// overflow a balance or a program total.
func TestAdjustmentBalanceCeiling(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	s := e.Seed()
	for i := 0; i < 10; i++ {
		if r := adjust(t, e, s, "instructionCredit", "1000000000000.00"); r["adjustmentStatus"] != "completed" {
			t.Fatalf("credit %d: %v", i, r)
		}
	}
	r := e.Partner("POST", adjPath(s), map[string]any{"adjustmentIdentifier": uuid.NewString(), "amount": "0.01",
		"currency": "USD", "adjustmentType": "instructionCredit"})
	if d := r.WantDetail(t, http.StatusBadRequest, 640, 0); !strings.Contains(d, "above 10000000000000.00") {
		t.Fatalf("description %q", d)
	}
	if got := balance(t, e, s); got != "10000000000000.00" {
		t.Fatalf("balance %s", got)
	}
	verify(t, e)
}
