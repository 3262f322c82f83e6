package api

import (
	"net/http"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/retail"
	"github.com/verdant-baas/verdant/internal/sandbox"
)

// The retail load simulations: a customer loading cash at the partner's
// built-in sandbox merchant, through the retail loads service (validation
// then load, void), so the fees, the daily limit, the posting and the
// transaction webhook are the real ones.

func (s *Server) simulationRetailRoutes(mux *router) {
	mux.Handle("POST "+simulations+"/retailLoads", s.partner(s.simRetailLoad))
	mux.Handle("POST "+simulations+"/retailLoads/{retailLoadIdentifier}/void", s.partner(s.simRetailVoid))
}

// SimRetailLoadJSON answers a simulated cash load or its void: the load,
// its amount and fees, the posting made (the load's, or the void's) and
// the account's available balance after it.
type SimRetailLoadJSON struct {
	RetailLoadIdentifier  string           `json:"retailLoadIdentifier"`
	AccountIdentifier     string           `json:"accountIdentifier"`
	Status                string           `json:"status"`
	Amount                string           `json:"amount"`
	ReloadFee             string           `json:"reloadFee"`
	MerchantFee           string           `json:"merchantFee"`
	TransactionIdentifier string           `json:"transactionIdentifier"`
	AvailableBalance      string           `json:"availableBalance"`
	MerchantID            string           `json:"merchantId"`
	ResponseDetails       []ResponseDetail `json:"responseDetails"`
}

func simRetailLoad(loadID, status string, l retail.Load) SimRetailLoadJSON {
	text := func(v *int64) string {
		if v == nil {
			return "0.00"
		}
		return money.Format(*v)
	}
	return SimRetailLoadJSON{RetailLoadIdentifier: loadID, AccountIdentifier: l.AccountID, Status: status,
		Amount: money.Format(l.Amount), ReloadFee: text(l.ReloadFee), MerchantFee: text(l.MerchantFee),
		TransactionIdentifier: l.PostingID, AvailableBalance: text(l.AvailableBalance), MerchantID: l.MerchantID,
		ResponseDetails: Success()}
}

func (s *Server) retailLoads() *sandbox.RetailLoads {
	return &sandbox.RetailLoads{Retail: s.Retail, Balances: s.Balances}
}

func (s *Server) simRetailLoad(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		AccountIdentifier string       `json:"accountIdentifier"`
		Amount            money.Amount `json:"amount"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in.AccountIdentifier == "" {
		return apperr.Field("accountIdentifier", "accountIdentifier is required")
	}
	id, err := account.ParseID(in.AccountIdentifier)
	if err != nil {
		return apperr.Field("accountIdentifier", "accountIdentifier %q is not an account identifier (a GUID)", in.AccountIdentifier)
	}
	amount, err := loadAmount(in.Amount)
	if err != nil {
		return err
	}
	p, err := s.program(r)
	if err != nil {
		return err
	}
	if _, err := s.Accounts.Get(r.Context(), p.Code, id); apperr.KindOf(err) == apperr.NotFound {
		return apperr.E(apperr.NotFound, "account %s not found in program %s", id, p.Code).WithCode(10, 0)
	} else if err != nil {
		return err
	}
	l, err := s.retailLoads().Load(r.Context(), claimsFrom(r.Context()).PartnerID, id, amount)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, simRetailLoad(l.ResponseID, retail.StatusPosted, l))
	return nil
}

// loadAmount checks a simulated load's amount: positive, exact to the cent.
func loadAmount(a money.Amount) (int64, error) {
	if !a.Present || a.Null {
		return 0, apperr.Field("amount", "amount is required (a positive amount such as \"40.00\")")
	}
	v, err := a.Minor()
	if err != nil || v <= 0 {
		return 0, apperr.Field("amount", "amount %q is invalid: it must be a positive amount with at most 2 decimals", a.Raw)
	}
	return v, nil
}

func (s *Server) simRetailVoid(w http.ResponseWriter, r *http.Request) error {
	p, err := s.program(r)
	if err != nil {
		return err
	}
	id := r.PathValue("retailLoadIdentifier")
	notFound := func() error {
		return apperr.E(apperr.NotFound, "retail load %s not found in program %s", id, p.Code).WithCode(10, 0)
	}
	ld, err := s.Retail.LoadRecord(r.Context(), id)
	if apperr.KindOf(err) == apperr.NotFound {
		return notFound()
	} else if err != nil {
		return err
	}
	if _, err := s.Accounts.Get(r.Context(), p.Code, ld.AccountID); apperr.KindOf(err) == apperr.NotFound {
		return notFound() // another program's (or partner's) load
	} else if err != nil {
		return err
	}
	v, err := s.retailLoads().Void(r.Context(), claimsFrom(r.Context()).PartnerID, ld)
	if apperr.KindOf(err) == apperr.NotFound {
		return notFound()
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, simRetailLoad(ld.ResponseID, retail.StatusVoided, v))
	return nil
}
