package storage

import (
	"context"
	"fmt"
	"github.com/verdant-baas/verdant/internal/apperr"
	"time"

	"github.com/verdant-baas/verdant/internal/ledger"
)

// DayActivity implements ledger.Store.
func (s *LedgerStore) DayActivity(ctx context.Context, programCode string, from, to time.Time) (_ []ledger.Adjustment, _ []ledger.AccountDay, err error) {
	defer apperr.Op(&err, "storage.LedgerStore.DayActivity(%s)", programCode)
	rows, err := s.db.Query(ctx, `SELECT `+adjustmentCols+` FROM adjustments
		WHERE program_code = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, id`,
		programCode, Micros(from), Micros(to))
	if err != nil {
		return nil, nil, err
	}
	adjs, err := collectAdjustments(rows)
	if err != nil {
		return nil, nil, err
	}
	rows, err = s.db.Query(ctx, `SELECT account,
		CAST(SUM(CASE WHEN posted_at < ? THEN amount ELSE 0 END) AS BIGINT), CAST(SUM(amount) AS BIGINT)
		FROM ledger_entries WHERE program_code = ? AND posted_at < ? GROUP BY account ORDER BY account`,
		Micros(from), programCode, Micros(to))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	accts := []ledger.AccountDay{}
	for rows.Next() {
		var d ledger.AccountDay
		if err := rows.Scan(&d.Account, &d.Opening, &d.Closing); err != nil {
			return nil, nil, err
		}
		accts = append(accts, d)
	}
	return adjs, accts, rows.Err()
}

// verifyChecks are the ledger's invariants, each a query answering the
// rows that break it (subject, found, expected).
var verifyChecks = []struct{ name, q string }{
	{"balance differs from the sum of its entries", `SELECT b.account_id, b.posted,
		CAST(COALESCE((SELECT SUM(e.amount) FROM ledger_entries e WHERE e.account = b.account_id), 0) AS BIGINT) AS s
		FROM ledger_balances b WHERE b.posted <> COALESCE((SELECT SUM(e.amount) FROM ledger_entries e WHERE e.account = b.account_id), 0)`},
	{"customer entries without a balance row", `SELECT e.account, CAST(SUM(e.amount) AS BIGINT), 0 FROM ledger_entries e
		WHERE e.account NOT LIKE 'program:%' AND NOT EXISTS (SELECT 1 FROM ledger_balances b WHERE b.account_id = e.account)
		GROUP BY e.account HAVING SUM(e.amount) <> 0`},
	{"posting does not balance", `SELECT posting_id, CAST(SUM(amount) AS BIGINT), 0 FROM ledger_entries
		GROUP BY posting_id HAVING SUM(amount) <> 0`},
	{"ledger does not sum to zero", `SELECT currency, CAST(SUM(amount) AS BIGINT), 0 FROM ledger_entries
		GROUP BY currency HAVING SUM(amount) <> 0`},
	{"completed adjustment without entries", `SELECT a.id, 0, 1 FROM adjustments a WHERE a.status = 'completed'
		AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.posting_id = a.id)`},
	{"declined adjustment with entries", `SELECT a.id, 1, 0 FROM adjustments a WHERE a.status <> 'completed'
		AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.posting_id = a.id)`},
}

// Verify implements ledger.Store.
func (s *LedgerStore) Verify(ctx context.Context) (_ []string, err error) {
	defer apperr.Op(&err, "storage.LedgerStore.Verify()")
	var problems []string
	for _, c := range verifyChecks {
		rows, err := s.db.Query(ctx, c.q)
		if err != nil {
			return nil, fmt.Errorf("verify %q: %w", c.name, err)
		}
		for rows.Next() {
			var subject string
			var found, want int64
			if err := rows.Scan(&subject, &found, &want); err != nil {
				rows.Close()
				return nil, err
			}
			problems = append(problems, fmt.Sprintf("%s: %s (found %d, expected %d)", c.name, subject, found, want))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return problems, nil
}
