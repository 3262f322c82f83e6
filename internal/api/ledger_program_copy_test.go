package api_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apitest"
)

// Two nodes on one database. A node checks an adjustment against its own
// copy of the program, but a change made through the other node holds on
// it at once, with no message between the nodes: the posting's
// transaction reads the program's version and refuses to post against an
// older copy, and a copy that refuses a request is read again before the
// refusal is answered.
func TestProgramChangeReachesOtherNodeAtOnce(t *testing.T) {
	t.Parallel()
	apitest.Nodes(t, 2, apitest.Options{}, func(t *testing.T, nodes []*apitest.Env) {
		a, b := nodes[0], nodes[1]
		s := a.Seed()
		b.Token = a.Token
		adjust := func(typ, amount string) *apitest.Response {
			return a.Partner("POST", accountPath(s)+"/adjustments", map[string]any{"adjustmentIdentifier": uuid.NewString(),
				"amount": amount, "currency": "USD", "adjustmentType": typ, "adjustmentDescription": "copy"})
		}
		patch := func(types []string) {
			b.Admin("PATCH", "/admin/v1/programs/"+s.ProgramCode, map[string]any{"adjustmentTypes": types}).Want(t, http.StatusOK)
		}
		adjust("promo", "10.00").WantDetail(t, http.StatusOK, 0, 0) // a keeps a copy with promo enabled

		patch([]string{"disbursement"}) // through b: promo off
		if d := adjust("promo", "1.00").WantDetail(t, http.StatusBadRequest, 640, 0); d == "" {
			t.Fatal("a posted a type the program no longer allows")
		}
		adjust("disbursement", "1.00").WantDetail(t, http.StatusOK, 0, 0)

		patch(apitest.AllAdjustmentTypes) // through b: promo on again; a's copy says off
		adjust("promo", "2.00").WantDetail(t, http.StatusOK, 0, 0)

		var bal struct{ PostedBalance string }
		a.Partner("GET", accountPath(s)+"/balances", nil).Want(t, http.StatusOK).Decode(t, &bal)
		if bal.PostedBalance != "13.00" {
			t.Fatalf("balance %s, want 13.00 (10 + 1 + 2, the refused promo not posted)", bal.PostedBalance)
		}
	})
}
