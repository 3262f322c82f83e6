package console

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/backoffice"
)

type searchData struct {
	Q, BIN, Last4 string
	Searched      bool
	ByCard        bool
	Hits          []backoffice.AccountHit
}

// accounts is the account search: by account id or customer id, or by
// BIN and last four (GET); a full card number is searched by POST
// (searchCard) so that it is never in a URL.
func (c *Console) accounts(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	d := searchData{Q: strings.TrimSpace(q.Get("q")), BIN: strings.TrimSpace(q.Get("bin")), Last4: strings.TrimSpace(q.Get("last4"))}
	v.Title, v.Data = "Accounts", &d
	var err error
	switch {
	case d.Q != "":
		d.Searched = true
		if len(d.Q) > 100 {
			err = apperr.Field("q", "An account id or customer id is at most 100 characters.")
			break
		}
		if _, perr := uuid.Parse(d.Q); perr == nil {
			d.Hits, err = c.Store.FindAccounts(r.Context(), backoffice.AccountSearch{ID: d.Q})
		}
		if err == nil && len(d.Hits) == 0 {
			d.Hits, err = c.Store.FindAccounts(r.Context(), backoffice.AccountSearch{CustomerID: d.Q})
		}
	case d.BIN != "" || d.Last4 != "":
		d.Searched, d.ByCard = true, true
		if !digits(d.BIN, 6) || !digits(d.Last4, 4) {
			err = apperr.Field("bin", "Give the 6-digit BIN and the last 4 digits of the card.")
			break
		}
		d.Hits, err = c.Store.FindAccounts(r.Context(), backoffice.AccountSearch{BIN: d.BIN, Last4: d.Last4})
	}
	if err != nil {
		v.Error = message(err)
		return c.render(w, r, statusOf(err), "accounts", v)
	}
	return c.render(w, r, http.StatusOK, "accounts", v)
}

// searchCard finds accounts by a full card number typed in: matched by
// its keyed index; the number is neither stored, logged nor shown back.
func (c *Console) searchCard(w http.ResponseWriter, r *http.Request, v *view) error {
	pan := strings.NewReplacer(" ", "", "-", "").Replace(r.PostFormValue("pan"))
	d := searchData{Searched: true, ByCard: true}
	v.Title, v.Data = "Accounts", &d
	if !digits(pan, 16) {
		err := apperr.Field("pan", "A card number is 16 digits.")
		v.Error = message(err)
		return c.render(w, r, statusOf(err), "accounts", v)
	}
	hits, err := c.Store.FindAccounts(r.Context(), backoffice.AccountSearch{PAN: pan})
	if err != nil {
		return err
	}
	d.Hits = hits
	return c.render(w, r, http.StatusOK, "accounts", v)
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// accountStatuses are the statuses an operator may set, in menu order.
var accountStatuses = []account.Status{account.Normal, account.Pending, account.Locked, account.Restricted, account.Closed}
