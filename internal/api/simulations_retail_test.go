package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// simLoad is a simulated cash load's answer.
type simLoad struct {
	RetailLoadIdentifier, AccountIdentifier, Status, Amount, ReloadFee, MerchantFee string
	TransactionIdentifier, AvailableBalance, MerchantID                             string
}

// A simulated cash load goes through the retail loads service at the
// partner's sandbox merchant: the program's fee and limits apply, the
// ledger is credited, the transaction webhook is sent, and a void takes
// it back once. Refusals name what is wrong and post nothing.
func TestSimulatedRetailLoads(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, sandboxEnv, func(t *testing.T, e *apitest.Env) {
		other := e.Seed(apitest.ProgramSpec{Code: "OTHER", AdjustmentTypes: apitest.AllAdjustmentTypes})
		otherToken := e.Token
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		subscribe(t, e, s.ProgramCode, rc.URL, webhook.Transaction)
		sim := "/programs/" + s.ProgramCode + "/simulations"
		load := func(amount any) *apitest.Response {
			return e.Partner("POST", sim+"/retailLoads", map[string]any{"accountIdentifier": s.AccountID, "amount": amount})
		}

		// No reload settings yet: refused, naming why.
		if _, _, desc := load("40.00").Want(t, http.StatusConflict).Detail(t); !strings.Contains(desc, "takes no retail loads") {
			t.Fatalf("not reloadable: %s", desc)
		}
		e.Admin("PATCH", "/admin/v1/programs/"+s.ProgramCode, map[string]any{"reload": map[string]any{
			"reloadFee": "3.95", "minLoadAmount": 20, "maxLoadAmount": "500.00", "dailyLoadLimit": "600"}}).Want(t, http.StatusOK)

		// The first loads create the sandbox merchant lazily, concurrently.
		var wg sync.WaitGroup
		loads := make([]simLoad, 4)
		for i := range loads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				load("20.00").Want(t, http.StatusOK).Decode(t, &loads[i])
			}()
		}
		wg.Wait()
		var l simLoad
		load(40).Want(t, http.StatusOK).Decode(t, &l)
		if l.Status != "posted" || l.Amount != "40.00" || l.ReloadFee != "3.95" || l.MerchantFee != "0.00" ||
			l.AvailableBalance != "100.25" || l.AccountIdentifier != s.AccountID || l.MerchantID != loads[0].MerchantID {
			t.Fatalf("load: %+v (first %+v)", l, loads[0])
		}
		if n := postings(t, e, s.AccountID, "retailLoad"); n != 5 {
			t.Fatalf("%d retailLoad postings, want 5", n)
		}

		// Bad input: a clear 4xx naming what is wrong, nothing posted.
		for _, tc := range []struct {
			body   map[string]any
			status int
			want   string
		}{
			{map[string]any{"amount": "40.00"}, 400, "accountIdentifier is required"},
			{map[string]any{"accountIdentifier": "nope", "amount": "40.00"}, 400, `"nope" is not an account identifier`},
			{map[string]any{"accountIdentifier": s.AccountID}, 400, "amount is required"},
			{map[string]any{"accountIdentifier": s.AccountID, "amount": "1.234"}, 400, `amount "1.234" is invalid`},
			{map[string]any{"accountIdentifier": s.AccountID, "amount": 0}, 400, `amount "0" is invalid`},
			{map[string]any{"accountIdentifier": s.AccountID, "amount": "-5"}, 400, `amount "-5" is invalid`},
			{map[string]any{"accountIdentifier": s.AccountID, "amount": "10.00"}, 400, "outside the program's load bounds: 20.00 to 480.00"},
			{map[string]any{"accountIdentifier": uuid.NewString(), "amount": "40.00"}, 404, "not found in program"},
			{map[string]any{"accountIdentifier": other.AccountID, "amount": "40.00"}, 404, other.AccountID + " not found"},
			{map[string]any{"accountIdentifier": s.AccountID, "amount": "500.00"}, 409, "daily load limit (480.00)"},
		} {
			r := e.Partner("POST", sim+"/retailLoads", tc.body).Want(t, tc.status)
			if _, _, desc := r.Detail(t); !strings.Contains(desc, tc.want) {
				t.Errorf("%v: %q, want %q", tc.body, desc, tc.want)
			}
		}
		if n := postings(t, e, s.AccountID, "retailLoad"); n != 5 {
			t.Fatalf("%d retailLoad postings after refusals, want 5", n)
		}

		// A void takes the load back with its fee, once.
		void := sim + "/retailLoads/" + l.RetailLoadIdentifier + "/void"
		var v simLoad
		e.Partner("POST", void, nil).Want(t, http.StatusOK).Decode(t, &v)
		if v.Status != "voided" || v.RetailLoadIdentifier != l.RetailLoadIdentifier || v.AvailableBalance != "64.20" ||
			v.TransactionIdentifier == l.TransactionIdentifier || v.Amount != "40.00" {
			t.Fatalf("void: %+v", v)
		}
		if _, _, desc := e.Partner("POST", void, nil).Want(t, http.StatusConflict).Detail(t); !strings.Contains(desc, "already been voided") {
			t.Fatalf("void twice: %s", desc)
		}
		e.Partner("POST", sim+"/retailLoads/"+uuid.NewString()+"/void", nil).Want(t, http.StatusNotFound)
		e.Partner("POST", sim+"/retailLoads/nope/void", nil).Want(t, http.StatusNotFound)
		if n := postings(t, e, s.AccountID, "retailLoadVoid"); n != 1 {
			t.Fatalf("%d voids posted, want 1", n)
		}

		// Another partner can neither void the load nor load to this account.
		e.Token = otherToken
		e.Partner("POST", "/programs/OTHER/simulations/retailLoads/"+loads[0].RetailLoadIdentifier+"/void", nil).
			Want(t, http.StatusNotFound)
		e.Partner("POST", "/programs/OTHER/simulations/retailLoads", map[string]any{"accountIdentifier": s.AccountID,
			"amount": "40.00"}).Want(t, http.StatusNotFound)
		if n := postings(t, e, s.AccountID, "retailLoadVoid"); n != 1 {
			t.Fatalf("%d voids posted, want 1", n)
		}

		// The transaction webhook of every posting: five loads and the void.
		var txs []map[string]any
		rc.Wait(t, 20*time.Second, func([]apitest.Post) bool {
			txs = eventsOf(t, rc)[webhook.Transaction]
			return len(txs) >= 6
		})
		byID := map[string]map[string]any{}
		for _, ev := range txs {
			byID[path(ev, "transaction.transactionIdentifier").(string)] = ev
		}
		for id, want := range map[string][3]string{l.TransactionIdentifier: {"retailLoad", "40.00", "3.95"},
			v.TransactionIdentifier: {"retailLoadVoid", "40.00", "-3.95"}} {
			ev := byID[id]
			if ev == nil || path(ev, "transaction.transactionType") != want[0] || path(ev, "transaction.amount") != want[1] ||
				path(ev, "transaction.fee") != want[2] {
				t.Fatalf("transaction webhook of %s: %v (want %v)", id, ev, want)
			}
		}
	})
}
