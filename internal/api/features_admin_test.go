package api_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

func TestFeatureHistory(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f, s := newFeatureEnv(e)
		f.put("UCB1", true).WantDetail(t, http.StatusOK, 0, 0)
		f.put("UCB2", true).WantDetail(t, http.StatusOK, 0, 0)
		f.put("UCB2", true).WantDetail(t, http.StatusOK, 0, 0) // no change, no event
		f.terms(true, "2020-04-03T09:12:11.627Z").WantDetail(t, http.StatusOK, 0, 0)
		f.terms(true, "2020-04-03T09:12:11.627Z").WantDetail(t, http.StatusOK, 0, 0) // no change
		f.put("NB100", true).WantDetail(t, http.StatusOK, 0, 0)
		f.terms(false, "").WantDetail(t, http.StatusOK, 5, 58) // refused: not recorded
		f.put("NB100", false).WantDetail(t, http.StatusOK, 0, 0)
		var h struct {
			AccountIdentifier string
			Events            []struct {
				At                                              time.Time
				Actor, Action, Feature, TermsIdentifier, Reason string
				TermsAcceptanceDateTime                         string
			}
		}
		e.Admin("GET", "/admin/v1"+f.base+"/history", nil).Want(t, http.StatusOK).Decode(t, &h)
		var got []string
		for i, ev := range h.Events {
			if ev.Actor != s.PartnerID || ev.At.IsZero() {
				t.Fatalf("event %d: %+v", i, ev)
			}
			if i > 0 && ev.At.After(h.Events[i-1].At) {
				t.Fatalf("history not newest first: %+v", h.Events)
			}
			got = append(got, ev.Action+" "+ev.Feature+ev.TermsIdentifier)
		}
		want := []string{"terms.optedOut negBal", "feature.unenrolled NB100", "feature.enrolled NB100",
			"terms.accepted negBal", "feature.enrolled UCB2", "feature.unenrolled UCB1", "feature.enrolled UCB1"}
		if !slices.Equal(got, want) {
			t.Fatalf("history:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if h.Events[0].Reason != "NB100 unenrolled" || h.Events[5].Reason != "replaced by UCB2" ||
			h.Events[3].TermsAcceptanceDateTime != "2020-04-03T09:12:11.6270000Z" {
			t.Fatalf("history details: %+v", h.Events)
		}
		e.Admin("GET", "/admin/v1"+f.base+"/history?limit=2", nil).Want(t, http.StatusOK).Decode(t, &h)
		if len(h.Events) != 2 {
			t.Fatalf("limit=2 answered %d events", len(h.Events))
		}
		e.Admin("GET", "/admin/v1"+f.base+"/history?limit=0", nil).Want(t, http.StatusBadRequest)
		e.Partner("GET", "/admin/v1"+f.base+"/history", nil).Want(t, http.StatusUnauthorized)
	})
}

func TestFeatureCatalogue(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	var c struct {
		Features []struct {
			FeatureID, ExclusiveGroup, TermsIdentifier, FloorBalance string
			HoldDays                                                 *int
		}
	}
	e.Admin("GET", "/admin/v1/features", nil).Want(t, http.StatusOK).Decode(t, &c)
	got := map[string]string{}
	for _, f := range c.Features {
		hold := "-"
		if f.HoldDays != nil {
			hold = strconv.Itoa(*f.HoldDays)
		}
		got[f.FeatureID] = f.ExclusiveGroup + "/" + hold + "/" + f.TermsIdentifier + "/" + f.FloorBalance
	}
	want := map[string]string{"NB100": "/-/negBal/-100.00", "UCB2": "UCB/-//", "RDC0": "RDC/0//", "RDC8": "RDC/8//", "RDC10": "RDC/10//"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s = %q, want %q", id, got[id], w)
		}
	}
	if len(c.Features) != 13 {
		t.Errorf("catalogue has %d features", len(c.Features))
	}
	// Program features are validated against the catalogue and spelled as it does.
	s := e.Seed(apitest.ProgramSpec{Code: "CAT", Features: []string{"nb100", "Rdc10", "ucb2", "NB100"}})
	var p struct{ Features []string }
	e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode, nil).Want(t, http.StatusOK).Decode(t, &p)
	if !slices.Equal(p.Features, []string{"NB100", "RDC10", "UCB2"}) {
		t.Errorf("program features = %v", p.Features)
	}
	for _, bad := range []string{"RDC6", "UCB5", "NB200"} {
		e.Admin("PATCH", "/admin/v1/programs/"+s.ProgramCode, map[string]any{"features": []string{bad}}).
			Want(t, http.StatusBadRequest)
	}
}

func TestOperatorFeatureCalls(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f, s := newFeatureEnv(e, apitest.ProgramSpec{Code: "OPS", Features: []string{"NB100", "UCB1", "UCB2"},
			TermsEnforced: []string{"negBal"}})
		admin := "/admin/v1" + f.base
		problem := func(r *apitest.Response, status int, slug string) {
			t.Helper()
			var p struct{ Type string }
			r.Want(t, status).Decode(t, &p)
			if !strings.HasSuffix(p.Type, "/"+slug) {
				t.Fatalf("problem type %q, want %s", p.Type, slug)
			}
		}
		problem(e.Admin("PUT", admin+"/features/NB100", map[string]any{"authorize": true}), http.StatusConflict, "terms-not-accepted")
		problem(e.Admin("PUT", admin+"/features/RDC1", map[string]any{"authorize": true}), http.StatusConflict, "no-feature-key")
		problem(e.Admin("PUT", admin+"/features/UCB1", map[string]any{"authorize": false}), http.StatusNotFound, "enrollment-not-found")
		e.Admin("PUT", admin+"/features/UCB1", map[string]any{}).Want(t, http.StatusBadRequest)
		// Backfill the terms, then enrol.
		var out struct {
			Features         []string
			TermsAcceptances []struct{ TermsIdentifier string }
		}
		e.Admin("PUT", admin+"/terms", map[string]any{"termsAcceptances": []any{map[string]any{
			"termsIdentifier": "negbal", "termsAcceptanceFlag": true, "termsAcceptanceDateTime": "2019-01-01T00:00:00Z"}}}).
			Want(t, http.StatusOK).Decode(t, &out)
		if len(out.TermsAcceptances) != 1 || out.TermsAcceptances[0].TermsIdentifier != "negBal" {
			t.Fatalf("after backfill: %+v", out)
		}
		e.Admin("PUT", admin+"/features/nb100", map[string]any{"authorize": true}).Want(t, http.StatusOK).Decode(t, &out)
		if !slices.Equal(out.Features, []string{"NB100"}) {
			t.Fatalf("after operator enrol: %+v", out)
		}
		problem(e.Admin("PUT", admin+"/terms", map[string]any{"termsAcceptances": []any{map[string]any{
			"termsIdentifier": "negBal", "termsAcceptanceFlag": false}}}), http.StatusConflict, "terms-in-use")
		f.put("UCB2", true).WantDetail(t, http.StatusOK, 0, 0) // a partner change, for the actor check
		var h struct {
			Events []struct{ Actor, Action string }
		}
		e.Admin("GET", admin+"/history", nil).Want(t, http.StatusOK).Decode(t, &h)
		if len(h.Events) != 3 || h.Events[0].Actor != s.PartnerID || h.Events[1].Actor != "operator" ||
			h.Events[2].Actor != "operator" || h.Events[2].Action != "terms.accepted" {
			t.Fatalf("history: %+v", h.Events)
		}
		e.Admin("PUT", "/admin/v1/programs/OPS/accounts/nope/terms", map[string]any{}).Want(t, http.StatusBadRequest)
	})
}
