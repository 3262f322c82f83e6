package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/delivery"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/program"
	"github.com/verdant-baas/verdant/internal/retail"
)

func (s *Server) adminRoutes(mux *router) {
	mux.Handle("POST /admin/v1/partners", s.admin(s.adminCreatePartner))
	mux.Handle("POST /admin/v1/partners/{partnerId}/secrets", s.admin(s.adminRotatePartnerSecret))
	mux.Handle("POST /admin/v1/partners/{partnerId}/disable", s.admin(s.adminSetPartnerStatus(partner.Disabled)))
	mux.Handle("POST /admin/v1/partners/{partnerId}/enable", s.admin(s.adminSetPartnerStatus(partner.Active)))
	mux.Handle("POST /admin/v1/programs", s.admin(s.adminCreateProgram))
	mux.Handle("GET /admin/v1/programs/{programCode}", s.admin(s.adminGetProgram))
	mux.Handle("PATCH /admin/v1/programs/{programCode}", s.admin(s.adminPatchProgram))
	mux.Handle("POST /admin/v1/programs/{programCode}/accounts", s.admin(s.adminOpenAccount))
	mux.Handle("GET /admin/v1/programs/{programCode}/accounts", s.admin(s.adminListAccounts))
	mux.Handle("GET /admin/v1/programs/{programCode}/accounts/{accountIdentifier}", s.admin(s.adminGetAccount))
	mux.Handle("PATCH /admin/v1/programs/{programCode}/accounts/{accountIdentifier}", s.admin(s.adminPatchAccount))
	mux.Handle("POST /admin/v1/programs/{programCode}/accounts/{accountIdentifier}/paymentInstruments", s.admin(s.adminCreateCard))
	mux.Handle("PATCH /admin/v1/programs/{programCode}/accounts/{accountIdentifier}/paymentInstruments/{paymentInstrumentIdentifier}", s.admin(s.adminPatchCard))
}

type partnerJSON struct {
	PartnerID    string `json:"partnerId"`
	Name         string `json:"name,omitempty"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

func (s *Server) adminCreatePartner(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.Partners.Create(r.Context(), in.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, partnerJSON{PartnerID: c.Partner.ID, Name: c.Partner.Name,
		ClientID: c.Partner.ClientID, ClientSecret: c.ClientSecret})
	return nil
}

func (s *Server) adminRotatePartnerSecret(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Partners.RotateSecret(r.Context(), r.PathValue("partnerId"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, partnerJSON{PartnerID: c.Partner.ID, ClientID: c.Partner.ClientID, ClientSecret: c.ClientSecret})
	return nil
}

// PartnerStatusJSON is the operator view of a partner's standing.
type PartnerStatusJSON struct {
	PartnerID  string    `json:"partnerId"`
	Name       string    `json:"name"`
	ClientID   string    `json:"clientId"`
	Status     string    `json:"status"`
	TokenEpoch int       `json:"tokenEpoch"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// adminSetPartnerStatus disables a partner (no new token; its tokens end
// on every node within partner.StandingTTL) or enables it again (its old
// tokens stay ended).
func (s *Server) adminSetPartnerStatus(status string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.Partners.SetStatus(r.Context(), r.PathValue("partnerId"), status)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, PartnerStatusJSON{PartnerID: p.ID, Name: p.Name, ClientID: p.ClientID,
			Status: p.Status, TokenEpoch: p.TokenEpoch, UpdatedAt: p.UpdatedAt})
		return nil
	}
}

// ProgramJSON is the operator view of a program.
type ProgramJSON struct {
	ProgramCode     string    `json:"programCode"`
	PartnerID       string    `json:"partnerId"`
	Name            string    `json:"name"`
	BIN             string    `json:"bin"`
	Currency        string    `json:"currency"`
	AdjustmentTypes []string  `json:"adjustmentTypes"`
	Features        []string  `json:"features"`
	TermsEnforced   []string  `json:"termsEnforced"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
	// Reload is the program's retail reload settings (retail_admin.go).
	Reload *ReloadJSON `json:"reload,omitempty"`
}

// ProgramView is the operator view of a program (API and CLI alike).
func ProgramView(p program.Program) ProgramJSON {
	return ProgramJSON{ProgramCode: p.Code, PartnerID: p.PartnerID, Name: p.Name, BIN: p.BIN, Currency: p.Currency,
		AdjustmentTypes: p.AdjustmentTypes, Features: p.Features, TermsEnforced: p.TermsEnforced,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func (s *Server) adminCreateProgram(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ProgramCode     string       `json:"programCode"`
		PartnerID       string       `json:"partnerId"`
		Name            string       `json:"name"`
		BIN             string       `json:"bin"`
		Currency        string       `json:"currency"`
		AdjustmentTypes []string     `json:"adjustmentTypes"`
		Features        []string     `json:"features"`
		TermsEnforced   []string     `json:"termsEnforced"`
		Reload          *ReloadInput `json:"reload"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rl, err := s.reloadSettings(r.Context(), in.ProgramCode, in.Reload)
	if err != nil {
		return err
	}
	p, err := s.Programs.Create(r.Context(), program.Program{
		Code: in.ProgramCode, PartnerID: in.PartnerID, Name: in.Name, BIN: in.BIN, Currency: in.Currency,
		AdjustmentTypes: in.AdjustmentTypes, Features: in.Features, TermsEnforced: in.TermsEnforced,
	})
	return s.writeProgram(w, r, http.StatusCreated, rl, p, err)
}

func (s *Server) adminGetProgram(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Programs.Get(r.Context(), r.PathValue("programCode"))
	return s.writeProgram(w, r, http.StatusOK, nil, p, err)
}

// writeProgram ends a program handler whose last call returned (p, err):
// it stores rl (when set) and answers the program's operator view with its
// reload settings.
func (s *Server) writeProgram(w http.ResponseWriter, r *http.Request, status int, rl *retail.Settings, p program.Program, err error) error {
	if err != nil {
		return err
	}
	out, err := s.withReload(r.Context(), ProgramView(p), rl)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

func (s *Server) adminPatchProgram(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name            *string      `json:"name"`
		BIN             *string      `json:"bin"`
		AdjustmentTypes *[]string    `json:"adjustmentTypes"`
		Features        *[]string    `json:"features"`
		TermsEnforced   *[]string    `json:"termsEnforced"`
		Reload          *ReloadInput `json:"reload"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if _, err := s.Programs.Get(r.Context(), r.PathValue("programCode")); err != nil {
		return err
	}
	rl, err := s.reloadSettings(r.Context(), r.PathValue("programCode"), in.Reload)
	if err != nil {
		return err
	}
	p, err := s.Programs.Update(r.Context(), r.PathValue("programCode"), program.Patch{
		Name: in.Name, BIN: in.BIN, AdjustmentTypes: in.AdjustmentTypes, Features: in.Features, TermsEnforced: in.TermsEnforced,
	})
	return s.writeProgram(w, r, http.StatusOK, rl, p, err)
}

// HolderJSON is an account holder.
type HolderJSON struct {
	FirstName  string `json:"firstName"`
	LastName   string `json:"lastName"`
	ZipCode    string `json:"zipCode"`
	CustomerID string `json:"customerId,omitempty"`
}

// AccountJSON is the operator view of an account.
type AccountJSON struct {
	AccountIdentifier string     `json:"accountIdentifier"`
	ProgramCode       string     `json:"programCode"`
	Status            string     `json:"status"`
	Holder            HolderJSON `json:"holder"`
	CreatedAt         time.Time  `json:"createdAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`
	// Balances and RecentEntries are set by GET (the ledger's view).
	Balances      *AccountBalancesJSON `json:"balances,omitempty"`
	RecentEntries []EntryJSON          `json:"recentEntries,omitempty"`
}

// AccountView is the operator view of an account (API and CLI alike).
func AccountView(a account.Account) AccountJSON { return accountJSON(a) }

func accountJSON(a account.Account) AccountJSON {
	h := a.Holder
	return AccountJSON{AccountIdentifier: a.ID, ProgramCode: a.ProgramCode, Status: string(a.Status),
		Holder:    HolderJSON{FirstName: h.FirstName, LastName: h.LastName, ZipCode: h.ZipCode, CustomerID: h.CustomerID},
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func (s *Server) adminOpenAccount(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Holder HolderJSON `json:"holder"`
		Status string     `json:"status"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p, err := s.Programs.Get(r.Context(), r.PathValue("programCode"))
	if err != nil {
		return err
	}
	h := in.Holder
	a, err := s.Accounts.Open(r.Context(), p.Code, account.Holder{FirstName: h.FirstName, LastName: h.LastName,
		ZipCode: h.ZipCode, CustomerID: h.CustomerID}, account.Status(in.Status))
	return answer(w, http.StatusCreated, accountJSON, a, err)
}

// adminListAccounts pages through a program's accounts in id order:
// ?after=<last accountIdentifier seen>&limit=<1..100>.
func (s *Server) adminListAccounts(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Programs.Get(r.Context(), r.PathValue("programCode"))
	if err != nil {
		return err
	}
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	accts, err := s.Accounts.List(r.Context(), p.Code, r.URL.Query().Get("after"), limit)
	if err != nil {
		return err
	}
	out := struct {
		Accounts []AccountJSON `json:"accounts"`
		Next     string        `json:"next,omitempty"`
	}{Accounts: []AccountJSON{}}
	for _, a := range accts {
		out.Accounts = append(out.Accounts, accountJSON(a))
	}
	if len(accts) == limit {
		out.Next = accts[len(accts)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// queryLimit parses ?limit= (1 to 100, default def).
func queryLimit(r *http.Request, def int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		return 0, apperr.Field("limit", "limit must be an integer from 1 to 100")
	}
	return n, nil
}

// adminAccount resolves {programCode} and {accountIdentifier}.
func (s *Server) adminAccount(r *http.Request) (account.Account, error) {
	id, err := account.ParseID(r.PathValue("accountIdentifier"))
	if err != nil {
		return account.Account{}, err
	}
	return s.Accounts.Get(r.Context(), r.PathValue("programCode"), id)
}

// adminAccountProgram resolves the account as adminAccount does, and the
// program it belongs to.
func (s *Server) adminAccountProgram(r *http.Request) (program.Program, account.Account, error) {
	a, err := s.adminAccount(r)
	if err != nil {
		return program.Program{}, a, err
	}
	p, err := s.Programs.Get(r.Context(), a.ProgramCode)
	return p, a, err
}

// adminCard resolves the account as adminAccount does, then validates
// {paymentInstrumentIdentifier}; it answers both identifiers.
func (s *Server) adminCard(r *http.Request) (accountID, cardID string, err error) {
	a, err := s.adminAccount(r)
	if err != nil {
		return "", "", err
	}
	id, err := parseUUID("paymentInstrumentIdentifier", r.PathValue("paymentInstrumentIdentifier"))
	if err != nil {
		return "", "", err
	}
	return a.ID, id, nil
}

func (s *Server) adminGetAccount(w http.ResponseWriter, r *http.Request) error {
	a, err := s.adminAccount(r)
	if err != nil {
		return err
	}
	out := accountJSON(a)
	if err := s.ledgerView(r, &out); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// decodeStatus reads the {"status": "..."} body of an account's or a
// card's PATCH; the domain validates the value.
func decodeStatus(r *http.Request) (string, error) {
	var in struct {
		Status string `json:"status"`
	}
	err := decodeStrict(r, &in)
	return in.Status, err
}

func (s *Server) adminPatchAccount(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	a, err := s.adminAccount(r)
	if err != nil {
		return err
	}
	a, err = s.Accounts.SetStatus(r.Context(), a.ProgramCode, a.ID, account.Status(in.Status), in.Reason)
	return answer(w, http.StatusOK, accountJSON, a, err)
}

// CardJSON is the operator view of a payment instrument. PAN is set only
// in the answer to the create call.
type CardJSON struct {
	PaymentInstrumentIdentifier string    `json:"paymentInstrumentIdentifier"`
	AccountIdentifier           string    `json:"accountIdentifier"`
	PAN                         string    `json:"pan,omitempty"`
	Last4PAN                    string    `json:"last4Pan"`
	BIN                         string    `json:"bin"`
	ExpiryYear                  string    `json:"expiryYear"`
	ExpiryMonth                 string    `json:"expiryMonth"`
	Status                      string    `json:"status"`
	Type                        string    `json:"type"`
	EmbossType                  string    `json:"embossType,omitempty"`
	DeliveryMethod              string    `json:"deliveryMethod"`
	IssuedAt                    time.Time `json:"issuedAt"`
}

// CardView is the operator view of a card; pan is set only when the card
// was just issued (API and CLI alike).
func CardView(c card.Card, pan string) CardJSON { return cardJSON(c, pan) }

func cardJSON(c card.Card, pan string) CardJSON {
	return CardJSON{PaymentInstrumentIdentifier: c.ID, AccountIdentifier: c.AccountID, PAN: pan, Last4PAN: c.Last4,
		BIN: c.BIN, ExpiryYear: c.ExpiryYear, ExpiryMonth: c.ExpiryMonth, Status: string(c.Status), Type: c.Type,
		EmbossType: c.EmbossType, DeliveryMethod: c.DeliveryMethod, IssuedAt: c.IssuedAt}
}

func (s *Server) adminCreateCard(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PAN            string `json:"pan"`
		ExpiryYear     string `json:"expiryYear"`
		ExpiryMonth    string `json:"expiryMonth"`
		Type           string `json:"type"`
		EmbossType     string `json:"embossType"`
		DeliveryMethod string `json:"deliveryMethod"`
		Material       string `json:"material"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	material, err := delivery.ParseMaterial(in.Material)
	if err != nil {
		return err
	}
	p, a, err := s.adminAccountProgram(r)
	if err != nil {
		return err
	}
	c, pan, err := s.Cards.Issue(r.Context(), p.Code, a.ID, p.BIN, card.IssueRequest{PAN: in.PAN,
		ExpiryYear: in.ExpiryYear, ExpiryMonth: in.ExpiryMonth, Type: in.Type, EmbossType: in.EmbossType,
		DeliveryMethod: in.DeliveryMethod})
	if err != nil {
		return err
	}
	if err := s.Delivery.Open(r.Context(), c, material); err != nil {
		// The card exists; its fulfilment record (material pvc) is then
		// made with its first delivery event.
		s.Log.Error("fulfilment record", "card_id", c.ID, "error", err.Error())
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, cardJSON(c, pan))
	return nil
}

func (s *Server) adminPatchCard(w http.ResponseWriter, r *http.Request) error {
	status, err := decodeStatus(r)
	if err != nil {
		return err
	}
	accountID, id, err := s.adminCard(r)
	if err != nil {
		return err
	}
	c, err := s.Cards.SetStatus(r.Context(), accountID, id, card.Status(status))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cardJSON(c, ""))
	return nil
}

// parseUUID validates a path identifier that must be a UUID.
func parseUUID(field, s string) (string, error) {
	id, err := account.ParseID(s)
	if err != nil {
		return "", apperr.Field(field, "%s must be a UUID", field)
	}
	return id, nil
}
