package ledger

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
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

// Reconciliation is a program's daily batch: every adjustment created that
// day (UTC) and every ledger account's opening and closing balance.
type Reconciliation struct {
	ProgramCode string
	Date        string // YYYY-MM-DD
	Currency    string
	Adjustments []Adjustment
	Accounts    []AccountDay
	Totals      Totals
}

// ParseDay parses a YYYY-MM-DD day and answers its UTC bounds.
func ParseDay(day string) (from, to time.Time, err error) {
	from, err = time.Parse(time.DateOnly, day)
	if err != nil {
		return from, to, apperr.Field("date", "date must be YYYY-MM-DD")
	}
	return from, from.AddDate(0, 0, 1), nil
}

// Reconcile builds a program's reconciliation for a day.
func (s *Service) Reconcile(ctx context.Context, programCode, currency, day string) (Reconciliation, error) {
	from, to, err := ParseDay(day)
	if err != nil {
		return Reconciliation{}, err
	}
	adjs, accts, err := s.Store.DayActivity(ctx, programCode, from, to)
	if err != nil {
		return Reconciliation{}, err
	}
	return Reconciliation{ProgramCode: programCode, Date: day, Currency: currency, Adjustments: adjs,
		Accounts: accts, Totals: Tally(programCode, adjs, accts)}, nil
}

// IsProgramAccount reports whether a ledger account is one of a program's
// own (funding, fees) rather than a customer's.
func IsProgramAccount(account string) bool { return strings.HasPrefix(account, "program:") }

// Tally computes the totals of a day and whether they tie out.
func Tally(programCode string, adjs []Adjustment, accts []AccountDay) Totals {
	var t Totals
	for _, a := range adjs {
		t.Adjustments++
		if a.Status != StatusCompleted {
			t.Declined++
			continue
		}
		t.Completed++
		if a.Direction() == Credit {
			t.Credits = t.Credits.Add(a.Amount)
		} else {
			t.Debits = t.Debits.Add(a.Amount)
		}
		t.Fees = t.Fees.Add(a.Fee)
	}
	t.Net = t.Credits.Minus(t.Debits).Minus(t.Fees)
	for _, d := range accts {
		t.LedgerClosing = t.LedgerClosing.Add(d.Closing)
		if !IsProgramAccount(d.Account) {
			t.CustomerMove = t.CustomerMove.Add(d.Closing).Add(-d.Opening)
		}
	}
	t.TiesOut = t.Net == t.CustomerMove && t.LedgerClosing.IsZero()
	return t
}

// CSVHeader is the one header of the reconciliation CSV. Every row has
// every column: recordType says which ones it fills ("adjustment": the
// batch; "balance": account, currency, openingBalance, closingBalance;
// "total": description names the total, amount holds its value).
var CSVHeader = []string{"recordType", "account", "adjustmentIdentifier", "transactionIdentifier", "adjustmentType",
	"direction", "amount", "fee", "currency", "adjustmentStatus", "adjustmentStatusReason", "transactionDate",
	"description", "openingBalance", "closingBalance"}

// csvText neutralises partner-supplied text that a spreadsheet would run
// as a formula (=, +, -, @, tab, CR first), by prefixing a quote.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteCSV writes the reconciliation as one CSV table: the adjustment
// batch, then each account's balances, then the totals.
func (r Reconciliation) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, a := range r.Adjustments {
		cw.Write([]string{"adjustment", a.AccountID, a.AdjustmentID, a.ID, a.Type, a.Direction().String(),
			money.Format(a.Amount), money.Format(a.Fee), a.Currency, a.Status, a.Reason,
			a.CreatedAt.UTC().Format(time.RFC3339Nano), csvText(a.Description), "", ""})
	}
	for _, d := range r.Accounts {
		cw.Write([]string{"balance", d.Account, "", "", "", "", "", "", r.Currency, "", "", "", "",
			money.Format(d.Opening), money.Format(d.Closing)})
	}
	t := r.Totals
	for _, kv := range [][2]string{
		{"adjustments", strconv.Itoa(t.Adjustments)}, {"completed", strconv.Itoa(t.Completed)},
		{"declined", strconv.Itoa(t.Declined)}, {"credits", t.Credits.Format()}, {"debits", t.Debits.Format()},
		{"fees", t.Fees.Format()}, {"net", t.Net.Format()}, {"customerMovement", t.CustomerMove.Format()},
		{"ledgerClosing", t.LedgerClosing.Format()}, {"tiesOut", strconv.FormatBool(t.TiesOut)},
	} {
		cw.Write([]string{"total", "", "", "", "", "", kv[1], "", r.Currency, "", "", "", kv[0], "", ""})
	}
	cw.Flush()
	return cw.Error()
}
