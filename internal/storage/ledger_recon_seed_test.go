package storage_test

import (
	"context"
	"testing"

	"github.com/verdant-baas/verdant/internal/storage"
)

// seq is a recursive CTE counting k from 0 to n-1 (both engines), as
// the source of a bulk INSERT ... SELECT: one statement per table instead
// of a million round trips.
const seq = `WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < CAST(? AS INTEGER) - 1) `

// seedReconBench writes the benchmark's ledger straight into the tables
// (the posting path would take hours): partner, programs SMALL and LARGE,
// their accounts, the day's adjustments on both, LARGE's history, every
// completed adjustment's entries, and balances equal to the entries.
func seedReconBench(b *testing.B, db *storage.DB) {
	b.Helper()
	ctx := context.Background()
	exec := func(q string, args ...any) {
		b.Helper()
		if _, err := db.Exec(ctx, q, args...); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	exec(`INSERT INTO partners (id, name, client_id, secret_hash, created_at, updated_at) VALUES ('bench', 'Bench', 'bench', '', 0, 0)`)
	day := storage.Micros(benchDay)
	const dayMicros = 86_400_000_000
	for _, p := range []struct {
		code     string
		accounts int
	}{{"SMALL", benchDayAccounts}, {"LARGE", benchDayAccounts + benchOtherAccounts}} {
		exec(`INSERT INTO programs (code, partner_id, name, bin, created_at, updated_at) VALUES (?, 'bench', ?, '499998', 0, 0)`, p.code, p.code)
		exec(`INSERT INTO accounts (id, program_code, status, first_name, last_name, zip_code, created_at, updated_at) `+seq+
			`SELECT CAST(? AS TEXT) || '-a' || CAST(k AS TEXT), CAST(? AS TEXT), 'active', 'A', 'B', '10001', 0, 0 FROM s`,
			p.accounts, p.code, p.code)
		// The day: credits (a third with a fee) and debits, one in 50 declined.
		seedReconAdjustments(b, db, p.code, "d", benchDayAdjustments, benchDayAccounts, day, dayMicros/benchDayAdjustments)
	}
	// LARGE's history: completed credits and debits without fees (two
	// entries each) over the 30 days before, on every account.
	seedReconAdjustments(b, db, "LARGE", "h", benchHistory/2, benchDayAccounts+benchOtherAccounts,
		day-30*dayMicros, 30*dayMicros/(benchHistory/2))
	seedEntriesAndBalances(b, db)
}

// seedAdjustments inserts n adjustments of program code named code-tag-k,
// on accounts k mod accounts, the k-th at start + k*step. History ("h")
// has no fees and no declines.
func seedReconAdjustments(b *testing.B, db *storage.DB, code, tag string, n, accounts int, start, step int64) {
	b.Helper()
	fee := `CASE WHEN k % 6 = 0 THEN 25 ELSE 0 END`
	status := `CASE WHEN k % 50 = 49 THEN 'declined' ELSE 'completed' END, CASE WHEN k % 50 = 49 THEN 'insufficientFunds' ELSE 'success' END`
	if tag == "h" {
		fee, status = `0`, `'completed', 'success'`
	}
	q := `INSERT INTO adjustments (id, account_id, adjustment_id, program_code, type, amount, fee, currency, description,
		debit_to_negative, status, reason, request_hash, created_at) ` + seq + `
		SELECT CAST(? AS TEXT) || '-' || CAST(? AS TEXT) || '-' || CAST(k AS TEXT),
			CAST(? AS TEXT) || '-a' || CAST(k % CAST(? AS INTEGER) AS TEXT), CAST(? AS TEXT) || CAST(k AS TEXT), CAST(? AS TEXT),
			CASE WHEN k % 2 = 0 THEN 'promo' ELSE 'achOut' END, 1000 + k % 7, ` + fee + `, 'USD', 'seeded', FALSE,
			` + status + `, '',
			CAST(? AS BIGINT) + k * CAST(? AS BIGINT) FROM s`
	if _, err := db.Exec(context.Background(), q, n, code, tag, code, accounts, tag, code, start, step); err != nil {
		b.Fatalf("%v\n%s", err, q)
	}
}

// seedEntriesAndBalances posts every completed adjustment's legs (the
// ledger's rules: a credit moves funding to the customer, a debit the
// other way, a fee the customer to fee income) and sets every balance to
// the sum of its entries.
func seedEntriesAndBalances(b *testing.B, db *storage.DB) {
	b.Helper()
	ctx := context.Background()
	signed := `CASE WHEN a.type = 'promo' THEN a.amount ELSE -a.amount END`
	for _, leg := range []struct{ suffix, account, amount, where string }{
		{"c", `a.account_id`, signed, ``},
		{"f", `'program:' || a.program_code || ':funding'`, `-(` + signed + `)`, ``},
		{"cf", `a.account_id`, `-a.fee`, ` AND a.fee > 0`},
		{"ff", `'program:' || a.program_code || ':fees'`, `a.fee`, ` AND a.fee > 0`},
	} {
		q := `INSERT INTO ledger_entries (id, posting_id, program_code, account, currency, amount, posted_at)
			SELECT a.id || '-` + leg.suffix + `', a.id, a.program_code, ` + leg.account + `, 'USD', ` + leg.amount + `, a.created_at
			FROM adjustments a WHERE a.status = 'completed'` + leg.where
		if _, err := db.Exec(ctx, q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	for _, q := range []string{
		`INSERT INTO ledger_balances (account_id, currency, posted, updated_at)
			SELECT account, 'USD', SUM(amount), 0 FROM ledger_entries WHERE account NOT LIKE 'program:%' GROUP BY account`,
		`INSERT INTO ledger_program_balances (account, program_code, currency, posted, updated_at)
			SELECT account, MIN(program_code), 'USD', SUM(amount), 0 FROM ledger_entries WHERE account LIKE 'program:%' GROUP BY account`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	if db.Engine == storage.Postgres {
		// What autovacuum does after a bulk load; SQLite keeps no statistics.
		if _, err := db.Exec(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
}
