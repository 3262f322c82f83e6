package api

import (
	"net/http"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/feature"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/program"
)

func (s *Server) accountRoutes(mux *router) {
	mux.Handle("GET /programs/{programCode}/accounts/{accountIdentifier}", s.partner(s.getAccount))
	mux.Handle("PUT /programs/{programCode}/accounts/{accountIdentifier}", s.partner(s.putAccount))
}

// partnerAccount resolves {programCode} for the calling partner and
// {accountIdentifier} within it: 401 for a program the partner may not
// use, 400 (10/10) for an identifier that is not a UUID, 404 (10/0) for an
// account not in the program.
func (s *Server) partnerAccount(r *http.Request) (program.Program, account.Account, error) {
	p, err := s.program(r)
	if err != nil {
		return p, account.Account{}, err
	}
	id, err := account.ParseID(r.PathValue("accountIdentifier"))
	if err != nil {
		return p, account.Account{}, account.ErrInvalidID.WithCode(10, 10)
	}
	a, err := s.Accounts.Get(r.Context(), p.Code, id)
	if err != nil {
		return p, a, withCode(err, 10, 0)
	}
	return p, a, nil
}

// withCode gives a domain error the BaaS code/subCode pair, keeping errors
// that already carry one.
func withCode(err error, code, sub int) error {
	e := apperr.As(err)
	if e.Kind == apperr.Internal || e.Code != 0 {
		return err
	}
	return e.WithCode(code, sub)
}

// PaymentInstrumentJSON is a card as partners see it: never the full PAN.
type PaymentInstrumentJSON struct {
	PaymentInstrumentIdentifier string `json:"paymentInstrumentIdentifier"`
	Last4PAN                    string `json:"last4Pan"`
	Status                      string `json:"status"`
	Type                        string `json:"type"`
	ExpiryYear                  string `json:"expiryYear"`
	ExpiryMonth                 string `json:"expiryMonth"`
}

// AccountHolderJSON is the holder's name.
type AccountHolderJSON struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// AccountBalancesJSON is an account's balances: amounts are decimal strings
// exact to the cent, as the publisher's adjustment answers are.
type AccountBalancesJSON struct {
	Currency         string `json:"currency"`
	PostedBalance    string `json:"postedBalance"`
	AvailableBalance string `json:"availableBalance"`
}

// TermsAcceptanceJSON is one terms answer of an account, in the shape of
// the PUT /accounts/{accountIdentifier} request.
type TermsAcceptanceJSON struct {
	TermsIdentifier         string `json:"termsIdentifier"`
	TermsAcceptanceFlag     bool   `json:"termsAcceptanceFlag"`
	TermsAcceptanceDateTime string `json:"termsAcceptanceDateTime"`
}

// GetAccountJSON is the answer of GET /programs/{programCode}/accounts/{id}.
type GetAccountJSON struct {
	AccountIdentifier  string                  `json:"accountIdentifier"`
	AccountStatus      string                  `json:"accountStatus"`
	AccountHolder      AccountHolderJSON       `json:"accountHolder"`
	Balances           AccountBalancesJSON     `json:"balances"`
	Features           []string                `json:"features"`
	TermsAcceptances   []TermsAcceptanceJSON   `json:"termsAcceptances"`
	PaymentInstruments []PaymentInstrumentJSON `json:"paymentInstruments"`
	ResponseDetails    []ResponseDetail        `json:"responseDetails"`
}

// getAccount answers the publisher's "get account": status, holder,
// balances, features, terms and payment instruments (by last4Pan).
func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) error {
	p, a, err := s.partnerAccount(r)
	if err != nil {
		return err
	}
	cards, err := s.Cards.ForAccount(r.Context(), a.ID)
	if err != nil {
		return err
	}
	st, err := s.Features.State(r.Context(), a.ID)
	if err != nil {
		return withCode(err, 10, 0)
	}
	bal, err := s.balance(r, p, a.ID)
	if err != nil {
		return err
	}
	out := GetAccountJSON{
		AccountIdentifier: a.ID, AccountStatus: string(a.Status),
		AccountHolder: AccountHolderJSON{FirstName: a.Holder.FirstName, LastName: a.Holder.LastName},
		Balances: AccountBalancesJSON{Currency: bal.Currency, PostedBalance: money.Format(bal.Posted),
			AvailableBalance: money.Format(bal.Available)},
		Features: st.FeatureIDs(), TermsAcceptances: []TermsAcceptanceJSON{},
		PaymentInstruments: []PaymentInstrumentJSON{}, ResponseDetails: Success(),
	}
	for _, t := range st.Terms {
		out.TermsAcceptances = append(out.TermsAcceptances, TermsAcceptanceJSON{TermsIdentifier: t.ID,
			TermsAcceptanceFlag: t.Accepted, TermsAcceptanceDateTime: ResponseDate(t.At)})
	}
	for _, c := range cards {
		out.PaymentInstruments = append(out.PaymentInstruments, PaymentInstrumentJSON{PaymentInstrumentIdentifier: c.ID,
			Last4PAN: c.Last4, Status: string(c.Status), Type: c.Type, ExpiryYear: c.ExpiryYear,
			ExpiryMonth: c.ExpiryMonth})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// balance answers the ledger's balance of an account, in the program's
// currency when the account has never been posted to.
func (s *Server) balance(r *http.Request, p program.Program, accountID string) (ledger.Balance, error) {
	b, err := s.Balances.Balance(r.Context(), accountID)
	if b.Currency == "" {
		b.Currency = p.Currency
	}
	return b, err
}

// putAccount records terms acceptances and opt-outs ("Negative Balance
// Terms"): {"termsAcceptances":[{termsIdentifier, termsAcceptanceFlag,
// termsAcceptanceDateTime}]}. The flag may be a boolean or a string.
func (s *Server) putAccount(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.partnerAccount(r)
	if err != nil {
		return err
	}
	raw, err := decodeTerms(r)
	if err != nil {
		return err
	}
	terms, err := feature.ParseTerms(raw, s.now())
	if err != nil {
		return err
	}
	if err := s.Features.SetTerms(r.Context(), a.ID, terms, claimsFrom(r.Context()).PartnerID); err != nil {
		return withCode(err, 10, 0)
	}
	writeJSON(w, http.StatusOK, map[string]any{"responseDetails": Success()})
	return nil
}
