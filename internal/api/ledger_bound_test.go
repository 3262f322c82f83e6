package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/ledger"
)

// postAdjustment posts an adjustment and answers the response as it came.
func postAdjustment(e *apitest.Env, s apitest.Seed, typ, amount, fee string) *apitest.Response {
	e.T.Helper()
	return e.Partner("POST", adjPath(s), map[string]any{"adjustmentIdentifier": uuid.NewString(), "amount": amount,
		"fee": fee, "currency": "USD", "adjustmentType": typ})
}

// A credit whose fee takes all of it moves the amount out of program
// funding and into fee income while the customer's balance stays where
// it was, so no customer limit stops a stream of them (issue 16: about
// 92,000 of the largest overflowed the program's reconciliation). It is
// refused as an invalid fee; a debit may carry any fee the balance covers.
func TestCreditFeeMustLeaveTheCustomerSomething(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		adjust(t, e, s, "promo", "20.00")
		for _, fee := range []string{"5.00", "5.01", "1000000000000.00"} {
			d := postAdjustment(e, s, "promo", "5.00", fee).WantDetail(t, http.StatusBadRequest, 640, 0)
			if !strings.Contains(d, "fee") {
				t.Fatalf("fee %s: description %q does not name the fee", fee, d)
			}
		}
		postAdjustment(e, s, "disbursement", "5.00", "4.99").WantDetail(t, http.StatusOK, 0, 0)
		postAdjustment(e, s, "achOut", "1.00", "3.00").WantDetail(t, http.StatusOK, 0, 0)
		if b := balance(t, e, s); b != "16.01" {
			t.Fatalf("balance %s, want 16.01", b)
		}
		verify(t, e)
	})
}

// Program accounts are bounded like customer balances: seeded next to
// their bound, a posting that would cross it is refused (400, 640, naming
// the field that moves it) and posts nothing, one that stays inside or
// moves back towards zero is taken, and ledger verify checks the program
// accounts' balances against their entries.
func TestProgramAccountsAreBounded(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		ctx := context.Background()
		adjust(t, e, s, "promo", "10.00", "fee", "0.10")
		funding, fees := ledger.FundingAccount(s.ProgramCode), ledger.FeeAccount(s.ProgramCode)
		set := func(account string, posted int64) {
			t.Helper()
			if _, err := e.App.DB.Exec(ctx, `UPDATE ledger_program_balances SET posted = ? WHERE account = ?`, posted, account); err != nil {
				t.Fatal(err)
			}
		}
		set(funding, -ledger.MaxProgramBalance+500) // 5.00 left to pay out
		d := postAdjustment(e, s, "promo", "5.01", "").WantDetail(t, http.StatusBadRequest, 640, 0)
		if !strings.Contains(d, "funding") {
			t.Fatalf("description %q", d)
		}
		postAdjustment(e, s, "promo", "5.00", "").WantDetail(t, http.StatusOK, 0, 0)
		postAdjustment(e, s, "promo", "0.01", "").WantDetail(t, http.StatusBadRequest, 640, 0)
		postAdjustment(e, s, "achOut", "1.00", "").WantDetail(t, http.StatusOK, 0, 0) // back towards zero

		set(funding, 0)
		set(fees, ledger.MaxProgramBalance-100) // 1.00 of fee income left
		d = postAdjustment(e, s, "promo", "2.00", "1.01").WantDetail(t, http.StatusBadRequest, 640, 0)
		if !strings.Contains(d, "fee account") {
			t.Fatalf("description %q", d)
		}
		postAdjustment(e, s, "promo", "2.00", "1.00").WantDetail(t, http.StatusOK, 0, 0)
		postAdjustment(e, s, "achOut", "1.00", "0.01").WantDetail(t, http.StatusBadRequest, 640, 0)
		if b := balance(t, e, s); b != "14.90" {
			t.Fatalf("balance %s, want 14.90 (refused postings moved money)", b)
		}

		set(fees, ledger.MaxProgramBalance+1) // only a change outside verdant gets here
		problems, err := e.App.Ledger.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(problems, "\n")
		for _, want := range []string{"program balance differs from the sum of its entries: " + funding,
			"program balance differs from the sum of its entries: " + fees, "program balance beyond its bound: " + fees} {
			if !strings.Contains(got, want) {
				t.Errorf("verify does not report %q:\n%s", want, got)
			}
		}
	})
}

// A day whose credits and debits add up beyond int64 (the volume of about
// 92,000 of the largest adjustments, written here directly as a few huge
// ones that cancel out) still reconciles, with exact totals.
func TestReconciliationTotalsBeyondInt64(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		ctx := context.Background()
		adjust(t, e, s, "promo", "10.00", "fee", "0.10")
		const huge = 1_000_000_000_000_000_000 // 10^18 minor units, each way, ten times
		at := e.Clock.Now().UnixMicro()
		funding := ledger.FundingAccount(s.ProgramCode)
		for i := 0; i < 20; i++ {
			typ, sign := "promo", int64(1)
			if i%2 == 1 {
				typ, sign = "promoReversal", -1
			}
			id := uuid.Must(uuid.NewV7()).String()
			if _, err := e.App.DB.Exec(ctx, `INSERT INTO adjustments (id, account_id, adjustment_id, program_code, type, amount,
				fee, currency, description, debit_to_negative, status, reason, request_hash, created_at)
				VALUES (?, ?, ?, ?, ?, ?, 0, 'USD', '', ?, 'completed', 'success', '', ?)`,
				id, s.AccountID, uuid.NewString(), s.ProgramCode, typ, int64(huge), false, at+int64(i)); err != nil {
				t.Fatal(err)
			}
			for _, leg := range []struct {
				account string
				amount  int64
			}{{s.AccountID, sign * huge}, {funding, -sign * huge}} {
				if _, err := e.App.DB.Exec(ctx, `INSERT INTO ledger_entries (id, posting_id, program_code, account, currency, amount, posted_at)
					VALUES (?, ?, ?, ?, 'USD', ?, ?)`, uuid.NewString(), id, s.ProgramCode, leg.account, leg.amount, at+int64(i)); err != nil {
					t.Fatal(err)
				}
			}
		}
		day := e.Clock.Now().Format(time.DateOnly)
		r := e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/reconciliation/"+day, nil).Want(t, http.StatusOK).JSON(t)
		tot := r["totals"].(map[string]any)
		want := map[string]any{"credits": "100000000000000010.00", "debits": "100000000000000000.00", "fees": "0.10",
			"net": "9.90", "customerMovement": "9.90", "ledgerClosing": "0.00", "tiesOut": true}
		for k, v := range want {
			if tot[k] != v {
				t.Errorf("totals.%s = %v, want %v", k, tot[k], v)
			}
		}
		verify(t, e) // every balance still equals its entries, exactly
	})
}
