package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

// BenchmarkCardDetails500rps drives POST /card/details at a fixed 500
// requests a second, open loop (each request is sent at its scheduled
// time whatever the earlier ones do, and its latency counts from that
// time, so a stall is not hidden), over real HTTP against the real
// server on SQLite (and PostgreSQL when VERDANT_TEST_POSTGRES_URL is
// set), and reports p50/p99. Every request is a full validation that is
// approved and written to the audit table. Run:
//
//	go test -run '^$' -bench CardDetails500rps -benchtime=1x ./internal/api/
//
// VERDANT_BENCH_SECONDS sets the duration (default 10).
func BenchmarkCardDetails500rps(b *testing.B) {
	dsns := apitest.DSNs(b)
	for _, name := range []string{"sqlite", "postgres"} {
		if dsn, ok := dsns[name]; ok {
			b.Run(name, func(b *testing.B) { benchCardDetails(b, dsn) })
		}
	}
}

// BenchmarkCardDetailsSerial is the closed-loop companion: one client,
// one request at a time, so ns/op is the service time of a validation
// (HTTP, checks, audit commit) without queueing. SQLite only.
func BenchmarkCardDetailsSerial(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, apitest.Config("sqlite:"+filepath.Join(b.TempDir(), "verdant.db"), &apitest.Clock{}), app.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	w := benchWorld(b, client, srv.URL)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code, err := w.send(client, "serial-"+strconv.Itoa(i), i); err != nil || code != "0" {
			b.Fatalf("request %d: %q %v", i, code, err)
		}
	}
}

func benchCardDetails(b *testing.B, dsn string) {
	a, url, client := benchApp(b, dsn)
	w := benchWorld(b, client, url)
	openLoop(b, a, func(iter, i int) error {
		code, err := w.send(client, fmt.Sprintf("bench-%d-%d", iter, i), i)
		if err == nil && code != "0" {
			err = fmt.Errorf("response code %q", code)
		}
		return err
	})
}

// benchNet is the seeded retail network of the benchmark: accounts, each
// with a card, on one program (BENCH) of one partner with generous limits.
type benchNet struct {
	url, token, partnerID string
	accounts, cards, pans []string
}

// cardDetails is the i-th validation of 20.00: of an account's card by
// its number when i is even, of an account by its identifier otherwise.
func (w *benchNet) cardDetails(reqID string, i int) *http.Request {
	acct, pan := "", ""
	if i%2 == 0 {
		pan = w.pans[i%len(w.pans)]
	} else {
		acct = w.accounts[i%len(w.accounts)]
	}
	body := fmt.Sprintf(`{"accountIdentifier":%q,"accountNumber":%q,"paymentProgramType":"Regular","transactionAmount":20.00,
		"metadata":{"storeId":"CC970","merchantId":"FSCC0342","userId":"cashier","requestDateTime":"2023-09-28T00:56:25Z","registerId":"01"}}`, acct, pan)
	req, _ := http.NewRequest("POST", w.url+"/card/details", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.token)
	req.Header.Set("X-GD-RequestId", reqID)
	return req
}

func (w *benchNet) send(c *http.Client, reqID string, i int) (string, error) {
	resp, err := c.Do(w.cardDetails(reqID, i))
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.Header.Get("X-GD-ResponseCode"), nil
}

func benchWorld(b *testing.B, c *http.Client, base string) *benchNet {
	return benchWorldOf(b, c, base, 50)
}

// benchAdmin sends an operator call that must succeed and decodes its
// answer into out (unless nil).
func benchAdmin(b *testing.B, c *http.Client, base, method, path string, body, out any) {
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(j))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apitest.AdminToken)
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(resp.Body)
		b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, msg)
	}
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
}

// benchWorldOf is benchWorld with n accounts.
func benchWorldOf(b *testing.B, c *http.Client, base string, n int) *benchNet {
	call := func(method, path string, body any, out any) { benchAdmin(b, c, base, method, path, body, out) }
	var p struct{ PartnerID, ClientID, ClientSecret string }
	call("POST", "/admin/v1/partners", map[string]any{"name": "Bench"}, &p)
	call("POST", "/admin/v1/programs", map[string]any{"programCode": "BENCH", "partnerId": p.PartnerID, "name": "Bench",
		"bin": "499998", "reload": map[string]any{"reloadFee": "3.95", "minLoadAmount": "1", "maxLoadAmount": "500",
			"dailyLoadLimit": "100000000"}}, nil)
	call("POST", "/admin/v1/merchants", map[string]any{"merchantId": "FSCC0342", "partnerId": p.PartnerID, "name": "Store",
		"merchantFee": "2.00"}, nil)
	call("POST", "/admin/v1/merchants/FSCC0342/stores", map[string]any{"storeId": "CC970"}, nil)
	call("POST", "/admin/v1/merchants/FSCC0342/users", map[string]any{"userId": "cashier"}, nil)
	w := &benchNet{url: base, partnerID: p.PartnerID}
	for i := 0; i < n; i++ {
		var a struct{ AccountIdentifier string }
		call("POST", "/admin/v1/programs/BENCH/accounts", map[string]any{"holder": map[string]any{
			"firstName": "Jack", "lastName": "White", "zipCode": "91107"}}, &a)
		var card struct{ PaymentInstrumentIdentifier, PAN string }
		call("POST", "/admin/v1/programs/BENCH/accounts/"+a.AccountIdentifier+"/paymentInstruments", map[string]any{}, &card)
		w.accounts, w.pans = append(w.accounts, a.AccountIdentifier), append(w.pans, card.PAN)
		w.cards = append(w.cards, card.PaymentInstrumentIdentifier)
	}
	req, _ := http.NewRequest("POST", base+"/authentication", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(p.ClientID, p.ClientSecret)
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	w.token = tok.AccessToken
	return w
}
