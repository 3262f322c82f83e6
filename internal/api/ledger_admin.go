package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
)

// ReconAdjustmentJSON is one adjustment of a daily batch.
type ReconAdjustmentJSON struct {
	AccountIdentifier      string `json:"accountIdentifier"`
	AdjustmentIdentifier   string `json:"adjustmentIdentifier"`
	TransactionIdentifier  string `json:"transactionIdentifier"`
	AdjustmentType         string `json:"adjustmentType"`
	Direction              string `json:"direction"`
	Amount                 string `json:"amount"`
	Fee                    string `json:"fee"`
	Currency               string `json:"currency"`
	AdjustmentStatus       string `json:"adjustmentStatus"`
	AdjustmentStatusReason string `json:"adjustmentStatusReason"`
	TransactionDate        string `json:"transactionDate"`
	AdjustmentDescription  string `json:"adjustmentDescription"`
}

// ReconAccountJSON is one ledger account's balances over the day.
type ReconAccountJSON struct {
	Account        string `json:"account"`
	OpeningBalance string `json:"openingBalance"`
	ClosingBalance string `json:"closingBalance"`
}

// ReconTotalsJSON are the day's totals.
type ReconTotalsJSON struct {
	Adjustments      int    `json:"adjustments"`
	Completed        int    `json:"completed"`
	Declined         int    `json:"declined"`
	Credits          string `json:"credits"`
	Debits           string `json:"debits"`
	Fees             string `json:"fees"`
	Net              string `json:"net"`
	CustomerMovement string `json:"customerMovement"`
	LedgerClosing    string `json:"ledgerClosing"`
	TiesOut          bool   `json:"tiesOut"`
}

// ReconciliationJSON is a program's daily reconciliation.
type ReconciliationJSON struct {
	ProgramCode string                `json:"programCode"`
	Date        string                `json:"date"`
	Currency    string                `json:"currency"`
	Adjustments []ReconAdjustmentJSON `json:"adjustments"`
	Accounts    []ReconAccountJSON    `json:"accounts"`
	Totals      ReconTotalsJSON       `json:"totals"`
}

// ReconciliationView renders a reconciliation held in memory for JSON
// (the streamed one, ReconJSON, writes the same bytes).
func ReconciliationView(rc ledger.Reconciliation) ReconciliationJSON {
	out := ReconciliationJSON{ProgramCode: rc.ProgramCode, Date: rc.Date, Currency: rc.Currency,
		Adjustments: []ReconAdjustmentJSON{}, Accounts: []ReconAccountJSON{}, Totals: reconTotalsView(rc.Totals)}
	for _, a := range rc.Adjustments {
		out.Adjustments = append(out.Adjustments, reconAdjustmentView(a))
	}
	for _, d := range rc.Accounts {
		out.Accounts = append(out.Accounts, reconAccountView(d))
	}
	return out
}

// adminGetReconciliation answers a program's daily batch as JSON, or as CSV
// with ?format=csv or Accept: text/csv, written as it is read. What can be
// refused (the program, the date, and any failure within the first
// ledger.StreamBuffer bytes) is answered in the problem envelope; a failure
// after that cuts the response off (streamFailed).
func (s *Server) adminGetReconciliation(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Programs.Get(r.Context(), r.PathValue("programCode"))
	if err != nil {
		return err
	}
	day := r.PathValue("date")
	csv := r.URL.Query().Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv")
	out := ledger.NewStream(w, func() {
		if csv {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="recon-`+p.Code+`-`+day+`.csv"`)
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(http.StatusOK)
	})
	var rw ledger.ReportWriter = NewReconJSON(out, false, false)
	if csv {
		rw = ledger.NewCSVReport(out)
	}
	if _, err = s.Ledger.Reconcile(r.Context(), p.Code, p.Currency, day, rw); err == nil {
		err = out.Flush()
	}
	if err != nil && out.Started() {
		s.streamFailed(r, err)
	}
	return err
}

// streamFailed ends a response that failed after its first bytes were
// sent: the status can no longer change, so the error is logged and the
// connection cut (http.ErrAbortHandler), which a client sees as a body
// that ended early (no final chunk, or fewer bytes than announced), never
// as a complete answer.
func (s *Server) streamFailed(r *http.Request, err error) {
	id := ""
	if info := infoFrom(r.Context()); info != nil {
		info.err, id = apperr.As(err), info.requestID
	}
	level := slog.LevelError
	if r.Context().Err() != nil {
		level = slog.LevelWarn // the client went away, or the request timed out
	}
	s.Log.Log(r.Context(), level, "response cut off after its first bytes", "request_id", id, "route", r.Pattern,
		"error", err.Error())
	panic(http.ErrAbortHandler)
}

// EntryJSON is one ledger entry in the operator view.
type EntryJSON struct {
	EntryIdentifier       string    `json:"entryIdentifier"`
	TransactionIdentifier string    `json:"transactionIdentifier"`
	AdjustmentIdentifier  string    `json:"adjustmentIdentifier"`
	Amount                string    `json:"amount"`
	Currency              string    `json:"currency"`
	PostedAt              time.Time `json:"postedAt"`
}

// RecentEntriesShown is how many entries the operator account view lists.
const RecentEntriesShown = 20

// ledgerView adds the balance and recent entries to an operator account view.
func (s *Server) ledgerView(r *http.Request, out *AccountJSON) error {
	if s.Ledger == nil {
		return nil
	}
	b, err := s.Ledger.Balance(r.Context(), out.AccountIdentifier)
	if err != nil {
		return err
	}
	es, err := s.Ledger.RecentEntries(r.Context(), out.AccountIdentifier, RecentEntriesShown)
	if err != nil {
		return err
	}
	out.Balances = &AccountBalancesJSON{Currency: b.Currency, PostedBalance: money.Format(b.Posted),
		AvailableBalance: money.Format(b.Available)}
	out.RecentEntries = []EntryJSON{}
	for _, e := range es {
		out.RecentEntries = append(out.RecentEntries, EntryJSON{EntryIdentifier: e.ID,
			TransactionIdentifier: e.PostingID, AdjustmentIdentifier: e.AdjustmentID, Amount: money.Format(e.Amount),
			Currency: e.Currency, PostedAt: e.PostedAt})
	}
	return nil
}
