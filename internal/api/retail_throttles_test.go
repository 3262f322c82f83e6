package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

const throttlesPath = "/admin/v1/retail/throttles"

// retailThrottle is a throttle as the operator API answers it.
type retailThrottle struct {
	PartnerID, PartnerName string
	Since, Until           time.Time
	Misses                 int
	LiftedAt               *time.Time
}

type throttlePage struct {
	Throttles []retailThrottle
	Next      string
}

// trip sends misses (110 answers) for the retailer of e.Token at merchant m
// until the guard throttles it: the last answer is 429.
func (w *retailWorld) trip(t *testing.T, e *apitest.Env, m string, limit int) {
	t.Helper()
	miss := at(w.body(), m)
	miss["accountNumber"] = "5344560000816246"
	for range limit {
		wantRetail(t, w.call(e, miss), http.StatusOK, 110, "Account Not Found.")
	}
	wantRetail(t, w.call(e, miss), http.StatusTooManyRequests, 429, "Too many requests for accounts that were not found; retry later.")
}

// auditEvents counts the audit events of one action on a subject.
func auditEvents(t *testing.T, e *apitest.Env, subject, action string) int {
	t.Helper()
	evs := e.Admin("GET", "/admin/v1/audit?subject="+subject+"&action="+action, nil).Want(t, http.StatusOK).JSON(t)["events"].([]any)
	return len(evs)
}

// The operator lists the retailers the enumeration guard throttled and
// lifts a throttle: the retailer is answered normally at once, its misses
// are counted afresh, and the lift is audited. Roles without
// retail.unthrottle are refused and change nothing; lifting a partner
// with no throttle in force is 404 and changes nothing.
func TestRetailThrottlesListAndLift(t *testing.T) {
	const limit = 3
	cfg := func(c *app.Config) { c.RetailMissLimit, c.RetailMissWindow = limit, 5*time.Minute }
	apitest.EnginesWith(t, apitest.Options{Configure: cfg}, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e)
		tokA := e.Token
		chain := retailChain(t, e, "CHAIN", "BCHAIN")
		tokB := e.Token
		_, _, viewer := e.Operator("viewer")
		_, riskEmail, risk := e.Operator("risk")

		var page throttlePage
		e.As(viewer, "GET", throttlesPath, nil).Want(t, http.StatusOK).Decode(t, &page)
		if len(page.Throttles) != 0 || page.Next != "" {
			t.Fatalf("throttles before any miss: %+v", page)
		}
		e.Token = tokA
		w.trip(t, e, merchant, limit)
		e.Token = tokB
		w.trip(t, e, "BCHAIN", limit)

		// Both are listed, a page at a time, in partner id order.
		e.As(viewer, "GET", throttlesPath, nil).Want(t, http.StatusOK).Decode(t, &page)
		if len(page.Throttles) != 2 || page.Next != "" {
			t.Fatalf("throttles: %+v", page)
		}
		var mine retailThrottle
		for _, th := range page.Throttles {
			if th.PartnerID == w.PartnerID {
				mine = th
			}
		}
		if mine.PartnerName != "Partner PROG1" || mine.Misses != limit || mine.Until.Sub(mine.Since) != 5*time.Minute ||
			mine.LiftedAt != nil {
			t.Fatalf("the throttle of %s: %+v", w.PartnerID, page.Throttles)
		}
		var first, second throttlePage
		e.Admin("GET", throttlesPath+"?limit=1", nil).Want(t, http.StatusOK).Decode(t, &first)
		e.Admin("GET", throttlesPath+"?limit=1&after="+first.Next, nil).Want(t, http.StatusOK).Decode(t, &second)
		if len(first.Throttles) != 1 || len(second.Throttles) != 1 || first.Next == "" ||
			first.Throttles[0].PartnerID >= second.Throttles[0].PartnerID {
			t.Fatalf("pages: %+v then %+v", first, second)
		}
		e.Admin("GET", throttlesPath+"?limit=0", nil).Want(t, http.StatusBadRequest)

		// Roles without the permission are refused, audited, and the
		// retailer stays throttled.
		lift := throttlesPath + "/" + w.PartnerID
		for _, role := range []string{"viewer", "support", "finance"} {
			_, _, tok := e.Operator(role)
			var p struct{ Detail string }
			e.As(tok, "DELETE", lift, nil).Want(t, http.StatusForbidden).Decode(t, &p)
			if !strings.Contains(p.Detail, "retail.unthrottle") || !strings.Contains(p.Detail, "held by admin, risk") {
				t.Fatalf("%s refused with %q", role, p.Detail)
			}
		}
		e.Token = tokA
		wantRetail(t, w.call(e, w.body()), http.StatusTooManyRequests, 429, "Too many requests for accounts that were not found; retry later.")
		if n := auditEvents(t, e, "partner:"+w.PartnerID, "retail.throttleLifted"); n != 0 {
			t.Fatalf("%d lift events after refusals", n)
		}

		// Risk lifts it: answered as it stood, audited with the operator,
		// and the retailer's next validation is answered normally.
		var lifted retailThrottle
		e.As(risk, "DELETE", lift, nil).Want(t, http.StatusOK).Decode(t, &lifted)
		if lifted.PartnerID != w.PartnerID || lifted.Misses != limit || !lifted.Until.Equal(mine.Until) || lifted.LiftedAt == nil ||
			!lifted.LiftedAt.Before(mine.Until) {
			t.Fatalf("lift answered %+v", lifted)
		}
		evs := e.Admin("GET", "/admin/v1/audit?subject=partner:"+w.PartnerID+"&action=retail.throttleLifted", nil).
			Want(t, http.StatusOK).JSON(t)["events"].([]any)
		ev := evs[0].(map[string]any)
		if d := ev["detail"].(map[string]any); len(evs) != 1 || ev["actor"] != "operator:"+riskEmail || d["misses"] != float64(limit) {
			t.Fatalf("lift audit: %v", evs)
		}
		wantRetail(t, w.call(e, w.body()), http.StatusOK, 0, "Success")
		e.Admin("GET", throttlesPath, nil).Want(t, http.StatusOK).Decode(t, &page)
		if len(page.Throttles) != 1 || page.Throttles[0].PartnerID != chain.PartnerID {
			t.Fatalf("throttles after the lift: %+v", page)
		}

		// Lifting again, or an unknown partner: 404 in the operator
		// envelope, nothing changes.
		for _, id := range []string{w.PartnerID, "no-such-partner"} {
			r := e.Admin("DELETE", throttlesPath+"/"+id, nil).Want(t, http.StatusNotFound)
			var p struct{ Type, Detail string }
			r.Decode(t, &p)
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") || !strings.Contains(p.Detail, "not throttled") {
				t.Fatalf("lift of %s: %s %s", id, r.Header.Get("Content-Type"), r.Body)
			}
		}
		if n := auditEvents(t, e, "partner:"+w.PartnerID, "retail.throttleLifted"); n != 1 {
			t.Fatalf("%d lift events, want 1", n)
		}
		e.Admin("GET", throttlesPath, nil).Want(t, http.StatusOK).Decode(t, &page)
		if len(page.Throttles) != 1 {
			t.Fatalf("throttles after refused lifts: %+v", page)
		}

		// The misses that tripped the lifted throttle no longer count: it
		// takes a full limit of new ones to throttle the retailer again.
		w.trip(t, e, merchant, limit)
		if n := auditEvents(t, e, "partner:"+w.PartnerID, "retail.throttled"); n != 2 {
			t.Fatalf("%d throttle events, want 2", n)
		}

		// Operators lifting at once: one lifts, the others are told there
		// is nothing to lift; one event.
		statuses := make(chan int, 4)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { statuses <- e.Admin("DELETE", lift, nil).Status })
		}
		wg.Wait()
		close(statuses)
		got := map[int]int{}
		for st := range statuses {
			got[st]++
		}
		if got[http.StatusOK] != 1 || got[http.StatusNotFound] != 3 || auditEvents(t, e, "partner:"+w.PartnerID, "retail.throttleLifted") != 2 {
			t.Fatalf("concurrent lifts answered %v", got)
		}
	})
}
