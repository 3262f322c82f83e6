package api_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/vault"
)

// retailChain adds a retail partner with merchant id, store CC970 and user
// cashier@store.example, and answers the partner's seed (e.Token is its).
func retailChain(t *testing.T, e *apitest.Env, code, id string) apitest.Seed {
	t.Helper()
	s := e.Seed(apitest.ProgramSpec{Code: code, AdjustmentTypes: []string{}, Features: []string{}})
	e.Admin("POST", "/admin/v1/merchants", map[string]any{"merchantId": id, "partnerId": s.PartnerID,
		"name": "Chain " + id, "merchantFee": "1.00"}).Want(t, http.StatusCreated)
	e.Admin("POST", "/admin/v1/merchants/"+id+"/stores", map[string]any{"storeId": "CC970"}).Want(t, http.StatusCreated)
	e.Admin("POST", "/admin/v1/merchants/"+id+"/users", map[string]any{"userId": "cashier@store.example"}).Want(t, http.StatusCreated)
	return s
}

// at names merchant m in a request body.
func at(body map[string]any, m string) map[string]any {
	body["metadata"].(map[string]any)["merchantId"] = m
	return body
}

// withoutIDs is a retail answer without what differs between any two
// answers (the ids and the time).
func withoutIDs(b map[string]any) string {
	md := b["metadata"].(map[string]any)
	delete(md, "responseId")
	delete(md, "requestId")
	delete(md, "responseDateTime")
	return string(mustJSON(b))
}

// A retailer reloads another partner's card when the program accepts it
// (every retail partner by default, or the partners listed in
// reload.retailPartners) and gets 110 exactly as for a card that does not
// exist when it does not.
func TestCardDetailsRetailNetwork(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e) // partner A's program PROG1 with reload settings, no retailPartners
		tokA := e.Token
		chain := retailChain(t, e, "CHAIN", "BCHAIN")
		other := retailChain(t, e, "OTHERC", "CCHAIN")
		e.Token = e.TokenFor(chain.ClientID, chain.ClientSecret)
		prog := "/admin/v1/programs/" + w.ProgramCode
		reload := func(v any) map[string]any {
			r := e.Admin("PATCH", prog, map[string]any{"reload": map[string]any{"retailPartners": v}}).Want(t, http.StatusOK)
			return r.JSON(t)["reload"].(map[string]any)
		}
		if rl := e.Admin("GET", prog, nil).Want(t, http.StatusOK).JSON(t)["reload"].(map[string]any); rl["retailPartners"] != nil {
			t.Fatalf("default retailPartners = %v, want null (open)", rl["retailPartners"])
		}

		// Open: the chain validates A's card by PAN and by id, with its own
		// merchant fee and A's reload fee, and commits the load.
		ok := wantRetail(t, w.call(e, at(w.body(), "BCHAIN")), http.StatusOK, 0, "Success")
		if ok["reloadFee"] != "3.95" || ok["merchantFee"] != "1.00" || ok["availableBalance"] != "0.00" {
			t.Fatalf("cross-partner validation: %v", ok)
		}
		byID := at(w.body(), "BCHAIN")
		byID["accountNumber"], byID["accountIdentifier"] = "", w.AccountID
		wantRetail(t, w.call(e, byID), http.StatusOK, 0, "Success")
		l := wantLoad(t, w.post(e, "/card/load", at(w.loadBody("validationResponseId", w.md(ok)["responseId"].(string), 20), "BCHAIN")),
			http.StatusOK, 0, "Success")
		if l["availableBalance"] != "15.05" {
			t.Fatalf("cross-partner load: %v", l)
		}
		pending := w.md(wantRetail(t, w.call(e, at(w.body(), "BCHAIN")), http.StatusOK, 0, "Success"))["responseId"].(string)

		// Owner only: the chain's answer for A's card is the answer for a
		// card that does not exist, by PAN and by id; a validation it holds
		// can no longer be committed.
		if rl := reload([]string{}); len(rl["retailPartners"].([]any)) != 0 {
			t.Fatalf("retailPartners = %v", rl["retailPartners"])
		}
		closed := wantRetail(t, w.call(e, at(w.body(), "BCHAIN")), http.StatusOK, 110, "Account Not Found.")
		closedID := w.md(closed)["responseId"]
		unknown := at(w.body(), "BCHAIN")
		unknown["accountNumber"] = "5344560000816246"
		if a, b := withoutIDs(closed), withoutIDs(wantRetail(t, w.call(e, unknown), http.StatusOK, 110, "Account Not Found.")); a != b {
			t.Fatalf("a closed program is told apart from a missing card:\n%s\n%s", a, b)
		}
		wantRetail(t, w.call(e, byID), http.StatusOK, 110, "Account Not Found.")
		wantLoad(t, w.post(e, "/card/load", at(w.loadBody("validationResponseId", pending, 20), "BCHAIN")), http.StatusOK, 110, "Account Not Found.")
		var recorded int
		if err := e.App.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM retail_validations WHERE id = ? AND account_id = ''`,
			closedID).Scan(&recorded); err != nil || recorded != 1 {
			t.Fatalf("the hidden answer recorded the account (%d, %v)", recorded, err)
		}
		e.Token = tokA
		wantRetail(t, w.call(e, w.body()), http.StatusOK, 0, "Success") // the owner always may

		// Listed: the chain may, another retail partner may not.
		if rl := reload([]string{chain.PartnerID, chain.PartnerID}); len(rl["retailPartners"].([]any)) != 1 {
			t.Fatalf("retailPartners = %v", rl["retailPartners"])
		}
		ev := e.Admin("GET", "/admin/v1/audit?subject=program:"+w.ProgramCode+"&action=program.reloadUpdated&limit=1", nil).
			Want(t, http.StatusOK).JSON(t)["events"].([]any)
		if d := ev[0].(map[string]any)["detail"].(map[string]any); len(ev) != 1 || len(d["retailPartners"].([]any)) != 1 ||
			d["reloadFee"] != "3.95" {
			t.Fatalf("reload settings audit: %v", ev)
		}
		e.Token = e.TokenFor(chain.ClientID, chain.ClientSecret)
		wantRetail(t, w.call(e, at(w.body(), "BCHAIN")), http.StatusOK, 0, "Success")
		e.Token = e.TokenFor(other.ClientID, other.ClientSecret)
		wantRetail(t, w.call(e, at(w.body(), "CCHAIN")), http.StatusOK, 110, "Account Not Found.")

		// Reload disabled: the owner is told, a retailer is not.
		e.Admin("PATCH", prog, map[string]any{"reload": map[string]any{"enabled": false, "retailPartners": nil}}).Want(t, http.StatusOK)
		wantRetail(t, w.call(e, at(w.body(), "CCHAIN")), http.StatusOK, 110, "Account Not Found.")
		e.Token = tokA
		wantRetail(t, w.call(e, w.body()), http.StatusOK, 110, "AccountNotFound")

		// Operator input: an unknown partner is 404 and changes nothing; a wrong type is 400.
		e.Admin("PATCH", prog, map[string]any{"reload": map[string]any{"retailPartners": []string{"no-such-partner"}}}).Want(t, http.StatusNotFound)
		e.Admin("PATCH", prog, map[string]any{"reload": map[string]any{"retailPartners": "all"}}).Want(t, http.StatusBadRequest)
		if rl := e.Admin("GET", prog, nil).Want(t, http.StatusOK).JSON(t)["reload"].(map[string]any); rl["retailPartners"] != nil || rl["enabled"] != false {
			t.Fatalf("settings after refused changes: %v", rl)
		}
		verify(t, e)
	})
}

// A retailer that receives MissLimit 110 answers within the window is
// throttled on every node sharing the database (429 in the retail
// envelope, Retry-After), counted in the metrics and audited once; the
// throttle ends with the window. Misses arrive concurrently on two nodes.
func TestCardDetailsThrottleAcrossNodes(t *testing.T) {
	t.Parallel()
	for name, dsn := range apitest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			key, _ := vault.ParseKey(vault.GenerateKey())
			cfg := func(c *app.Config) { c.DataKey, c.RetailMissLimit, c.RetailMissWindow = key, 4, time.Minute }
			n1 := apitest.NewWith(t, dsn, apitest.Options{Configure: cfg})
			n2 := apitest.NewWith(t, dsn, apitest.Options{Configure: cfg})
			w := seedRetail(t, n1)
			n2.Token = n1.Token
			nodes := []*apitest.Env{n1, n2}
			miss := w.body()
			miss["accountNumber"] = "5344560000816246"

			var wg sync.WaitGroup
			codes := make(chan string, 8)
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes <- sendRetail(t, nodes[i%2], miss, "miss-"+strconv.Itoa(i))
				}()
			}
			wg.Wait()
			close(codes)
			misses := 0
			for c := range codes {
				switch c {
				case "110":
					misses++
				case "429":
				default:
					t.Fatalf("answer %s to a miss", c)
				}
			}
			if misses < 4 {
				t.Fatalf("%d misses answered before the throttle, want at least the limit (4)", misses)
			}
			for _, n := range nodes {
				r := w.call(n, w.body(), "after-throttle")
				b := wantRetail(t, r, http.StatusTooManyRequests, 429, "Too many requests for accounts that were not found; retry later.")
				wantNulls(t, b, "availableBalance", "reloadFee", "merchantFee", "cardType")
				if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
					t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
				}
				if m := metrics(t, n); !regexp.MustCompile(`(?m)^verdant_retail_throttled_total\{partner="` + w.PartnerID + `"\} [1-9]`).MatchString(m) {
					t.Fatalf("throttle metric missing:\n%s", m)
				}
			}
			ev := n1.Admin("GET", "/admin/v1/audit?subject=partner:"+w.PartnerID+"&action=retail.throttled", nil).Want(t, http.StatusOK).JSON(t)
			if evs := ev["events"].([]any); len(evs) != 1 || evs[0].(map[string]any)["actor"] != "system" {
				t.Fatalf("audit events: %v", ev)
			}
			// The window passes: the same request id, refused before, is answered.
			for _, n := range nodes {
				n.Clock.Advance(61 * time.Second)
			}
			wantRetail(t, w.call(n2, w.body(), "after-throttle"), http.StatusOK, 0, "Success")
		})
	}
}

func sendRetail(t *testing.T, e *apitest.Env, body map[string]any, reqID string) string {
	req, _ := http.NewRequest("POST", e.URL+"/card/details", strings.NewReader(string(mustJSON(body))))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.Token)
	req.Header.Set("X-GD-RequestId", reqID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return ""
	}
	resp.Body.Close()
	return resp.Header.Get("X-GD-ResponseCode")
}

func metrics(t *testing.T, e *apitest.Env) string {
	t.Helper()
	resp, err := http.Get(e.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
