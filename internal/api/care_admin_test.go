package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

func carePatch(t *testing.T, e *apitest.Env, number string, body map[string]any, status int) careView {
	t.Helper()
	var c careView
	r := e.Admin("PATCH", "/admin/v1/cases/"+number, body).Want(t, status)
	if status == http.StatusOK {
		r.Decode(t, &c)
	}
	return c
}

// TestCareAgentWorkflow works a case from open to closed and back, with
// escalation, and checks the append-only history.
func TestCareAgentWorkflow(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		n := careCreate(t, e, s.ProgramCode, careBody(s.AccountID))
		c := careGet(t, e, n)
		if c.Status != "open" || c.Tier != 1 || c.Assignee != "" || len(c.History) != 1 || c.History[0].Action != "created" {
			t.Fatalf("new case: %+v", c)
		}
		c = carePatch(t, e, n, map[string]any{"status": "inProgress", "assignee": "agent.smith", "actor": "lead.agent"}, http.StatusOK)
		if c.Status != "inProgress" || c.Assignee != "agent.smith" || len(c.History) != 2 {
			t.Fatalf("after assignment: %+v", c)
		}
		h := c.History[1]
		if h.Actor != "lead.agent" || h.Status.From != "open" || h.Status.To != "inProgress" ||
			h.Assignee.From != "" || h.Assignee.To != "agent.smith" || h.Tier != nil {
			t.Fatalf("history entry: %+v", h)
		}
		// Escalation to tier 2 with a note.
		c = carePatch(t, e, n, map[string]any{"tier": 2, "note": "card registration fails on the issuer side"}, http.StatusOK)
		if c.Tier != 2 || c.History[2].Tier.From != float64(1) || c.History[2].Tier.To != float64(2) ||
			c.History[2].Note == "" || c.History[2].Actor != "operator" {
			t.Fatalf("escalation: %+v", c.History[2])
		}
		// A note alone is an entry; a PATCH changing nothing writes nothing.
		carePatch(t, e, n, map[string]any{"note": "called the customer"}, http.StatusOK)
		c = carePatch(t, e, n, map[string]any{"status": "inProgress", "tier": 2}, http.StatusOK)
		if len(c.History) != 4 {
			t.Fatalf("history has %d entries, want 4", len(c.History))
		}
		carePatch(t, e, n, map[string]any{"status": "waitingOnCustomer"}, http.StatusOK)
		carePatch(t, e, n, map[string]any{"status": "resolved", "note": "registered"}, http.StatusOK)
		c = carePatch(t, e, n, map[string]any{"status": "closed"}, http.StatusOK)
		// A closed case: no reassignment, escalation or move but reopening.
		carePatch(t, e, n, map[string]any{"assignee": "someone"}, http.StatusConflict)
		carePatch(t, e, n, map[string]any{"tier": 1}, http.StatusConflict)
		carePatch(t, e, n, map[string]any{"status": "resolved"}, http.StatusConflict)
		carePatch(t, e, n, map[string]any{"note": "customer thanked us"}, http.StatusOK)
		// Bad input.
		carePatch(t, e, n, map[string]any{"status": "done"}, http.StatusBadRequest)
		carePatch(t, e, n, map[string]any{"tier": 3}, http.StatusBadRequest)
		carePatch(t, e, n, map[string]any{"note": "nul\x00"}, http.StatusBadRequest)
		carePatch(t, e, n, map[string]any{"assignee": "a\x00"}, http.StatusBadRequest)
		carePatch(t, e, n, map[string]any{}, http.StatusBadRequest)
		carePatch(t, e, "CASE00000000", map[string]any{"note": "x"}, http.StatusNotFound)
		e.Admin("GET", "/admin/v1/cases/NOPE", nil).Want(t, http.StatusNotFound)
		e.Admin("GET", "/admin/v1/cases/CASE%00", nil).Want(t, http.StatusNotFound)
		after := careGet(t, e, n)
		if len(after.History) != len(c.History)+1 {
			t.Fatalf("refused changes wrote history: %d then %d", len(c.History), len(after.History))
		}
		// The resolved and closed case keeps every entry, in order.
		c = carePatch(t, e, n, map[string]any{"status": "open"}, http.StatusOK)
		want := []string{"created", "updated", "updated", "updated", "updated", "updated", "updated", "updated", "updated"}
		if len(c.History) != len(want) || c.Status != "open" {
			t.Fatalf("history after reopening: %+v", c.History)
		}
		for i, h := range c.History[:len(after.History)] {
			if h.Action != after.History[i].Action || h.Note != after.History[i].Note {
				t.Fatalf("history entry %d changed", i)
			}
		}
	})
}

// TestCareListFilters: status, program, tier, assignee and age filters and
// cursor pagination.
func TestCareListFilters(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		old := careCreate(t, e, s.ProgramCode, careBody(s.AccountID))
		e.Clock.Advance(48 * time.Hour)
		e.Token = e.TokenFor(s.ClientID, s.ClientSecret)
		mid := careCreate(t, e, s.ProgramCode, careBody(s.AccountID))
		other := e.Seed(apitest.ProgramSpec{Code: "OTHER"})
		recent := careCreate(t, e, other.ProgramCode, careBody(other.AccountID))
		carePatch(t, e, mid, map[string]any{"status": "inProgress", "assignee": "ann", "tier": 2}, http.StatusOK)

		numbers := func(l careList) []string {
			var out []string
			for _, c := range l.Cases {
				out = append(out, c.CaseNumber)
			}
			return out
		}
		tests := []struct {
			query string
			want  []string
		}{
			{"", []string{old, mid, recent}},
			{"?status=open", []string{old, recent}},
			{"?status=inProgress", []string{mid}},
			{"?programCode=" + s.ProgramCode, []string{old, mid}},
			{"?programCode=OTHER&status=open", []string{recent}},
			{"?tier=2", []string{mid}},
			{"?assignee=ann", []string{mid}},
			{"?assignee=", []string{old, recent}},
			{"?minAge=1d", []string{old}},
			{"?maxAge=24h", []string{mid, recent}},
			{"?crmStatus=queued", []string{old, mid, recent}},
			{"?crmStatus=delivered", nil},
		}
		for _, tt := range tests {
			if got := numbers(careListCases(t, e, tt.query)); !careEqual(got, tt.want) {
				t.Errorf("%q: got %v, want %v", tt.query, got, tt.want)
			}
		}
		// Pagination: pages of one, in creation order.
		var seen []string
		cursor := ""
		for i := 0; i < 5; i++ {
			l := careListCases(t, e, "?limit=1&after="+cursor)
			seen = append(seen, numbers(l)...)
			if l.Next == "" {
				break
			}
			cursor = l.Next
		}
		if !careEqual(seen, []string{old, mid, recent}) {
			t.Fatalf("paged: %v", seen)
		}
		for _, q := range []string{"?assignee=%00", "?assignee=%FF", "?programCode=a%00", "?status=pending", "?tier=5", "?minAge=soon", "?limit=0", "?crmStatus=lost"} {
			e.Admin("GET", "/admin/v1/cases"+q, nil).Want(t, http.StatusBadRequest)
		}
		e.Do("GET", "/admin/v1/cases", nil).Want(t, http.StatusUnauthorized)
	})
}

func careEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCareConcurrentAgents: agents changing one case at once are
// serialised; the history is a consistent chain (each entry's from is the
// previous entry's to) with one entry per effective change.
func TestCareConcurrentAgents(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		n := careCreate(t, e, s.ProgramCode, careBody(s.AccountID))
		var wg sync.WaitGroup
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				body, _ := json.Marshal(map[string]any{"assignee": fmt.Sprint("agent", i%3), "note": fmt.Sprint("n", i)})
				req, _ := http.NewRequest("PATCH", e.URL+"/admin/v1/cases/"+n, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+apitest.AdminToken)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("PATCH %d: %d", i, resp.StatusCode)
				}
			}(i)
		}
		wg.Wait()
		c := careGet(t, e, n)
		if len(c.History) != 13 {
			t.Fatalf("%d history entries, want 13", len(c.History))
		}
		prev := ""
		for _, h := range c.History[1:] {
			if h.Assignee == nil {
				continue // same assignee again: only the note changed
			}
			if h.Assignee.From != prev {
				t.Fatalf("history chain broken: from %v after %q", h.Assignee.From, prev)
			}
			prev = h.Assignee.To.(string)
		}
		if prev != c.Assignee {
			t.Fatalf("last entry assigned %q, case has %q", prev, c.Assignee)
		}
	})
}
