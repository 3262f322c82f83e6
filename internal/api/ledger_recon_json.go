package api

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
)

// reconAdjustmentView is one adjustment of a daily batch for JSON.
func reconAdjustmentView(a ledger.Adjustment) ReconAdjustmentJSON {
	return ReconAdjustmentJSON{AccountIdentifier: a.AccountID, AdjustmentIdentifier: a.AdjustmentID,
		TransactionIdentifier: a.ID, AdjustmentType: a.Type, Direction: a.Direction().String(),
		Amount: money.Format(a.Amount), Fee: money.Format(a.Fee), Currency: a.Currency,
		AdjustmentStatus: a.Status, AdjustmentStatusReason: a.Reason, TransactionDate: TransactionDate(a.CreatedAt),
		AdjustmentDescription: a.Description}
}

// reconAccountView is one account's day for JSON.
func reconAccountView(d ledger.AccountDay) ReconAccountJSON {
	return ReconAccountJSON{Account: d.Account, OpeningBalance: money.Format(d.Opening),
		ClosingBalance: money.Format(d.Closing)}
}

// reconTotalsView is the day's totals for JSON.
func reconTotalsView(t ledger.Totals) ReconTotalsJSON {
	return ReconTotalsJSON{Adjustments: t.Adjustments, Completed: t.Completed, Declined: t.Declined,
		Credits: t.Credits.Format(), Debits: t.Debits.Format(), Fees: t.Fees.Format(),
		Net: t.Net.Format(), CustomerMovement: t.CustomerMove.Format(),
		LedgerClosing: t.LedgerClosing.Format(), TiesOut: t.TiesOut}
}

// ReconJSON writes a reconciliation as the JSON of ReconciliationJSON,
// byte for byte what encoding/json writes for the whole value (compact
// with a final newline, or indented by two spaces), but one row at a
// time: its memory does not grow with the day.
type ReconJSON struct {
	w      io.Writer
	indent bool
	enc    *json.Encoder // into buf: one value at a time
	buf    bytes.Buffer
	out    []byte
	// compact holds an item before it is indented.
	compact    []byte
	escapeHTML bool
	fields     int  // fields of the top-level object written so far
	items      int  // items of the open array written so far
	accounts   bool // the open array is accounts (else adjustments)
}

// NewReconJSON answers a ReportWriter of JSON to w: indented (the CLI) or
// compact (the operator API), escaping <, > and & as encoding/json does
// by default only when escapeHTML.
func NewReconJSON(w io.Writer, indent, escapeHTML bool) *ReconJSON {
	j := &ReconJSON{w: w, indent: indent, escapeHTML: escapeHTML}
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(escapeHTML)
	return j
}

// Head implements ledger.ReportWriter: the object's scalar fields, and
// the adjustments array opened.
func (j *ReconJSON) Head(h ledger.ReportHead) error {
	j.out = append(j.out[:0], '{')
	for _, f := range [][2]string{{"programCode", h.ProgramCode}, {"date", h.Date}, {"currency", h.Currency}} {
		if err := j.field(f[0], f[1], 1); err != nil {
			return err
		}
	}
	j.field("adjustments", nil, 0)
	j.out = append(j.out, '[')
	return j.flush()
}

// Adjustment implements ledger.ReportWriter.
func (j *ReconJSON) Adjustment(a ledger.Adjustment) error {
	return j.item(func(b []byte) []byte { return appendReconAdjustment(b, a, j.escapeHTML) })
}

// Account implements ledger.ReportWriter; the first one closes the
// adjustments array and opens the accounts one.
func (j *ReconJSON) Account(d ledger.AccountDay) error {
	j.openAccounts()
	return j.item(func(b []byte) []byte { return appendReconAccount(b, d, j.escapeHTML) })
}

// Totals implements ledger.ReportWriter: the open arrays closed, the
// totals and the end of the object.
func (j *ReconJSON) Totals(t ledger.Totals) error {
	j.openAccounts()
	j.closeArray()
	if err := j.field("totals", reconTotalsView(t), 1); err != nil {
		return err
	}
	j.newline(0)
	j.out = append(j.out, '}', '\n')
	return j.flush()
}

// openAccounts closes the adjustments array and opens the accounts one,
// unless that is done.
func (j *ReconJSON) openAccounts() {
	if j.accounts {
		return
	}
	j.closeArray()
	j.field("accounts", nil, 0)
	j.out, j.accounts = append(j.out, '['), true
}

func (j *ReconJSON) closeArray() {
	if j.items > 0 {
		j.newline(1)
	}
	j.out, j.items = append(j.out, ']'), 0
}

// field appends the next field of the top-level object, its value
// encoded at depth (nil: only the name, the caller writes the value).
func (j *ReconJSON) field(name string, v any, depth int) error {
	if j.fields > 0 {
		j.out = append(j.out, ',')
	}
	j.fields++
	j.newline(1)
	j.out = append(append(append(j.out, '"'), name...), '"', ':')
	if j.indent {
		j.out = append(j.out, ' ')
	}
	if v == nil {
		return nil
	}
	return j.value(v, depth)
}

// item appends one element of the open array, compact JSON appended by
// appendJSON, and writes it out. Indented, it is indented as
// encoding/json would indent it at its depth (json.Indent is the same
// algorithm as the Encoder's).
func (j *ReconJSON) item(appendJSON func([]byte) []byte) error {
	if j.items > 0 {
		j.out = append(j.out, ',')
	}
	j.items++
	j.newline(2)
	if !j.indent {
		j.out = appendJSON(j.out)
		return j.flush()
	}
	j.compact = appendJSON(j.compact[:0])
	j.buf.Reset()
	if err := json.Indent(&j.buf, j.compact, "    ", "  "); err != nil {
		return err
	}
	j.out = append(j.out, j.buf.Bytes()...)
	return j.flush()
}

// value appends v encoded as it would be at depth in the whole document.
func (j *ReconJSON) value(v any, depth int) error {
	j.buf.Reset()
	if j.indent {
		j.enc.SetIndent(strings.Repeat("  ", depth), "  ")
	}
	if err := j.enc.Encode(v); err != nil {
		return err
	}
	j.out = append(j.out, bytes.TrimSuffix(j.buf.Bytes(), []byte{'\n'})...)
	return nil
}

func (j *ReconJSON) newline(depth int) {
	if j.indent {
		j.out = append(j.out, '\n')
		for range depth {
			j.out = append(j.out, ' ', ' ')
		}
	}
}

func (j *ReconJSON) flush() error {
	_, err := j.w.Write(j.out)
	j.out = j.out[:0]
	return err
}
