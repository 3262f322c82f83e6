package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls one server.
type Client struct {
	URL   string
	Token string // partner access token
	HTTP  *http.Client
}

// NewHTTP is an HTTP client with enough idle connections for n workers.
func NewHTTP(n int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: n * 2, MaxIdleConnsPerHost: n * 2, IdleConnTimeout: time.Minute}}
}

func (c *Client) do(ctx context.Context, method, path, bearer string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode, nil
}

// Fixture is what Seed made.
type Fixture struct {
	ProgramCode      string
	ClientID, Secret string
	Accounts         []string
}

// Seed makes a partner, a program with every adjustment type and NB100,
// and n accounts, through the operator API, and answers the fixture with
// a partner access token set on c.
func Seed(ctx context.Context, c *Client, code string, n int) (Fixture, error) {
	fx := Fixture{ProgramCode: code}
	var p struct{ PartnerID, ClientID, ClientSecret string }
	if st, err := c.do(ctx, "POST", "/admin/v1/partners", AdminToken, map[string]any{"name": "Load " + code}, &p); err != nil || st != 201 {
		return fx, fmt.Errorf("create partner: %d %v", st, err)
	}
	fx.ClientID, fx.Secret = p.ClientID, p.ClientSecret
	types := []string{"disbursement", "disbursementReversal", "anyDebitOut", "anyDebitOutReversal", "achOut",
		"achOutReversal", "promo", "promoReversal", "instructionCredit", "instructionDebit"}
	if st, err := c.do(ctx, "POST", "/admin/v1/programs", AdminToken, map[string]any{"programCode": code,
		"partnerId": p.PartnerID, "name": "Load", "bin": "499998", "adjustmentTypes": types, "features": []string{"NB100"}}, nil); err != nil || st != 201 {
		return fx, fmt.Errorf("create program: %d %v", st, err)
	}
	for i := 0; i < n; i++ {
		var a struct{ AccountIdentifier string }
		st, err := c.do(ctx, "POST", "/admin/v1/programs/"+code+"/accounts", AdminToken, map[string]any{
			"holder": map[string]any{"firstName": "Load", "lastName": "Test", "zipCode": "91107"}}, &a)
		if err != nil || st != 201 {
			return fx, fmt.Errorf("open account: %d %v", st, err)
		}
		fx.Accounts = append(fx.Accounts, a.AccountIdentifier)
	}
	return fx, c.Login(ctx, fx)
}

// Login exchanges the fixture's client credentials for a token on c.
func (c *Client) Login(ctx context.Context, fx Fixture) error {
	req, _ := http.NewRequestWithContext(ctx, "POST", c.URL+"/authentication",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(fx.ClientID, fx.Secret)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		return fmt.Errorf("authentication: %d %v", resp.StatusCode, err)
	}
	c.Token = tok.AccessToken
	return nil
}

// Result is the answer to one adjustment.
type Result struct {
	HTTPStatus int
	Status     string // adjustmentStatus
	Reason     string
}

// Adjust posts one adjustment.
func (c *Client) Adjust(ctx context.Context, program, account, id, typ, amount string, debitToNegative bool) (Result, error) {
	var out struct{ AdjustmentStatus, AdjustmentStatusReason string }
	st, err := c.do(ctx, "POST", "/programs/"+program+"/accounts/"+account+"/adjustments", c.Token, map[string]any{
		"adjustmentIdentifier": id, "amount": amount, "currency": "USD", "adjustmentType": typ,
		"adjustmentDescription": "load", "debitToNegative": debitToNegative}, &out)
	return Result{st, out.AdjustmentStatus, out.AdjustmentStatusReason}, err
}

// Balance answers an account's posted balance as the API prints it.
func (c *Client) Balance(ctx context.Context, program, account string) (string, error) {
	var out struct{ PostedBalance string }
	st, err := c.do(ctx, "GET", "/programs/"+program+"/accounts/"+account+"/balances", c.Token, nil, &out)
	if err == nil && st != 200 {
		err = fmt.Errorf("balances: HTTP %d", st)
	}
	return out.PostedBalance, err
}
