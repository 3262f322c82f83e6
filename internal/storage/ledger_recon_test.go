package storage_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/program"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

// reconDay is the first reported day of the seeded ledger (UTC).
var reconDay = time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)

// seedReconHistory posts, through the ledger service, a history around
// reconDay: the days before and after it, its first and last
// microsecond, fees, declines, an account that moves on a day and back
// to where it was, accounts that do not move that day, two postings at
// the same microsecond, and a second program posting on the same days.
func seedReconHistory(t *testing.T, st *stores) (prog program.Program, accts []string) {
	t.Helper()
	ctx := context.Background()
	_, prog, first := seedPlatform(t, st)
	other, err := (&program.Service{Store: st.Programs, Now: time.Now}).Create(ctx, program.Program{Code: "OTHER",
		PartnerID: prog.PartnerID, Name: "Other", BIN: "499997"})
	if err != nil {
		t.Fatal(err)
	}
	open := func(code string) string {
		a, err := (&account.Service{Store: st.Accounts, Now: time.Now}).Open(ctx, code, account.Holder{FirstName: "A", LastName: "B", ZipCode: "10001"}, "")
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	accts = []string{first.ID, open(prog.Code), open(prog.Code), open(prog.Code)}
	stranger := open(other.Code)
	var now time.Time
	svc := &ledger.Service{Store: st.Ledgers, Now: func() time.Time { return now }}
	post := func(at time.Time, code, acct, typ string, amount, fee int64) {
		t.Helper()
		now = at
		if _, err := svc.Post(ctx, ledger.Request{ProgramCode: code, AccountID: acct, AdjustmentID: uuid.NewString(),
			Type: typ, Amount: amount, Fee: fee, Currency: "USD", Description: "=seeded"}); err != nil {
			t.Fatal(err)
		}
	}
	d := func(days int, offset time.Duration) time.Time { return reconDay.AddDate(0, 0, days).Add(offset) }
	for i, a := range accts[:3] { // history: two days before
		post(d(-2, time.Duration(i)*time.Hour), prog.Code, a, "instructionCredit", 100_00*int64(i+1), 0)
	}
	post(d(-1, 5*time.Hour), prog.Code, accts[0], "achOut", 10_00, 25)
	post(d(0, 0), prog.Code, accts[0], "promo", 5_00, 10)             // the day's first microsecond
	post(d(0, time.Hour), prog.Code, accts[1], "achOut", 9_999_00, 0) // declined
	post(d(0, 2*time.Hour), prog.Code, accts[1], "achOut", 20_00, 50)
	post(d(0, 3*time.Hour), prog.Code, accts[3], "disbursement", 7_25, 0) // first posting of this account
	post(d(0, 4*time.Hour), prog.Code, accts[2], "promo", 1_00, 0)        // moves and comes back
	post(d(0, 5*time.Hour), prog.Code, accts[2], "promoReversal", 1_00, 0)
	post(d(0, 5*time.Hour), prog.Code, accts[3], "promo", 50, 0) // same time: across a page of 2
	post(d(0, 5*time.Hour), other.Code, stranger, "promo", 3_00, 0)
	post(d(1, -time.Microsecond), prog.Code, accts[0], "anyDebitOut", 2_00, 0) // the day's last microsecond
	post(d(1, 0), prog.Code, accts[1], "promo", 4_00, 5)                       // the next day
	post(d(3, time.Hour), prog.Code, accts[0], "achOutReversal", 10_00, 0)
	return prog, accts
}

// movedOn answers the ledger accounts with entries in [from, to).
func movedOn(t *testing.T, db *storage.DB, code string, from, to time.Time) map[string]bool {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT DISTINCT account FROM ledger_entries
		WHERE program_code = ? AND posted_at >= ? AND posted_at < ?`, code, storage.Micros(from), storage.Micros(to))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out[a] = true
	}
	return out
}

// The streamed reconciliation answers what the one it replaced answered
// on the same ledger, for days before, on, between and after postings:
// the same adjustments, the same totals (ledgerClosing over every
// account), and the same balances for every account that moved; an
// account the old one listed and the new one does not did not move.
func TestReconciliationStreamedEqualsReference(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		prog, _ := seedReconHistory(t, st)
		paged := storage.NewLedgerStore(db)
		paged.SetDayPage(2) // every page boundary: full, partial, empty last page
		for days := -3; days <= 4; days++ {
			day := reconDay.AddDate(0, 0, days)
			t.Run(day.Format(time.DateOnly), func(t *testing.T) {
				var got, gotPaged ledger.Collector
				tot, err := (&ledger.Service{Store: st.Ledgers}).Reconcile(ctx, prog.Code, "USD", day.Format(time.DateOnly), &got)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := (&ledger.Service{Store: paged}).Reconcile(ctx, prog.Code, "USD", day.Format(time.DateOnly), &gotPaged); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, gotPaged) {
					t.Errorf("read in pages of 2:\n%+v\nin one:\n%+v", gotPaged.R, got.R)
				}
				adjs, accts, err := st.Ledgers.DayActivityReference(ctx, prog.Code, day, day.AddDate(0, 0, 1))
				if err != nil {
					t.Fatal(err)
				}
				if want := ledger.Tally(prog.Code, adjs, accts); tot != want || got.R.Totals != want {
					t.Errorf("totals %+v, want %+v", tot, want)
				}
				if !reflect.DeepEqual(got.R.Adjustments, append([]ledger.Adjustment{}, adjs...)) {
					t.Errorf("adjustments differ:\n got %+v\nwant %+v", got.R.Adjustments, adjs)
				}
				moved := movedOn(t, db, prog.Code, day, day.AddDate(0, 0, 1))
				var want []ledger.AccountDay
				for _, a := range accts {
					if moved[a.Account] {
						want = append(want, a)
					} else if a.Opening != a.Closing {
						t.Errorf("%s: moved without entries that day: %+v", a.Account, a)
					}
				}
				if fmt.Sprint(got.R.Accounts) != fmt.Sprint(want) || len(got.R.Accounts) != len(moved) {
					t.Errorf("accounts\n got %+v\nwant %+v (moved: %v)", got.R.Accounts, want, moved)
				}
				if !tot.TiesOut {
					t.Errorf("does not tie out: %+v", tot)
				}
			})
		}
	})
}
