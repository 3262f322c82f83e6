package api_test

import (
	"net/http"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// Another partner naming this partner's merchant never reads its stored
// answers nor occupies its request ids, and a card number on file in
// another partner's program does not hide this partner's card.
func TestCardDetailsPartnerIsolation(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e)
		tokA := e.Token
		first := wantRetail(t, w.call(e, w.body(), "a-req-1"), http.StatusOK, 0, "Success")

		b := e.Seed(apitest.ProgramSpec{Code: "PARTNERB", AdjustmentTypes: []string{}, Features: []string{}})
		// The same number on file in B's program, issued later than A's card.
		e.Admin("POST", "/admin/v1/programs/"+b.ProgramCode+"/accounts/"+b.AccountID+"/paymentInstruments",
			map[string]any{"pan": w.PAN}).Want(t, http.StatusCreated)

		// B replays A's request id with A's merchant: 130, not A's answer.
		got := wantRetail(t, w.call(e, w.body(), "a-req-1"), http.StatusOK, 130, "InvalidMerchant")
		wantNulls(t, got, "availableBalance", "reloadFee", "merchantFee")
		// B tries to occupy an id A has not used yet.
		wantRetail(t, w.call(e, w.body(), "victim-req-1"), http.StatusOK, 130, "InvalidMerchant")

		e.Token = tokA
		again := wantRetail(t, w.call(e, w.body(), "a-req-1"), http.StatusOK, 0, "Success")
		if w.md(again)["responseId"] != w.md(first)["responseId"] {
			t.Fatalf("A's replay is not A's first answer: %v vs %v", w.md(again), w.md(first))
		}
		// A's own new request under the id B tried is processed, and finds
		// A's card although B's card with the same number is newer.
		wantRetail(t, w.call(e, w.body(), "victim-req-1"), http.StatusOK, 0, "Success")
	})
}
