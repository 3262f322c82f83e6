package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
)

// sumParts is SUM(expr) as two columns that cannot overflow in SQL
// whatever the number of rows or the order they are added in (SQLite
// raises an error when a running SUM leaves int64; PostgreSQL's CAST
// would): joined back exactly by money.FromParts.
func sumParts(expr string) string { return sumPartsAs(expr, "", "") }

// sumPartsAs is sumParts with the two columns named h and l (when not "").
func sumPartsAs(expr, h, l string) string {
	div := strconv.Itoa(1 << money.PartShift)
	if h != "" {
		h, l = " AS "+h, " AS "+l
	}
	return `CAST(COALESCE(SUM((` + expr + `) / ` + div + `), 0) AS BIGINT)` + h +
		`, CAST(COALESCE(SUM((` + expr + `) % ` + div + `), 0) AS BIGINT)` + l
}

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
		if !ok1 || !ok2 { // only a ledger changed outside verdant: every balance is bounded
			return nil, nil, fmt.Errorf("ledger account %s: balance beyond int64 (run verdant ledger verify)", d.Account)
		}
		accts = append(accts, d)
	}
	return adjs, accts, rows.Err()
}

// entrySums is every ledger account's sum of entries, as sumParts.
var entrySums = `SELECT account, ` + sumPartsAs(`amount`, "h", "l") + ` FROM ledger_entries GROUP BY account`

// verifyCheck is one of the ledger's invariants: a query answering, per
// subject, a found and an expected total, each as the two parts of
// sumParts ((0, v) for a plain value v). A row whose totals differ is a
// problem. Totals are compared in Go, exactly, so no check can overflow.
type verifyCheck struct{ name, q string }

// verifyChecks are the ledger's invariants: balances equal their entries
// (customers and program accounts), every entry has a balance, every
// posting balances, the ledger sums to zero per currency and per program,
// the program accounts equal what the completed adjustments moved, and
// every balance is within its bounds.
func verifyChecks() []verifyCheck {
	credits := make([]string, 0, len(ledger.Types()))
	// Every posting type: the partner's adjustment types and the
	// platform's retail postings.
	for _, t := range append(ledger.Types(), ledger.TypeRetailLoad, ledger.TypeRetailLoadVoid) {
		if d, _ := ledger.DirectionOf(t); d == ledger.Credit {
			credits = append(credits, "'"+t+"'")
		}
	}
	maxBal, floor := strconv.Itoa(ledger.MaxBalance), strconv.Itoa(ledger.NegativeFloorNB100)
	maxProg := strconv.Itoa(ledger.MaxProgramBalance)
	signed := `CASE WHEN a.type IN (` + strings.Join(credits, ", ") + `) THEN -a.amount ELSE a.amount END`
	return []verifyCheck{
		{name: "balance differs from the sum of its entries", q: `SELECT b.account_id, 0, b.posted,
			COALESCE(e.h, 0), COALESCE(e.l, 0) FROM ledger_balances b
			LEFT JOIN (` + entrySums + `) e ON e.account = b.account_id`},
		{name: "program balance differs from the sum of its entries", q: `SELECT b.account, 0, b.posted,
			COALESCE(e.h, 0), COALESCE(e.l, 0) FROM ledger_program_balances b
			LEFT JOIN (` + entrySums + `) e ON e.account = b.account`},
		{name: "entries without a balance row", q: `SELECT e.account, e.h, e.l, 0, 0 FROM (` + entrySums + `) e
			WHERE NOT EXISTS (SELECT 1 FROM ledger_balances b WHERE b.account_id = e.account)
			AND NOT EXISTS (SELECT 1 FROM ledger_program_balances p WHERE p.account = e.account)`},
		{name: "posting does not balance", q: `SELECT posting_id, ` + sumParts(`amount`) + `, 0, 0 FROM ledger_entries
			GROUP BY posting_id HAVING SUM(amount) <> 0`}, // at most four legs: this SUM cannot overflow
		{name: "ledger does not sum to zero", q: `SELECT currency, ` + sumParts(`amount`) + `, 0, 0 FROM ledger_entries GROUP BY currency`},
		{name: "program ledger does not sum to zero", q: `SELECT program_code, ` + sumParts(`amount`) + `, 0, 0 FROM ledger_entries GROUP BY program_code`},
		{name: "program funding differs from its completed adjustments", q: `SELECT p.code, COALESCE(e.h, 0), COALESCE(e.l, 0),
			COALESCE(a.h, 0), COALESCE(a.l, 0) FROM programs p
			LEFT JOIN (` + entrySums + `) e ON e.account = 'program:' || p.code || ':funding'
			LEFT JOIN (SELECT a.program_code, ` + sumPartsAs(signed, "h", "l") + ` FROM adjustments a WHERE a.status = 'completed'
				GROUP BY a.program_code) a ON a.program_code = p.code`},
		{name: "program fee income differs from its completed adjustments", q: `SELECT p.code, COALESCE(e.h, 0), COALESCE(e.l, 0),
			COALESCE(a.h, 0), COALESCE(a.l, 0) FROM programs p
			LEFT JOIN (` + entrySums + `) e ON e.account = 'program:' || p.code || ':fees'
			LEFT JOIN (SELECT a.program_code, ` + sumPartsAs(`a.fee`, "h", "l") + ` FROM adjustments a WHERE a.status = 'completed'
				GROUP BY a.program_code) a ON a.program_code = p.code`},
		{name: "completed adjustment without entries", q: `SELECT a.id, 0, 0, 0, 1 FROM adjustments a WHERE a.status = 'completed'
			AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.posting_id = a.id)`},
		{name: "declined adjustment with entries", q: `SELECT a.id, 0, 1, 0, 0 FROM adjustments a WHERE a.status <> 'completed'
			AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.posting_id = a.id)`},
		{name: "balance beyond its bound", q: `SELECT account_id, 0, posted, 0, CASE WHEN posted > 0 THEN ` + maxBal + ` ELSE ` + floor + ` END
			FROM ledger_balances WHERE posted > ` + maxBal + ` OR posted < ` + floor},
		{name: "program balance beyond its bound", q: `SELECT account, 0, posted, 0, CASE WHEN posted > 0 THEN ` + maxProg + ` ELSE -` + maxProg + ` END
			FROM ledger_program_balances WHERE posted > ` + maxProg + ` OR posted < -` + maxProg},
	}
}

// Verify implements ledger.Store.
func (s *LedgerStore) Verify(ctx context.Context) (_ []string, err error) {
	defer apperr.Op(&err, "storage.LedgerStore.Verify()")
	var problems []string
	for _, c := range verifyChecks() {
		found, err := s.verify(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("verify %q: %w", c.name, err)
		}
		problems = append(problems, found...)
	}
	return problems, nil
}

func (s *LedgerStore) verify(ctx context.Context, c verifyCheck) ([]string, error) {
	rows, err := s.db.Query(ctx, c.q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var subject string
		var fh, fl, wh, wl int64
		if err := rows.Scan(&subject, &fh, &fl, &wh, &wl); err != nil {
			return nil, err
		}
		if found, want := money.FromParts(fh, fl), money.FromParts(wh, wl); found != want {
			problems = append(problems, fmt.Sprintf("%s: %s (found %s, expected %s)", c.name, subject, found, want))
		}
	}
	return problems, rows.Err()
}
