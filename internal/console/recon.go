package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
)

// reconShown bounds the adjustments and the accounts a reconciliation
// page lists; the CSV has every one.
const reconShown = 500

type reconData struct {
	Program, Date string
	Recon         *reconPage
	// The ledger check, when run.
	Checked  bool
	Problems []string
}

// reconPage is what the page shows of a day: the totals, the first
// reconShown adjustments and accounts, and how many there were. It is a
// ledger.ReportWriter, so a day of any size is read in bounded memory.
type reconPage struct {
	ledger.ReportHead
	Total       ledger.Totals
	Adjustments []ledger.Adjustment
	Accounts    []ledger.AccountDay
	// AccountCount counts the accounts that moved; Customers, those of
	// them that are customers' (not the program's own).
	AccountCount, Customers int
}

func (p *reconPage) Head(h ledger.ReportHead) error { p.ReportHead = h; return nil }

func (p *reconPage) Adjustment(a ledger.Adjustment) error {
	if len(p.Adjustments) < reconShown {
		p.Adjustments = append(p.Adjustments, a)
	}
	return nil
}

func (p *reconPage) Account(d ledger.AccountDay) error {
	p.AccountCount++
	if !ledger.IsProgramAccount(d.Account) {
		p.Customers++
	}
	if len(p.Accounts) < reconShown {
		p.Accounts = append(p.Accounts, d)
	}
	return nil
}

func (p *reconPage) Totals(t ledger.Totals) error { p.Total = t; return nil }

// reconciliation is a program's day: totals, adjustments and account
// balances, with the CSV to download.
func (c *Console) reconciliation(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	d := &reconData{Program: strings.TrimSpace(q.Get("program")), Date: q.Get("date")}
	if d.Date == "" {
		d.Date = c.Now().UTC().Format(time.DateOnly)
	}
	v.Title, v.Data = "Reconciliation", d
	if d.Program == "" {
		return c.render(w, r, http.StatusOK, "recon", v)
	}
	p, err := c.Programs.Get(r.Context(), d.Program)
	page := &reconPage{}
	if err == nil {
		_, err = c.Ledger.Reconcile(r.Context(), p.Code, p.Currency, d.Date, page)
	}
	if err != nil {
		v.Error = message(err)
		return c.render(w, r, statusOf(err), "recon", v)
	}
	d.Recon = page
	return c.render(w, r, http.StatusOK, "recon", v)
}

// reconCSV downloads a program's day as CSV (the operator API's format),
// written as it is read. A failure before the first bytes leave is an
// error page; after, the download is cut off (the operator API's rule).
func (c *Console) reconCSV(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	p, err := c.Programs.Get(r.Context(), strings.TrimSpace(q.Get("program")))
	if err != nil {
		return err
	}
	date := q.Get("date")
	out := ledger.NewStream(w, func() {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="recon-`+p.Code+`-`+date+`.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
	})
	if _, err = c.Ledger.Reconcile(r.Context(), p.Code, p.Currency, date, ledger.NewCSVReport(out)); err == nil {
		err = out.Flush()
	}
	if err != nil && out.Started() {
		c.Log.Error("console: reconciliation CSV cut off after its first bytes", "route", r.Pattern, "error", err.Error())
		panic(http.ErrAbortHandler)
	}
	return err
}

// ledgerCheck runs the ledger check (every balance against its entries,
// the ledger summing to zero). It reads the whole ledger, so it runs only
// when asked, never on a page view.
func (c *Console) ledgerCheck(w http.ResponseWriter, r *http.Request, v *view) error {
	problems, err := c.Ledger.Verify(r.Context())
	if err != nil {
		return err
	}
	if len(problems) > 100 {
		problems = append(problems[:100], "… and more: run verdant ledger verify for the full list")
	}
	d := &reconData{Program: strings.TrimSpace(r.PostFormValue("program")), Date: r.PostFormValue("date"),
		Checked: true, Problems: problems}
	if d.Date == "" {
		d.Date = c.Now().UTC().Format(time.DateOnly)
	}
	if len(d.Date) > 10 || len(d.Program) > 50 {
		return apperr.E(apperr.Invalid, "The program or date is too long.")
	}
	v.Title, v.Data = "Reconciliation", d
	return c.render(w, r, http.StatusOK, "recon", v)
}
