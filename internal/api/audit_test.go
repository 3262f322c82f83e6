package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

type auditEvent struct {
	EventID string         `json:"eventId"`
	Actor   string         `json:"actor"`
	Action  string         `json:"action"`
	Subject string         `json:"subject"`
	Detail  map[string]any `json:"detail"`
}

type auditPage struct {
	Events []auditEvent `json:"events"`
	Next   string       `json:"next"`
}

func readAudit(t *testing.T, e *apitest.Env, q url.Values) auditPage {
	t.Helper()
	var p auditPage
	e.Admin("GET", "/admin/v1/audit?"+q.Encode(), nil).Want(t, http.StatusOK).Decode(t, &p)
	return p
}

// onlyEvent asserts the subject has exactly one event with this action
// and answers it.
func onlyEvent(t *testing.T, e *apitest.Env, subject, action string) auditEvent {
	t.Helper()
	p := readAudit(t, e, url.Values{"subject": {subject}, "action": {action}})
	if len(p.Events) != 1 {
		t.Fatalf("%s %s: want 1 event, got %+v", subject, action, p.Events)
	}
	ev := p.Events[0]
	if ev.Actor != "operator" || ev.Action != action || ev.Subject != subject {
		t.Fatalf("unexpected event %+v", ev)
	}
	return ev
}

func wantAuditDetail(t *testing.T, ev auditEvent, want map[string]any) {
	t.Helper()
	got, _ := json.Marshal(ev.Detail)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Fatalf("%s detail = %s, want %s", ev.Action, got, exp)
	}
}

func auditCount(t *testing.T, e *apitest.Env) int {
	t.Helper()
	var n int
	if err := e.App.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAuditTrailOfOperatorChanges(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed(apitest.ProgramSpec{Code: "AUD1", AdjustmentTypes: []string{"promo"}, Features: []string{"NB100"}})
		acctPath := "/admin/v1/programs/AUD1/accounts/" + s.AccountID
		cardPath := acctPath + "/paymentInstruments/" + s.CardID

		wantAuditDetail(t, onlyEvent(t, e, "partner:"+s.PartnerID, "partner.created"),
			map[string]any{"clientId": s.ClientID, "name": "Partner AUD1"})
		wantAuditDetail(t, onlyEvent(t, e, "program:AUD1", "program.created"), map[string]any{
			"adjustmentTypes": []string{"promo"}, "bin": "499998", "currency": "USD", "features": []string{"NB100"},
			"name": "Program AUD1", "partnerId": s.PartnerID, "termsEnforced": []string{}})
		wantAuditDetail(t, onlyEvent(t, e, "account:"+s.AccountID, "account.opened"),
			map[string]any{"programCode": "AUD1", "to": "normal"})
		wantAuditDetail(t, onlyEvent(t, e, "card:"+s.CardID, "card.issued"),
			map[string]any{"accountIdentifier": s.AccountID, "last4Pan": s.PAN[12:], "to": "notActivated"})

		// Rotation, program update (only the changed field), status changes.
		var rot struct{ ClientSecret string }
		e.Admin("POST", "/admin/v1/partners/"+s.PartnerID+"/secrets", nil).Want(t, http.StatusCreated).Decode(t, &rot)
		wantAuditDetail(t, onlyEvent(t, e, "partner:"+s.PartnerID, "partner.secretRotated"), map[string]any{"secretVersion": 2})
		e.Admin("PATCH", "/admin/v1/programs/AUD1", map[string]any{"name": "Renamed", "bin": "499998"}).Want(t, http.StatusOK)
		wantAuditDetail(t, onlyEvent(t, e, "program:AUD1", "program.updated"), map[string]any{"name": "Renamed"})
		e.Admin("PATCH", acctPath, map[string]any{"status": "locked"}).Want(t, http.StatusOK)
		wantAuditDetail(t, onlyEvent(t, e, "account:"+s.AccountID, "account.statusChanged"),
			map[string]any{"from": "normal", "programCode": "AUD1", "to": "locked"})
		e.Admin("PATCH", cardPath, map[string]any{"status": "blocked"}).Want(t, http.StatusOK)
		wantAuditDetail(t, onlyEvent(t, e, "card:"+s.CardID, "card.statusChanged"), map[string]any{
			"accountIdentifier": s.AccountID, "from": "notActivated", "last4Pan": s.PAN[12:], "to": "blocked"})

		// Failed changes and no-op changes write nothing.
		n := auditCount(t, e)
		e.Admin("PATCH", acctPath, map[string]any{"status": "frozen"}).Want(t, http.StatusBadRequest)
		e.Admin("PATCH", cardPath, map[string]any{"status": "lost"}).Want(t, http.StatusBadRequest)
		e.Admin("PATCH", "/admin/v1/programs/AUD1", map[string]any{"bin": "12"}).Want(t, http.StatusBadRequest)
		e.Admin("POST", "/admin/v1/programs", map[string]any{"programCode": "AUD1", "partnerId": s.PartnerID,
			"name": "Dup", "bin": "499998"}).Want(t, http.StatusConflict)
		e.Admin("POST", "/admin/v1/partners", map[string]any{"name": ""}).Want(t, http.StatusBadRequest)
		e.Admin("POST", "/admin/v1/partners/00000000-0000-0000-0000-000000000000/secrets", nil).Want(t, http.StatusNotFound)
		e.Admin("PATCH", "/admin/v1/programs/AUD1/accounts/00000000-0000-0000-0000-000000000000",
			map[string]any{"status": "closed"}).Want(t, http.StatusNotFound)
		e.Admin("PATCH", acctPath, map[string]any{"status": "locked"}).Want(t, http.StatusOK)
		e.Admin("PATCH", "/admin/v1/programs/AUD1", map[string]any{"name": "Renamed"}).Want(t, http.StatusOK)
		if got := auditCount(t, e); got != n {
			t.Fatalf("failed or no-op changes wrote %d events", got-n)
		}

		// No event holds the PAN, a client secret or its hash.
		var hash string
		if err := e.App.DB.QueryRow(context.Background(), `SELECT secret_hash FROM partners WHERE id = ?`, s.PartnerID).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		rows, err := e.App.DB.Query(context.Background(), `SELECT detail FROM audit_events`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{s.PAN, s.ClientSecret, rot.ClientSecret, hash} {
				if strings.Contains(d, secret) {
					t.Fatalf("audit detail %s holds a secret", d)
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAuditReadFiltersAndPages(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed(apitest.ProgramSpec{Code: "AUD2", Features: []string{"NB100"}})
		acctPath := "/admin/v1/programs/AUD2/accounts/" + s.AccountID
		for _, st := range []string{"locked", "normal", "restricted", "normal"} {
			e.Admin("PATCH", acctPath, map[string]any{"status": st}).Want(t, http.StatusOK)
		}
		e.Admin("PUT", acctPath+"/features/NB100", map[string]any{"authorize": true}).Want(t, http.StatusOK)

		// The account's subject: 1 opened + 4 status changes + 1 feature
		// event, newest first, paged 2 at a time.
		var all []auditEvent
		q := url.Values{"subject": {"account:" + s.AccountID}, "limit": {"2"}}
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			p := readAudit(t, e, q)
			all = append(all, p.Events...)
			if p.Next == "" {
				break
			}
			q.Set("before", p.Next)
		}
		var actions []string
		for _, ev := range all {
			actions = append(actions, ev.Action)
		}
		want := "feature.enrolled account.statusChanged account.statusChanged account.statusChanged account.statusChanged account.opened"
		if got := strings.Join(actions, " "); got != want {
			t.Fatalf("account events = %s, want %s", got, want)
		}
		if all[1].Detail["to"] != "normal" || all[1].Detail["from"] != "restricted" || all[4].Detail["to"] != "locked" {
			t.Fatalf("not newest first: %+v", all)
		}

		// Action prefix filter, with and without a subject.
		p := readAudit(t, e, url.Values{"action": {"account.statusChanged"}})
		if len(p.Events) != 4 || p.Next != "" {
			t.Fatalf("action filter: %+v", p)
		}
		p = readAudit(t, e, url.Values{"action": {"card."}})
		if len(p.Events) != 1 || p.Events[0].Subject != "card:"+s.CardID {
			t.Fatalf("card. filter: %+v", p)
		}
		// LIKE wildcards in the prefix are literal.
		if p = readAudit(t, e, url.Values{"action": {"%"}}); len(p.Events) != 0 {
			t.Fatalf("%% matched: %+v", p)
		}
		if p = readAudit(t, e, url.Values{"subject": {"account:nosuch"}}); len(p.Events) != 0 || p.Next != "" {
			t.Fatalf("unknown subject: %+v", p)
		}

		// The feature history shares the query and still sees only its own events.
		var h struct{ Events []map[string]any }
		e.Admin("GET", acctPath+"/history", nil).Want(t, http.StatusOK).Decode(t, &h)
		if len(h.Events) != 1 {
			t.Fatalf("history = %+v", h)
		}

		e.Admin("GET", "/admin/v1/audit?limit=0", nil).Want(t, http.StatusBadRequest)
		e.Admin("GET", "/admin/v1/audit?limit=101", nil).Want(t, http.StatusBadRequest)
		e.Admin("GET", "/admin/v1/audit?before=nope!", nil).Want(t, http.StatusBadRequest)
		e.Do("GET", "/admin/v1/audit", nil).Want(t, http.StatusUnauthorized)
	})
}
