package apitest

import (
	"net/http"
	"net/url"
	"strings"
)

// Seed is a partner with a program, an account and a card, made through
// the operator API.
type Seed struct {
	PartnerID, ClientID, ClientSecret string
	ProgramCode                       string
	AccountID                         string
	CardID, PAN                       string
}

// ProgramSpec adjusts the seeded program.
type ProgramSpec struct {
	Code            string
	AdjustmentTypes []string
	Features        []string
	TermsEnforced   []string
}

// AllAdjustmentTypes is every adjustment type.
var AllAdjustmentTypes = []string{"disbursement", "disbursementReversal", "anyDebitOut", "anyDebitOutReversal",
	"achOut", "achOutReversal", "promo", "promoReversal", "instructionCredit", "instructionDebit"}

// Seed creates a partner, program (every adjustment type and feature, code
// "PROG1" unless given), account and physical card, and stores the
// partner's access token in e.Token.
func (e *Env) Seed(spec ...ProgramSpec) Seed {
	e.T.Helper()
	sp := ProgramSpec{Code: "PROG1", AdjustmentTypes: AllAdjustmentTypes,
		Features: []string{"NB100", "UCB1", "UCB2", "UCB3", "UCB4", "RDC0", "RDC1", "RDC2", "RDC3", "RDC4", "RDC5", "RDC8", "RDC10"}}
	if len(spec) > 0 {
		sp = spec[0]
	}
	var s Seed
	var p struct{ PartnerID, ClientID, ClientSecret string }
	e.Admin("POST", "/admin/v1/partners", map[string]any{"name": "Partner " + sp.Code}).Want(e.T, http.StatusCreated).Decode(e.T, &p)
	s.PartnerID, s.ClientID, s.ClientSecret = p.PartnerID, p.ClientID, p.ClientSecret
	e.Admin("POST", "/admin/v1/programs", map[string]any{"programCode": sp.Code, "partnerId": s.PartnerID,
		"name": "Program " + sp.Code, "bin": "499998", "adjustmentTypes": sp.AdjustmentTypes, "features": sp.Features,
		"termsEnforced": sp.TermsEnforced}).Want(e.T, http.StatusCreated)
	s.ProgramCode = sp.Code
	s.AccountID = e.OpenAccount(sp.Code, "normal")
	var c struct{ PaymentInstrumentIdentifier, PAN string }
	e.Admin("POST", "/admin/v1/programs/"+sp.Code+"/accounts/"+s.AccountID+"/paymentInstruments", map[string]any{}).
		Want(e.T, http.StatusCreated).Decode(e.T, &c)
	s.CardID, s.PAN = c.PaymentInstrumentIdentifier, c.PAN
	e.Token = e.TokenFor(s.ClientID, s.ClientSecret)
	return s
}

// OpenAccount opens an account (holder Jack White, 91107) with a status.
func (e *Env) OpenAccount(programCode, status string) string {
	e.T.Helper()
	var a struct{ AccountIdentifier string }
	e.Admin("POST", "/admin/v1/programs/"+programCode+"/accounts", map[string]any{
		"holder": map[string]any{"firstName": "Jack", "lastName": "White", "zipCode": "91107"}, "status": status,
	}).Want(e.T, http.StatusCreated).Decode(e.T, &a)
	return a.AccountIdentifier
}

// TokenFor exchanges client credentials for an access token.
func (e *Env) TokenFor(clientID, secret string) string {
	e.T.Helper()
	req, _ := http.NewRequest("POST", e.URL+"/authentication", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	e.Send(req).Want(e.T, http.StatusOK).Decode(e.T, &tok)
	return tok.AccessToken
}
