package api_test

import (
	"net/http"
	"strconv"
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

// Once a program enforces negBal, an account that holds NB100 without
// having accepted the terms cannot use it (a debitToNegative debit gets
// the zero floor), and the operator lists exactly those accounts to run
// the backfill; recording their acceptance gives them the feature back.
func TestNB100TermsEnforcement(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f, s := newFeatureEnv(e)
		debit := func(amount string) string {
			return adjust(t, e, s, "instructionDebit", amount, "debitToNegative", true)["adjustmentStatus"].(string)
		}
		f.put("NB100", true).WantDetail(t, http.StatusOK, 0, 0) // not enforced yet: no terms needed
		// A second account accepted the terms, a third opted out before enrolling.
		accepted := featureEnv{e, "/programs/" + s.ProgramCode + "/accounts/" + e.OpenAccount(s.ProgramCode, "normal")}
		accepted.terms(true, "").WantDetail(t, http.StatusOK, 0, 0)
		accepted.put("NB100", true).WantDetail(t, http.StatusOK, 0, 0)
		optedOut := featureEnv{e, "/programs/" + s.ProgramCode + "/accounts/" + e.OpenAccount(s.ProgramCode, "normal")}
		optedOut.terms(false, "").WantDetail(t, http.StatusOK, 0, 0)
		optedOut.put("NB100", true).WantDetail(t, http.StatusOK, 0, 0)
		if got := debit("10.00"); got != "completed" {
			t.Fatalf("NB100 debit before enforcement: %s", got)
		}
		adjust(t, e, s, "instructionCredit", "10.00")

		e.Admin("PATCH", "/admin/v1/programs/"+s.ProgramCode, map[string]any{"termsEnforced": []string{"negBal"}}).Want(t, http.StatusOK)
		if got := debit("10.00"); got != "declined" {
			t.Fatalf("NB100 without accepted terms under enforcement: %s, want declined (zero floor)", got)
		}
		list := "/admin/v1/programs/" + s.ProgramCode + "/features/nb100/accounts"
		var page struct {
			FeatureID       string
			TermsIdentifier string
			TermsEnforced   bool
			Accounts        []struct {
				AccountIdentifier   string
				TermsAcceptanceFlag *bool
			}
			Next *string
		}
		e.Admin("GET", list+"?termsAccepted=false", nil).Want(t, http.StatusOK).Decode(t, &page)
		if page.FeatureID != "NB100" || page.TermsIdentifier != "negBal" || !page.TermsEnforced || len(page.Accounts) != 2 || page.Next != nil {
			t.Fatalf("unaccepted holders: %+v", page)
		}
		want := map[string]string{s.AccountID: "null", optedOut.base[len(optedOut.base)-36:]: "false"}
		for _, a := range page.Accounts {
			flag := "null"
			if a.TermsAcceptanceFlag != nil {
				flag = strconv.FormatBool(*a.TermsAcceptanceFlag)
			}
			if want[a.AccountIdentifier] != flag {
				t.Fatalf("holder %s terms %s; want %v", a.AccountIdentifier, flag, want)
			}
		}
		e.Admin("GET", list+"?limit=1", nil).Want(t, http.StatusOK).Decode(t, &page)
		if len(page.Accounts) != 1 || page.Next == nil {
			t.Fatalf("first page of all holders: %+v", page)
		}
		e.Admin("GET", list+"?termsAccepted=maybe", nil).Want(t, http.StatusBadRequest)
		e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/features/UCB1/accounts?termsAccepted=false", nil).Want(t, http.StatusBadRequest)
		e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/features/NOPE/accounts", nil).Want(t, http.StatusNotFound)

		// The backfill: the operator records the acceptance; NB100 works again.
		e.Admin("PUT", "/admin/v1/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/terms", map[string]any{
			"termsAcceptances": []any{map[string]any{"termsIdentifier": "negBal", "termsAcceptanceFlag": true}}}).Want(t, http.StatusOK)
		if got := debit("10.00"); got != "completed" {
			t.Fatalf("NB100 after the backfill: %s", got)
		}
		e.Admin("GET", list+"?termsAccepted=false", nil).Want(t, http.StatusOK).Decode(t, &page)
		if len(page.Accounts) != 1 {
			t.Fatalf("after the backfill: %+v", page)
		}
		verify(t, e)
	})
}
