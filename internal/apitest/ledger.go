package apitest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/storage"
)

// SeedLedger writes n completed disbursements of 1.00 on an account
// straight into the ledger tables (an adjustment and its two entries
// each), in batches, and sets the account's balance to match: the
// shape the ledger itself writes, n times faster. It is for tests and benchmarks of
// pages over large accounts (the console's ledger paging), which may not
// import internal/storage themselves.
func SeedLedger(t testing.TB, a *app.App, programCode, accountID string, n int) {
	t.Helper()
	db := a.DB
	ctx := context.Background()
	start := time.Now().Add(-time.Duration(n) * time.Second).UTC()
	const batch = 400
	for from := 0; from < n; from += batch {
		to := min(from+batch, n)
		err := db.Tx(ctx, func(tx *storage.Tx) error {
			var adj, ent []string
			var aargs, eargs []any
			for i := from; i < to; i++ {
				id, at := uuid.Must(uuid.NewV7()).String(), storage.Micros(start.Add(time.Duration(i)*time.Second))
				adj = append(adj, "(?, ?, ?, ?, 'disbursement', 100, 0, 'USD', ?, FALSE, 'completed', '', '', ?)")
				aargs = append(aargs, id, accountID, uuid.NewString(), programCode, fmt.Sprintf("seeded %d", i), at)
				ent = append(ent, "(?, ?, ?, ?, 'USD', ?, ?)", "(?, ?, ?, ?, 'USD', ?, ?)")
				eargs = append(eargs, uuid.Must(uuid.NewV7()).String(), id, programCode, ledger.FundingAccount(programCode), -100, at,
					uuid.Must(uuid.NewV7()).String(), id, programCode, accountID, 100, at)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO adjustments (id, account_id, adjustment_id, program_code, type, amount, fee,
				currency, description, debit_to_negative, status, reason, request_hash, created_at) VALUES `+strings.Join(adj, ","), aargs...); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO ledger_entries (id, posting_id, program_code, account, currency, amount, posted_at)
				VALUES `+strings.Join(ent, ","), eargs...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(ctx, `UPDATE ledger_balances SET posted = posted + ? WHERE account_id = ?`, int64(n)*100, accountID); err != nil {
		t.Fatal(err)
	}
	// PostgreSQL's autovacuum analyses a table after such a load; a bulk
	// load in a test is faster than autovacuum notices, so do its work.
	if db.Engine == storage.Postgres {
		if _, err := db.Exec(ctx, `ANALYZE adjustments, ledger_entries`); err != nil {
			t.Fatal(err)
		}
	}
}
