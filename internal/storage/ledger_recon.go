package storage

import (
	"cmp"
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

// Day implements ledger.Store. It reads in one snapshot (DB.Snapshot), so
// the day's adjustments, its accounts and the ledger's closing agree even
// while postings go on, and streams every row to v as it comes off the
// cursor. Opening and closing balances are the stored balances less the
// entries posted since the start (end) of the day: the cost follows the
// day's entries and those posted after it, never the history before it.
// They equal the sums of the accounts' entries as long as every stored
// balance equals its entries (the first invariant ledger verify checks).
func (s *LedgerStore) Day(ctx context.Context, programCode string, from, to time.Time, v ledger.DayVisitor) (closing money.Sum, err error) {
	defer apperr.Op(&err, "storage.LedgerStore.Day(%s, %s)", programCode, from.Format(time.DateOnly))
	err = s.db.Snapshot(ctx, func(tx *Tx) error {
		if tx.Engine() == Postgres {
			// The accounts' aggregate costs enough for PostgreSQL to JIT-compile
			// it, which takes longer (~0.3 s) than the query it speeds up.
			if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
				return err
			}
		}
		page := cmp.Or(s.dayPage, dayPage)
		if err := dayAdjustments(ctx, tx, programCode, from, to, page, v); err != nil {
			return err
		}
		if err := dayAccounts(ctx, tx, programCode, from, to, v); err != nil {
			return err
		}
		closing, err = ledgerClosing(ctx, tx, programCode, to)
		return err
	})
	return closing, err
}

// dayPage is how many adjustments one query of dayAdjustments reads
// (LedgerStore.dayPage, when set, in tests).
const dayPage = 10_000

// dayAdjustments streams the adjustments created in [from, to), in
// (created_at, id) order, in pages of dayPage read by keyset off the
// index in that order (migration 00019): however busy the day, each
// query is an index range that the database neither sorts nor holds
// (given the whole day at once, PostgreSQL chose to sort it, on disk).
func dayAdjustments(ctx context.Context, tx *Tx, programCode string, from, to time.Time, page int, v ledger.DayVisitor) error {
	afterAt, afterID := Micros(from), "" // every id sorts after ""
	for {
		n, err := dayAdjustmentsPage(ctx, tx, programCode, afterAt, afterID, Micros(to), page, func(a ledger.Adjustment) error {
			afterAt, afterID = Micros(a.CreatedAt), a.ID
			return v.Adjustment(a)
		})
		if err != nil || n < page {
			return err
		}
	}
}

// dayAdjustmentsPage streams up to page adjustments after (afterAt,
// afterID) and before to, and answers how many.
func dayAdjustmentsPage(ctx context.Context, tx *Tx, programCode string, afterAt int64, afterID string, to int64, page int,
	fn func(ledger.Adjustment) error) (int, error) {
	rows, err := tx.Query(ctx, `SELECT `+adjustmentCols+` FROM adjustments
		WHERE program_code = ? AND (created_at, id) > (?, ?) AND created_at < ? ORDER BY created_at, id LIMIT ?`,
		programCode, afterAt, afterID, to, page)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		a, err := scanAdjustment(rows)
		if err != nil {
			return n, err
		}
		n++
		if err := fn(a); err != nil {
			return n, err
		}
	}
	return n, rows.Err()
}

// dayAccounts streams each ledger account with entries in [from, to):
// from the entries posted since from, its movement that day (d) and
// since (s); opening = stored balance - s, closing = opening + d. The
// groups come out in account order, so nothing is sorted twice.
func dayAccounts(ctx context.Context, tx *Tx, programCode string, from, to time.Time, v ledger.DayVisitor) error {
	balance, _ := storedBalances("e.account")
	rows, err := tx.Query(ctx, `SELECT e.account, `+sumPartsAs(`CASE WHEN e.posted_at < ? THEN e.amount ELSE 0 END`, "dh", "dl")+`,
		`+sumPartsAs(`e.amount`, "sh", "sl")+`, `+balance+`
		FROM ledger_entries e WHERE e.program_code = ? AND e.posted_at >= ?
		GROUP BY e.account HAVING SUM(CASE WHEN e.posted_at < ? THEN 1 ELSE 0 END) > 0 ORDER BY e.account`,
		Micros(to), Micros(to), programCode, Micros(from), Micros(to))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d ledger.AccountDay
		var dh, dl, sh, sl, stored int64
		if err := rows.Scan(&d.Account, &dh, &dl, &sh, &sl, &stored); err != nil {
			return err
		}
		opening := money.SumOf(stored).Minus(money.FromParts(sh, sl))
		var ok1, ok2 bool
		d.Opening, ok1 = opening.Int64()
		d.Closing, ok2 = opening.Plus(money.FromParts(dh, dl)).Int64()
		if !ok1 || !ok2 { // only a ledger changed outside verdant: every balance is bounded
			return fmt.Errorf("ledger account %s: balance beyond int64 (run verdant ledger verify)", d.Account)
		}
		if err := v.Account(d); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ledgerClosing is the sum of every ledger account of the program at to:
// every stored balance less the entries posted since.
func ledgerClosing(ctx context.Context, tx *Tx, programCode string, to time.Time) (money.Sum, error) {
	_, total := storedBalances("")
	var bh, bl, eh, el int64
	err := tx.QueryRow(ctx, `SELECT b.h, b.l, e.h, e.l FROM (`+total+`) b,
		(SELECT `+sumPartsAs(`amount`, "h", "l")+` FROM ledger_entries WHERE program_code = ? AND posted_at >= ?) e`,
		programCode, programCode, programCode, Micros(to)).Scan(&bh, &bl, &eh, &el)
	return money.FromParts(bh, bl).Minus(money.FromParts(eh, el)), err
}

// storedBalances is the one place the reconciliation reads stored
// balances (customer accounts: ledger_balances; program accounts:
// ledger_program_balances). one is the SQL expression of the stored
// balance of the ledger account named by the column account (0 if none);
// total is a query of the sum of every stored balance of a program as
// the two columns h, l of sumParts, with two ? for the program code.
func storedBalances(account string) (one, total string) {
	one = `COALESCE((SELECT posted FROM ledger_balances WHERE account_id = ` + account + `),
		(SELECT posted FROM ledger_program_balances WHERE account = ` + account + `), 0)`
	total = `SELECT CAST(SUM(x.h) AS BIGINT) AS h, CAST(SUM(x.l) AS BIGINT) AS l FROM (
		SELECT ` + sumPartsAs(`b.posted`, "h", "l") + ` FROM ledger_balances b JOIN accounts a ON a.id = b.account_id
			WHERE a.program_code = ?
		UNION ALL SELECT ` + sumPartsAs(`posted`, "h", "l") + ` FROM ledger_program_balances WHERE program_code = ?) x`
	return one, total
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
