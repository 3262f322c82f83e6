package storage_test

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

// listed is an adjustment as the listing orders it.
type listed struct {
	at int64
	id string
}

// seedAdjustments inserts n adjustments on accountID straight into the
// table, in groups of three sharing a microsecond (ties broken by id), one
// in five declined, and answers the completed ones.
func seedAdjustments(t *testing.T, db *storage.DB, programCode, accountID string, base int64, n int) []listed {
	t.Helper()
	var out []listed
	for i := range n {
		id, at, status := uuid.NewString(), base+int64(i/3), "completed"
		if i%5 == 4 {
			status = "declined"
		} else {
			out = append(out, listed{at, id})
		}
		if _, err := db.Exec(context.Background(), `INSERT INTO adjustments (id, account_id, adjustment_id, program_code,
			type, amount, fee, currency, description, debit_to_negative, status, reason, request_hash, created_at)
			VALUES (?, ?, ?, ?, 'disbursement', 100, 0, 'USD', '', FALSE, ?, '', '', ?)`,
			id, accountID, uuid.NewString(), programCode, status, at); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// Paging through an account's transactions by cursor answers each
// completed one once, newest first (ties by id), within the date filter,
// whatever the page size: the same on both engines.
func TestTransactionsKeysetPaging(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		_, prog, acct := seedPlatform(t, st)
		other, err := (&account.Service{Store: st.Accounts, Now: time.Now}).Open(ctx, prog.Code, account.Holder{FirstName: "C",
			LastName: "D", ZipCode: "10001"}, "")
		if err != nil {
			t.Fatal(err)
		}
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixMicro()
		all := seedAdjustments(t, db, prog.Code, acct.ID, base, 90)
		seedAdjustments(t, db, prog.Code, other.ID, base, 12)
		slices.SortFunc(all, func(a, b listed) int { return cmp.Or(cmp.Compare(b.at, a.at), strings.Compare(b.id, a.id)) })
		for _, f := range []struct {
			name     string
			from, to int64 // 0: none
		}{{"all", 0, 0}, {"from", base + 7, 0}, {"to", 0, base + 20}, {"both", base + 4, base + 25}, {"empty", base + 40, base + 41}} {
			var want []listed
			for _, a := range all {
				if (f.from == 0 || a.at >= f.from) && (f.to == 0 || a.at < f.to) {
					want = append(want, a)
				}
			}
			for _, limit := range []int{1, 2, 7, 50, 100} {
				q := ledger.TransactionQuery{AccountID: acct.ID, Limit: limit}
				if f.from != 0 {
					q.From = time.UnixMicro(f.from).UTC()
				}
				if f.to != 0 {
					q.To = time.UnixMicro(f.to).UTC()
				}
				var got []listed
				for pages := 0; ; pages++ {
					page, err := st.Ledgers.Transactions(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, a := range page {
						got = append(got, listed{storage.Micros(a.CreatedAt), a.ID})
					}
					if len(page) < limit || pages > len(all) {
						break
					}
					last := page[len(page)-1]
					q.BeforeAt, q.BeforeID = last.CreatedAt, last.ID
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s, pages of %d: %d transactions, want %d\ngot  %v\nwant %v", f.name, limit, len(got), len(want), got, want)
				}
			}
		}
	})
}

// The listing's every statement shape, with and without a start date, a
// cursor or an end date, is a walk of the listing index in order, never a
// sort, for an account with thousands of postings among thousands with a
// few: on SQLite, and on PostgreSQL (fresh statistics) as it runs it,
// planned for the account on each call.
func TestTransactionsListingPlan(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		creds, prog, acct := seedPlatform(t, st)
		// The shape that misled PostgreSQL's generic plan: many accounts
		// with a few postings each (so the average account looks cheap to
		// sort) and one with thousands.
		storagetest.FillAccounts(t, db, storagetest.Filler{ProgramCode: prog.Code, PartnerID: creds.Partner.ID, BIN: prog.BIN,
			Accounts: 3000, Postings: 4, At: time.Now()})
		storagetest.SeedLedger(t, db, prog.Code, acct.ID, 5000)
		now := time.Now().UTC()
		for _, q := range []ledger.TransactionQuery{
			{AccountID: acct.ID, Limit: 50},
			{AccountID: acct.ID, Limit: 100, From: now.Add(-time.Hour)},
			{AccountID: acct.ID, Limit: 7, To: now, BeforeAt: now.Add(-time.Minute), BeforeID: uuid.NewString()},
			{AccountID: acct.ID, Limit: 1, From: now.Add(-time.Hour), To: now},
		} {
			sql, args := storage.ListQuery(q)
			plan, err := db.Plan(ctx, false, sql, args...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(plan, "adjustments_account_listing") || strings.Contains(plan, "Sort") ||
				strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "Bitmap") {
				t.Fatalf("listing %+v does not walk the listing index:\n%s", q, plan)
			}
		}
	})
}

var (
	aliasRE = regexp.MustCompile(`(?:FROM|JOIN) (\w+) (\w+)`)
	scanRE  = regexp.MustCompile(`(?:Seq Scan on|SCAN) (\w+)`)
)

// The other hot reads of the partner calls find their rows through an
// index on both engines, generic plan or not, in a database grown with
// thousands of accounts, cards and postings: none reads a whole table of
// those, so none slows as they grow.
func TestHotReadPlans(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		creds, prog, acct := seedPlatform(t, st)
		now := time.Now()
		storagetest.FillAccounts(t, db, storagetest.Filler{ProgramCode: prog.Code, PartnerID: creds.Partner.ID, BIN: prog.BIN,
			Accounts: 3000, Postings: 2, Lookups: 3000, At: now})
		storagetest.SeedValidations(t, db, storagetest.Validations{AccountID: acct.ID, PartnerID: creds.Partner.ID,
			MerchantID: "M1", N: 2000, At: now, HoldUntil: now.Add(time.Minute)})
		args := map[string][]any{
			"cardholder":     {strings.Repeat("ab", 32), creds.Partner.ID},
			"targets by PAN": {creds.Partner.ID, strings.Repeat("ab", 32)},
			"target":         {creds.Partner.ID, acct.ID},
			"limit totals":   {acct.ID, now.Truncate(24 * time.Hour).UnixMicro(), now.UnixMicro()},
			"balance":        {acct.ID},
		}
		big := []string{"accounts", "cards", "adjustments", "ledger_entries", "ledger_balances", "retail_validations",
			"retail_loads", "customer_lookups", "card_delivery_events"}
		for name, q := range storage.HotReads {
			// A table is named in a plan by itself or by its alias.
			names := map[string]string{}
			for _, m := range aliasRE.FindAllStringSubmatch(q, -1) {
				names[m[1]], names[m[2]] = m[1], m[1]
			}
			for _, generic := range []bool{false, true} {
				plan, err := db.Plan(ctx, generic, q, args[name]...)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for _, m := range scanRE.FindAllStringSubmatch(plan, -1) {
					if table := names[m[1]]; slices.Contains(big, table) || slices.Contains(big, m[1]) {
						t.Fatalf("%s (generic %v) reads all of %s:\n%s", name, generic, m[1], plan)
					}
				}
			}
		}
	})
}
