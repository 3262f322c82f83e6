package api

import (
	"net/http"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/program"
)

func (s *Server) accountRoutes(mux *http.ServeMux) {
	mux.Handle("GET /programs/{programCode}/accounts/{accountIdentifier}", s.partner(s.getAccount))
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

// GetAccountJSON is the answer of GET /programs/{programCode}/accounts/{id}.
type GetAccountJSON struct {
	AccountIdentifier  string                  `json:"accountIdentifier"`
	AccountStatus      string                  `json:"accountStatus"`
	AccountHolder      AccountHolderJSON       `json:"accountHolder"`
	PaymentInstruments []PaymentInstrumentJSON `json:"paymentInstruments"`
	ResponseDetails    []ResponseDetail        `json:"responseDetails"`
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.partnerAccount(r)
	if err != nil {
		return err
	}
	cards, err := s.Cards.ForAccount(r.Context(), a.ID)
	if err != nil {
		return err
	}
	out := GetAccountJSON{
		AccountIdentifier: a.ID, AccountStatus: string(a.Status),
		AccountHolder:      AccountHolderJSON{a.Holder.FirstName, a.Holder.LastName},
		PaymentInstruments: []PaymentInstrumentJSON{}, ResponseDetails: Success(),
	}
	for _, c := range cards {
		out.PaymentInstruments = append(out.PaymentInstruments, PaymentInstrumentJSON{c.ID, c.Last4, string(c.Status), c.Type, c.ExpiryYear, c.ExpiryMonth})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
