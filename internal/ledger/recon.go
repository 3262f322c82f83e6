package ledger

import (
	"context"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/money"
)

// AccountDay is one ledger account's balances over a day.
type AccountDay struct {
	Account string // customer account id, or a program account
	Opening int64
	Closing int64
}

// Totals sum a day's batch. They tie out when the customers' balances
// moved by exactly the net of the day's completed adjustments and the
// ledger (customers and program accounts together) still sums to zero.
//
// The money totals are money.Sums: a busy day's credits, or the closing
// balances of many accounts, can exceed int64 even though every single
// balance is bounded.
type Totals struct {
	Adjustments   int       `json:"adjustments"`
	Completed     int       `json:"completed"`
	Declined      int       `json:"declined"`
	Credits       money.Sum `json:"-"`
	Debits        money.Sum `json:"-"`
	Fees          money.Sum `json:"-"`
	Net           money.Sum `json:"-"` // credits - debits - fees (completed only)
	CustomerMove  money.Sum `json:"-"` // sum over customer accounts of closing - opening
	LedgerClosing money.Sum `json:"-"` // sum of every account's closing balance: 0
	TiesOut       bool      `json:"tiesOut"`
}

// ReportHead names a reconciliation; a ReportWriter gets it before any
// row.
type ReportHead struct {
	ProgramCode string
	Date        string // YYYY-MM-DD
	Currency    string
}

// DayVisitor receives a program's day row by row, as the store reads it.
type DayVisitor interface {
	// Adjustment is called for each adjustment created that day, in
	// (creation time, id) order.
	Adjustment(Adjustment) error
	// Account is called, after every adjustment, for each ledger account
	// with entries that day, in account order.
	Account(AccountDay) error
}

// ReportWriter writes a reconciliation as it is read: Head, then the
// rows (DayVisitor), then Totals, which come last because they are known
// only once every row has gone past. An error from any method ends the
// report.
type ReportWriter interface {
	Head(ReportHead) error
	DayVisitor
	Totals(Totals) error
}

// ParseDay parses a YYYY-MM-DD day and answers its UTC bounds.
func ParseDay(day string) (from, to time.Time, err error) {
	from, err = time.Parse(time.DateOnly, day)
	if err != nil {
		return from, to, apperr.Field("date", "date must be YYYY-MM-DD")
	}
	return from, from.AddDate(0, 0, 1), nil
}

// Reconcile writes a program's reconciliation for a day to w as the store
// reads it, and answers its totals. The day is validated before anything
// reaches w; every later error comes from the store or from w.
func (s *Service) Reconcile(ctx context.Context, programCode, currency, day string, w ReportWriter) (Totals, error) {
	from, to, err := ParseDay(day)
	if err != nil {
		return Totals{}, err
	}
	if err := w.Head(ReportHead{ProgramCode: programCode, Date: day, Currency: currency}); err != nil {
		return Totals{}, err
	}
	t := &tallying{next: w}
	closing, err := s.Store.Day(ctx, programCode, from, to, t)
	if err != nil {
		return Totals{}, err
	}
	tot := t.Close(closing)
	return tot, w.Totals(tot)
}

// tallying adds up each row on its way to the next visitor.
type tallying struct {
	Tallier
	next DayVisitor
}

func (t *tallying) Adjustment(a Adjustment) error { t.AddAdjustment(a); return t.next.Adjustment(a) }
func (t *tallying) Account(d AccountDay) error    { t.AddAccount(d); return t.next.Account(d) }

// IsProgramAccount reports whether a ledger account is one of a program's
// own (funding, fees) rather than a customer's.
func IsProgramAccount(account string) bool { return strings.HasPrefix(account, "program:") }

// Tallier adds up a day's totals one row at a time, so a report of any
// size is tallied in constant memory. The zero value is ready.
type Tallier struct{ t Totals }

// AddAdjustment counts one adjustment of the day.
func (tl *Tallier) AddAdjustment(a Adjustment) {
	t := &tl.t
	t.Adjustments++
	if a.Status != StatusCompleted {
		t.Declined++
		return
	}
	t.Completed++
	if a.Direction() == Credit {
		t.Credits = t.Credits.Add(a.Amount)
	} else {
		t.Debits = t.Debits.Add(a.Amount)
	}
	t.Fees = t.Fees.Add(a.Fee)
}

// AddAccount adds one account's movement over the day.
func (tl *Tallier) AddAccount(d AccountDay) {
	if !IsProgramAccount(d.Account) {
		tl.t.CustomerMove = tl.t.CustomerMove.Add(d.Closing).Add(-d.Opening)
	}
}

// Close answers the totals, given the sum of the closing balances of all
// the program's ledger accounts (those that did not move that day
// included), and whether they tie out.
func (tl *Tallier) Close(ledgerClosing money.Sum) Totals {
	t := tl.t
	t.Net = t.Credits.Minus(t.Debits).Minus(t.Fees)
	t.LedgerClosing = ledgerClosing
	t.TiesOut = t.Net == t.CustomerMove && t.LedgerClosing.IsZero()
	return t
}

// Tally computes the totals of a day and whether they tie out, when accts
// are every ledger account of the program.
func Tally(programCode string, adjs []Adjustment, accts []AccountDay) Totals {
	var tl Tallier
	var closing money.Sum
	for _, a := range adjs {
		tl.AddAdjustment(a)
	}
	for _, d := range accts {
		tl.AddAccount(d)
		closing = closing.Add(d.Closing)
	}
	return tl.Close(closing)
}
