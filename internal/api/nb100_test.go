package api_test

import (
	"net/http"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// NB100 enrolled through the features API sets the ledger's overdraft
// floor at once; unenrolling it while the balance is negative is allowed,
// and further debits are declined until the balance is back at zero.
func TestNB100FloorThroughFeaturesAPI(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f, s := newFeatureEnv(e)
		debit := func(amount string) map[string]any {
			return adjust(t, e, s, "instructionDebit", amount, "debitToNegative", true)
		}
		if r := debit("1.00"); r["adjustmentStatus"] != "declined" || r["adjustmentStatusReason"] != "insufficientFunds" {
			t.Fatalf("debit without NB100: %v", r)
		}
		f.put("NB100", true).WantDetail(t, http.StatusOK, 0, 0)
		if r := debit("60.00"); r["adjustmentStatus"] != "completed" {
			t.Fatalf("debit with NB100: %v", r)
		}
		if r := debit("40.01"); r["adjustmentStatus"] != "declined" {
			t.Fatalf("debit past -100.00: %v", r)
		}
		// Without debitToNegative the floor is zero even with NB100.
		if r := adjust(t, e, s, "instructionDebit", "0.01"); r["adjustmentStatus"] != "declined" {
			t.Fatalf("debit without debitToNegative: %v", r)
		}
		if got := balance(t, e, s); got != "-60.00" {
			t.Fatalf("balance = %s", got)
		}
		// Unenrolling while negative is allowed; the floor is zero again.
		f.put("NB100", false).WantDetail(t, http.StatusOK, 0, 0)
		if r := debit("0.01"); r["adjustmentStatus"] != "declined" {
			t.Fatalf("debit after unenrolling: %v", r)
		}
		adjust(t, e, s, "instructionCredit", "59.99")
		if r := debit("0.01"); r["adjustmentStatus"] != "declined" {
			t.Fatalf("debit while still negative: %v", r)
		}
		adjust(t, e, s, "instructionCredit", "0.02")
		if r := debit("0.01"); r["adjustmentStatus"] != "completed" {
			t.Fatalf("debit once back at zero: %v", r)
		}
		if got := balance(t, e, s); got != "0.00" {
			t.Fatalf("final balance = %s", got)
		}
		// The get-account view carries the ledger's balance.
		a := e.Partner("GET", f.base, nil).Want(t, http.StatusOK).JSON(t)
		if b := a["balances"].(map[string]any); b["postedBalance"] != "0.00" || b["availableBalance"] != "0.00" {
			t.Fatalf("get account balances: %v", b)
		}
		verify(t, e)
	})
}
