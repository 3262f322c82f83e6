package ledger

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/money"
)

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

// CSVReport writes a reconciliation as one CSV table, row by row: the
// adjustment batch, then each account's balances, then the totals. The
// "total" rows come last, the tiesOut one last of all, so a file that
// stops short of it was cut off.
type CSVReport struct {
	cw       *csv.Writer
	currency string
	row      []string
}

// NewCSVReport answers a ReportWriter of CSV to w.
func NewCSVReport(w io.Writer) *CSVReport {
	return &CSVReport{cw: csv.NewWriter(w), row: make([]string, len(CSVHeader))}
}

// Head implements ReportWriter.
func (c *CSVReport) Head(h ReportHead) error {
	c.currency = h.Currency
	return c.cw.Write(CSVHeader)
}

// Adjustment implements ReportWriter.
func (c *CSVReport) Adjustment(a Adjustment) error {
	return c.write("adjustment", a.AccountID, a.AdjustmentID, a.ID, a.Type, a.Direction().String(),
		money.Format(a.Amount), money.Format(a.Fee), a.Currency, a.Status, a.Reason,
		a.CreatedAt.UTC().Format(time.RFC3339Nano), csvText(a.Description), "", "")
}

// Account implements ReportWriter.
func (c *CSVReport) Account(d AccountDay) error {
	return c.write("balance", d.Account, "", "", "", "", "", "", c.currency, "", "", "", "",
		money.Format(d.Opening), money.Format(d.Closing))
}

// Totals implements ReportWriter: the total rows, then a flush.
func (c *CSVReport) Totals(t Totals) error {
	for _, kv := range [][2]string{
		{"adjustments", strconv.Itoa(t.Adjustments)}, {"completed", strconv.Itoa(t.Completed)},
		{"declined", strconv.Itoa(t.Declined)}, {"credits", t.Credits.Format()}, {"debits", t.Debits.Format()},
		{"fees", t.Fees.Format()}, {"net", t.Net.Format()}, {"customerMovement", t.CustomerMove.Format()},
		{"ledgerClosing", t.LedgerClosing.Format()}, {"tiesOut", strconv.FormatBool(t.TiesOut)},
	} {
		if err := c.write("total", "", "", "", "", "", kv[1], "", c.currency, "", "", "", kv[0], "", ""); err != nil {
			return err
		}
	}
	c.cw.Flush()
	return c.cw.Error()
}

// write writes one row, reusing the row slice (csv.Writer copies it out).
func (c *CSVReport) write(cols ...string) error {
	copy(c.row, cols)
	return c.cw.Write(c.row)
}

// Reconciliation is a program's daily batch held in memory: every
// adjustment created that day (UTC) and every ledger account that moved.
// Reports are streamed (ReportWriter); this is for tests and small uses.
type Reconciliation struct {
	ReportHead
	Adjustments []Adjustment
	Accounts    []AccountDay
	Totals      Totals
}

// Collector is a ReportWriter that keeps the whole report in R.
type Collector struct{ R Reconciliation }

// Head implements ReportWriter.
func (c *Collector) Head(h ReportHead) error {
	c.R = Reconciliation{ReportHead: h, Adjustments: []Adjustment{}, Accounts: []AccountDay{}}
	return nil
}

// Adjustment implements ReportWriter.
func (c *Collector) Adjustment(a Adjustment) error {
	c.R.Adjustments = append(c.R.Adjustments, a)
	return nil
}

// Account implements ReportWriter.
func (c *Collector) Account(d AccountDay) error { c.R.Accounts = append(c.R.Accounts, d); return nil }

// Totals implements ReportWriter.
func (c *Collector) Totals(t Totals) error { c.R.Totals = t; return nil }

// StreamBuffer is how much of a report is held before the first bytes
// leave: an error in that much can still be answered as an error.
const StreamBuffer = 64 << 10

// Stream is a report's way out: buffered, and started (start sets the
// response's status and headers) only when the first bytes leave. Until
// Started, nothing has been sent and a failure can still be answered in
// full; after it, the report can only be cut off.
type Stream struct {
	*bufio.Writer
	out *startWriter
}

// NewStream answers a Stream to w that calls start before its first write.
func NewStream(w io.Writer, start func()) *Stream {
	out := &startWriter{w: w, start: start}
	return &Stream{Writer: bufio.NewWriterSize(out, StreamBuffer), out: out}
}

// Started reports whether any byte has been written to w.
func (s *Stream) Started() bool { return s.out.started }

type startWriter struct {
	w       io.Writer
	start   func()
	started bool
}

func (s *startWriter) Write(p []byte) (int, error) {
	if !s.started {
		s.started = true
		s.start()
	}
	return s.w.Write(p)
}
