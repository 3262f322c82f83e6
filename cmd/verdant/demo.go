package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/program"
)

// The demo world's fixed names: one of each object, so the printed lines
// read the same on every machine.
const (
	demoProgram  = "DEMO"
	demoCustomer = "demo-customer-1"
	demoMerchant = "DEMO-MART"
	demoStore    = "0001"
	demoUser     = "clerk-1"
	// demoPAN is the demo card's number: a test number on the demo
	// program's BIN (Luhn-valid). A real card number is only ever shown
	// once, when issued; the demo prints this one on every start.
	demoPAN = "4999980000001238"
)

// demoStateFile keeps the demo partner's credentials and the world's
// identifiers in the data directory, so they survive restarts.
const demoStateFile = "verdant-demo.json"

// demoWorld is what the demo made and prints.
type demoWorld struct {
	PartnerID    string `json:"partnerId"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	AccountID    string `json:"accountIdentifier"`
	CardID       string `json:"paymentInstrumentIdentifier"`
	CaseNumber   string `json:"caseNumber"`
}

// seedDemo makes the demo world on first start and prints how to reach
// every capability with curl. Later starts read the same credentials
// from the data directory (they are not rotated); only when that file is
// lost is the secret rotated and the world found again.
func seedDemo(ctx context.Context, a *app.App, base string, w io.Writer) error {
	path := filepath.Join(a.Config.DataDir, demoStateFile)
	world, err := loadDemo(ctx, a, path)
	if err != nil {
		return err
	}
	if err := saveDemo(path, world); err != nil {
		return err
	}
	printDemo(w, world, base, a.Config.AdminToken)
	return nil
}

// loadDemo answers the demo world: the saved one when its credentials
// still work, the one in the database (secret rotated) when the file is
// missing or stale, or a new one.
func loadDemo(ctx context.Context, a *app.App, path string) (demoWorld, error) {
	var world demoWorld
	prog, err := a.Programs.Get(ctx, demoProgram)
	if apperr.KindOf(err) == apperr.NotFound {
		return createDemo(ctx, a)
	}
	if err != nil {
		return world, err
	}
	if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &world) == nil && world.PartnerID == prog.PartnerID {
		if _, err := a.Partners.Authenticate(ctx, world.ClientID, world.ClientSecret); err == nil {
			return world, nil
		}
	}
	return recoverDemo(ctx, a, prog)
}

// recoverDemo rebuilds the world's identifiers from the database and
// makes the partner a new secret (the old one is not stored anywhere).
func recoverDemo(ctx context.Context, a *app.App, prog program.Program) (demoWorld, error) {
	creds, err := a.Partners.RotateSecret(ctx, prog.PartnerID)
	if err != nil {
		return demoWorld{}, err
	}
	world := demoWorld{PartnerID: prog.PartnerID, ClientID: creds.Partner.ClientID, ClientSecret: creds.ClientSecret}
	accts, err := a.Accounts.List(ctx, prog.Code, "", 1)
	if err != nil || len(accts) == 0 {
		return world, fmt.Errorf("the demo program has no account (%v): start with an empty --data-dir", err)
	}
	world.AccountID = accts[0].ID
	cards, err := a.Cards.ForAccount(ctx, world.AccountID)
	if err != nil {
		return world, err
	}
	for _, c := range cards {
		if c.Type == "physical" {
			world.CardID = c.ID
		}
	}
	return world, nil
}

func saveDemo(path string, world demoWorld) error {
	b, err := json.MarshalIndent(world, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// createDemo makes the world through the operator and partner APIs, in
// process, exactly as the docs show them: a partner and a program taking
// every adjustment type and feature, with reload settings; a verified
// customer profile; an account linked to it, funded, with NB100 and the
// negBal terms; a physical card that has shipped; a retail merchant with
// a store and a user; a customer-care case.
func createDemo(ctx context.Context, a *app.App) (demoWorld, error) {
	c := &demoClient{ctx: ctx, h: a.Handler, admin: a.Config.AdminToken}
	var w demoWorld
	var p struct{ PartnerID, ClientID, ClientSecret string }
	c.admin201("POST", "/admin/v1/partners", map[string]any{"name": "Demo Fintech"}, &p)
	w.PartnerID, w.ClientID, w.ClientSecret = p.PartnerID, p.ClientID, p.ClientSecret
	c.admin201("POST", "/admin/v1/programs", map[string]any{"programCode": demoProgram, "partnerId": p.PartnerID,
		"name": "Demo Program", "bin": "499998", "adjustmentTypes": program.AdjustmentTypes, "features": program.Features,
		"termsEnforced": []string{"negBal"}, "reload": map[string]any{"enabled": true, "reloadFee": "3.95"}}, nil)
	c.token(w.ClientID, w.ClientSecret)
	c.partner(http.StatusOK, "POST", "/customers/"+demoCustomer, map[string]any{"firstname": "Nancy", "lastname": "Yang",
		"email": "nancy.yang@example.com", "phonenumber": "6175550123", "dateofbirth": "04/12/1988",
		"socialsecuritynumber": "123-45-6789", "address1": "100 Summer St", "city": "Boston", "state": "MA",
		"zipcode": "02110"}, nil)

	var acct struct{ AccountIdentifier string }
	c.admin201("POST", "/admin/v1/programs/"+demoProgram+"/accounts",
		map[string]any{"holder": map[string]any{"customerId": demoCustomer}}, &acct)
	w.AccountID = acct.AccountIdentifier
	acctPath := "/programs/" + demoProgram + "/accounts/" + w.AccountID
	var cd struct {
		PaymentInstrumentIdentifier string
		IssuedAt                    time.Time
	}
	c.admin201("POST", "/admin/v1"+acctPath+"/paymentInstruments", map[string]any{"pan": demoPAN, "type": "physical",
		"embossType": "REP", "deliveryMethod": "exp"}, &cd)
	w.CardID = cd.PaymentInstrumentIdentifier
	shipped := cd.IssuedAt.UTC().Truncate(time.Second)
	for i, st := range []string{"ordered", "printing", "shipped"} {
		c.admin201("POST", "/admin/v1"+acctPath+"/paymentInstruments/"+w.CardID+"/deliveryEvents", map[string]any{
			"deliveryStatusCode": st, "trackingNumber": "9400100000000000000001",
			"occurredAt": shipped.Add(time.Duration(i) * time.Second).Format(time.RFC3339)}, nil)
	}

	c.partner(http.StatusOK, "POST", acctPath+"/adjustments", map[string]any{"adjustmentIdentifier": "00000000-0000-4000-8000-000000000001",
		"amount": "250.00", "currency": "USD", "adjustmentType": "instructionCredit", "adjustmentDescription": "Demo funding"}, nil)
	c.partner(http.StatusOK, "PUT", acctPath, map[string]any{"termsAcceptances": []any{
		map[string]any{"termsIdentifier": "negBal", "termsAcceptanceFlag": true}}}, nil)
	c.partner(http.StatusOK, "PUT", acctPath+"/features/NB100", map[string]any{"authorize": true}, nil)

	c.admin201("POST", "/admin/v1/merchants", map[string]any{"merchantId": demoMerchant, "partnerId": p.PartnerID,
		"name": "Demo Mart", "merchantFee": "1.00"}, nil)
	c.admin201("POST", "/admin/v1/merchants/"+demoMerchant+"/stores", map[string]any{"storeId": demoStore}, nil)
	c.admin201("POST", "/admin/v1/merchants/"+demoMerchant+"/users", map[string]any{"userId": demoUser}, nil)

	var cs struct{ CaseNumber string }
	c.partner(http.StatusOK, "POST", "/programs/"+demoProgram+"/customerCare/cases", demoCaseBody(w.AccountID), &cs)
	w.CaseNumber = cs.CaseNumber
	return w, c.err
}

// demoCaseBody is a support case for the demo account.
func demoCaseBody(accountID string) map[string]any {
	return map[string]any{"subject": "Card not arrived", "firstName": "Nancy", "lastName": "Yang",
		"customerQuestion": "My card shipped last week; when will it arrive?", "emailAddress": "nancy.yang@example.com",
		"accountIdentifier": accountID, "phoneNumbers": map[string]any{"number": "617-555-0123", "type": 0}}
}

// demoClient calls the platform's own handler in process; the first
// failure is kept in err and later calls do nothing.
type demoClient struct {
	ctx           context.Context
	h             http.Handler
	admin, bearer string // operator token, partner access token
	err           error
}

func (c *demoClient) admin201(method, path string, body, out any) {
	c.do(http.StatusCreated, "Bearer "+c.admin, method, path, body, out)
}

func (c *demoClient) partner(status int, method, path string, body, out any) {
	c.do(status, "Bearer "+c.bearer, method, path, body, out)
}

// token exchanges the partner's client credentials for an access token.
func (c *demoClient) token(id, secret string) {
	if c.err != nil {
		return
	}
	r := httptest.NewRequestWithContext(c.ctx, "POST", "/authentication",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth(id, secret)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	c.send(http.StatusOK, r, &tok)
	c.bearer = tok.AccessToken
}

func (c *demoClient) do(status int, auth, method, path string, body, out any) {
	if c.err != nil {
		return
	}
	b, err := json.Marshal(body)
	if err != nil {
		c.err = err
		return
	}
	r := httptest.NewRequestWithContext(c.ctx, method, path, bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", auth)
	c.send(status, r, out)
}

// send serves r and decodes the answer into out (when not nil); another
// status, or a BaaS answer with a non-zero code, is the demo's error.
func (c *demoClient) send(status int, r *http.Request, out any) {
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, r)
	var baas struct {
		ResponseDetails []struct{ Code int } `json:"responseDetails"`
	}
	json.Unmarshal(rec.Body.Bytes(), &baas)
	if rec.Code != status || (len(baas.ResponseDetails) > 0 && baas.ResponseDetails[0].Code != 0) {
		c.err = fmt.Errorf("demo: %s %s answered %d: %s", r.Method, r.URL.Path, rec.Code, rec.Body.String())
		return
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			c.err = errors.Join(fmt.Errorf("demo: %s %s", r.Method, r.URL.Path), err)
		}
	}
}
