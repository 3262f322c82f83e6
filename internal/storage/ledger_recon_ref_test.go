package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
)

// DayActivityReference is the reconciliation's reading as it was before
// it was streamed (issue 18), kept to prove the streamed one equal to it
// and to benchmark against: every adjustment of the day collected, and
// every ledger account of the program ever posted to before the day's
// end, its balances summed from all of its entries.
func (s *LedgerStore) DayActivityReference(ctx context.Context, programCode string, from, to time.Time) ([]ledger.Adjustment, []ledger.AccountDay, error) {
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
	rows, err = s.db.Query(ctx, `SELECT account, `+sumParts(`CASE WHEN posted_at < ? THEN amount ELSE 0 END`)+`,
		`+sumParts(`amount`)+` FROM ledger_entries WHERE program_code = ? AND posted_at < ? GROUP BY account ORDER BY account`,
		Micros(from), Micros(from), programCode, Micros(to))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	accts := []ledger.AccountDay{}
	for rows.Next() {
		var d ledger.AccountDay
		var oh, ol, ch, cl int64
		if err := rows.Scan(&d.Account, &oh, &ol, &ch, &cl); err != nil {
			return nil, nil, err
		}
		var ok1, ok2 bool
		d.Opening, ok1 = money.FromParts(oh, ol).Int64()
		d.Closing, ok2 = money.FromParts(ch, cl).Int64()
		if !ok1 || !ok2 {
			return nil, nil, fmt.Errorf("ledger account %s: balance beyond int64", d.Account)
		}
		accts = append(accts, d)
	}
	return adjs, accts, rows.Err()
}
