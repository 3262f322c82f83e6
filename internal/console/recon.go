package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
)

// reconShown bounds the adjustments a reconciliation page lists; the CSV
// has every one.
const reconShown = 500

type reconData struct {
	Program, Date string
	Recon         *ledger.Reconciliation
	Shown         []ledger.Adjustment
	Customers     int
	// The ledger check, when run.
	Checked  bool
	Problems []string
}

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
	rc, err := c.reconcile(r, d.Program, d.Date)
	if err != nil {
		v.Error = message(err)
		return c.render(w, r, statusOf(err), "recon", v)
	}
	d.Recon, d.Shown = &rc, rc.Adjustments[:min(len(rc.Adjustments), reconShown)]
	for _, a := range rc.Accounts {
		if !ledger.IsProgramAccount(a.Account) {
			d.Customers++
		}
	}
	return c.render(w, r, http.StatusOK, "recon", v)
}

func (c *Console) reconcile(r *http.Request, program, date string) (ledger.Reconciliation, error) {
	p, err := c.Programs.Get(r.Context(), program)
	if err != nil {
		return ledger.Reconciliation{}, err
	}
	return c.Ledger.Reconcile(r.Context(), p.Code, p.Currency, date)
}

// reconCSV downloads a program's day as CSV (the operator API's format).
func (c *Console) reconCSV(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	rc, err := c.reconcile(r, strings.TrimSpace(q.Get("program")), q.Get("date"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="recon-`+rc.ProgramCode+`-`+rc.Date+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	return rc.WriteCSV(w)
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
