package api

import (
	"net/http"
	"strings"
	"time"

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

// ReconciliationView renders a reconciliation for JSON.
func ReconciliationView(rc ledger.Reconciliation) ReconciliationJSON {
	out := ReconciliationJSON{ProgramCode: rc.ProgramCode, Date: rc.Date, Currency: rc.Currency,
		Adjustments: []ReconAdjustmentJSON{}, Accounts: []ReconAccountJSON{}}
	for _, a := range rc.Adjustments {
		out.Adjustments = append(out.Adjustments, ReconAdjustmentJSON{AccountIdentifier: a.AccountID,
			AdjustmentIdentifier: a.AdjustmentID, TransactionIdentifier: a.ID, AdjustmentType: a.Type,
			Direction: a.Direction().String(), Amount: money.Format(a.Amount), Fee: money.Format(a.Fee),
			Currency: a.Currency, AdjustmentStatus: a.Status, AdjustmentStatusReason: a.Reason,
			TransactionDate: TransactionDate(a.CreatedAt), AdjustmentDescription: a.Description})
	}
	for _, d := range rc.Accounts {
		out.Accounts = append(out.Accounts, ReconAccountJSON{Account: d.Account,
			OpeningBalance: money.Format(d.Opening), ClosingBalance: money.Format(d.Closing)})
	}
	t := rc.Totals
	out.Totals = ReconTotalsJSON{Adjustments: t.Adjustments, Completed: t.Completed, Declined: t.Declined,
		Credits: money.Format(t.Credits), Debits: money.Format(t.Debits), Fees: money.Format(t.Fees),
		Net: money.Format(t.Net), CustomerMovement: money.Format(t.CustomerMove),
		LedgerClosing: money.Format(t.LedgerClosing), TiesOut: t.TiesOut}
	return out
}

// adminGetReconciliation answers a program's daily batch as JSON, or as CSV
// with ?format=csv or Accept: text/csv.
func (s *Server) adminGetReconciliation(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Programs.Get(r.Context(), r.PathValue("programCode"))
	if err != nil {
		return err
	}
	rc, err := s.Ledger.Reconcile(r.Context(), p.Code, p.Currency, r.PathValue("date"))
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv") {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="recon-`+p.Code+`-`+rc.Date+`.csv"`)
		return rc.WriteCSV(w)
	}
	writeJSON(w, http.StatusOK, ReconciliationView(rc))
	return nil
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
