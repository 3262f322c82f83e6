package console

import (
	"net/http"
	"strings"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/audit"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/delivery"
	"github.com/verdant-baas/verdant/internal/feature"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/program"
)

// Page sizes of the account page's two ledger lists.
const (
	entriesShown     = 50
	adjustmentsShown = 20
)

type cardView struct {
	Card      card.Card
	Shipment  delivery.Shipment
	Delivered bool
}

type accountData struct {
	Account     account.Account
	Program     program.Program
	Features    feature.State
	Cards       []cardView
	Balance     ledger.Balance
	Entries     []ledger.PostedEntry
	NextEntries string
	Adjustments []ledger.Adjustment
	NextAdj     string
	History     []audit.Event
	Statuses    []account.Status
	Status      string
	Reason      string
	// Cursors of the page shown, kept when the other list pages on.
	Before, AdjBefore string
}

// account is the account page: holder, status, features and terms,
// cards with their delivery timeline, balances, and the ledger entries
// and adjustments, each paged by its own cursor.
func (c *Console) account(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := c.accountData(r)
	if err != nil {
		return err
	}
	v.Title, v.Data = "Account "+d.Account.ID, d
	return c.render(w, r, http.StatusOK, "account", v)
}

func (c *Console) accountData(r *http.Request) (*accountData, error) {
	ctx := r.Context()
	id, err := account.ParseID(r.PathValue("accountId"))
	if err != nil {
		return nil, apperr.E(apperr.NotFound, "There is no account %q.", r.PathValue("accountId"))
	}
	d := &accountData{Statuses: accountStatuses}
	if d.Account, err = c.Store.Account(ctx, id); err != nil {
		return nil, err
	}
	if d.Program, err = c.Programs.Get(ctx, d.Account.ProgramCode); err != nil {
		return nil, err
	}
	if d.Features, err = c.Features.State(ctx, id); err != nil {
		return nil, err
	}
	if d.Balance, err = c.Ledger.Balance(ctx, id); err != nil {
		return nil, err
	}
	if err := c.accountCards(r, d); err != nil {
		return nil, err
	}
	if err := c.accountLedger(r, d); err != nil {
		return nil, err
	}
	history, err := c.Audit.List(ctx, audit.Filter{Subject: "account:" + id, ActionPrefixes: []string{"account."}, Limit: 10})
	d.History = history.Events
	return d, err
}

func (c *Console) accountCards(r *http.Request, d *accountData) error {
	cards, err := c.Cards.ForAccount(r.Context(), d.Account.ID)
	if err != nil {
		return err
	}
	for _, k := range cards {
		cv := cardView{Card: k}
		if k.Type == "physical" {
			if cv.Shipment, err = c.Delivery.History(r.Context(), d.Account.ID, k.ID); err != nil {
				return err
			}
		}
		d.Cards = append(d.Cards, cv)
	}
	return nil
}

// accountLedger reads one page of entries (?before=) and of adjustments
// (?adj=); each list has its own cursor.
func (c *Console) accountLedger(r *http.Request, d *accountData) error {
	q := r.URL.Query()
	before, err := parseCursor(q.Get("before"))
	if err != nil {
		return err
	}
	if d.Entries, err = c.Store.Entries(r.Context(), d.Account.ID, before, entriesShown); err != nil {
		return err
	}
	if len(d.Entries) == entriesShown {
		last := d.Entries[len(d.Entries)-1]
		d.NextEntries = cursor(last.PostedAt, last.ID)
	}
	adj, err := parseCursor(q.Get("adj"))
	if err != nil {
		return err
	}
	tq := ledger.TransactionQuery{AccountID: d.Account.ID, Limit: adjustmentsShown}
	if adj != nil {
		tq.BeforeAt, tq.BeforeID = adj.At, adj.ID
	}
	if d.Adjustments, err = c.Ledger.Transactions(r.Context(), tq); err != nil {
		return err
	}
	if len(d.Adjustments) == adjustmentsShown {
		last := d.Adjustments[len(d.Adjustments)-1]
		d.NextAdj = cursor(last.CreatedAt, last.ID)
	}
	d.Before, d.AdjBefore = q.Get("before"), q.Get("adj")
	return nil
}

// setStatus changes the account's status; a reason is required and kept
// in the audit trail with the operator's name.
func (c *Console) setStatus(w http.ResponseWriter, r *http.Request, v *view) error {
	d, err := c.accountData(r)
	if err != nil {
		return err
	}
	d.Status, d.Reason = r.PostFormValue("status"), strings.TrimSpace(r.PostFormValue("reason"))
	v.Title, v.Data = "Account "+d.Account.ID, d
	if d.Reason == "" {
		err = apperr.Field("reason", "A reason is required: say why the status changes.")
	} else if d.Status == string(d.Account.Status) {
		err = apperr.Field("status", "The account is already %s.", d.Status)
	} else {
		_, err = c.Accounts.SetStatus(r.Context(), d.Account.ProgramCode, d.Account.ID, account.Status(d.Status), d.Reason)
	}
	if err != nil {
		v.Error = message(err)
		return c.render(w, r, statusOf(err), "account", v)
	}
	return c.redirect(w, r, "/console/accounts/"+d.Account.ID, "Status changed to "+d.Status+".")
}
