package api_test

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

type featureEnv struct {
	*apitest.Env
	base string // /programs/{code}/accounts/{id}
}

func (f featureEnv) put(id string, authorize any) *apitest.Response {
	f.T.Helper()
	return f.Partner("PUT", f.base+"/features/"+id, map[string]any{"authorize": authorize})
}

func (f featureEnv) features(t *testing.T) []string {
	t.Helper()
	var b struct{ Features []string }
	r := f.Partner("GET", f.base+"/features", nil).Want(t, http.StatusOK)
	if c, s, _ := r.Detail(t); c != 0 || s != 0 {
		t.Fatalf("GET features: %s", r.Body)
	}
	r.Decode(t, &b)
	return b.Features
}

func (f featureEnv) terms(flag any, at string) *apitest.Response {
	f.T.Helper()
	t := map[string]any{"termsIdentifier": "negBal", "termsAcceptanceFlag": flag}
	if at != "" {
		t["termsAcceptanceDateTime"] = at
	}
	return f.Partner("PUT", f.base, map[string]any{"termsAcceptances": []any{t}})
}

func newFeatureEnv(e *apitest.Env, spec ...apitest.ProgramSpec) (featureEnv, apitest.Seed) {
	s := e.Seed(spec...)
	return featureEnv{e, "/programs/" + s.ProgramCode + "/accounts/" + s.AccountID}, s
}

func TestFeatureEnrolment(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f, _ := newFeatureEnv(e)
		if got := f.features(t); got == nil || len(got) != 0 {
			t.Fatalf("features of a new account = %v, want []", got)
		}
		r := f.Partner("GET", f.base+"/features", nil)
		if !strings.Contains(string(r.Body), `"features":[]`) {
			t.Fatalf("empty features not an empty array: %s", r.Body)
		}
		f.put("nb100", true).WantDetail(t, http.StatusOK, 0, 0)
		f.put("ucb1", "true").WantDetail(t, http.StatusOK, 0, 0) // the flag may be a string
		f.put("Rdc8", true).WantDetail(t, http.StatusOK, 0, 0)
		f.put("NB100", true).WantDetail(t, http.StatusOK, 0, 0) // again: no change
		if got := f.features(t); !slices.Equal(got, []string{"NB100", "UCB1", "RDC8"}) {
			t.Fatalf("features = %v", got)
		}
		// Exclusive groups: the account moves to the new tier.
		f.put("UCB4", true).WantDetail(t, http.StatusOK, 0, 0)
		f.put("RDC0", true).WantDetail(t, http.StatusOK, 0, 0)
		if got := f.features(t); !slices.Equal(got, []string{"NB100", "UCB4", "RDC0"}) {
			t.Fatalf("after moving tiers features = %v", got)
		}
		f.put("ucb4", false).WantDetail(t, http.StatusOK, 0, 0)
		if d := f.put("UCB4", false).WantDetail(t, http.StatusNotFound, 10, 0); d != "Feature enrollment not found." {
			t.Fatalf("description %q", d)
		}
		f.put("UCB1", "false").WantDetail(t, http.StatusNotFound, 10, 0)
		if got := f.features(t); !slices.Equal(got, []string{"NB100", "RDC0"}) {
			t.Fatalf("features = %v", got)
		}
	})
}

func TestFeatureErrors(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f, s := newFeatureEnv(e, apitest.ProgramSpec{Code: "ONLYUCB", Features: []string{"UCB1", "UCB2"}})
		const noKey = "No ProductFeatureGroupKey exists for specified productFeatureGroupKey"
		for _, id := range []string{"NB100", "RDC3", "NOPE", "RDC6"} {
			if d := f.put(id, true).WantDetail(t, http.StatusServiceUnavailable, 5, 55); d != noKey {
				t.Fatalf("%s: description %q", id, d)
			}
		}
		f.put("NOPE", false).WantDetail(t, http.StatusServiceUnavailable, 5, 55)
		f.put("NB100", false).WantDetail(t, http.StatusNotFound, 10, 0) // offered or not, not held
		// Bad bodies are 400 and change nothing.
		for _, body := range []any{map[string]any{}, map[string]any{"authorize": "yes"}, map[string]any{"authorize": 1},
			`{"authorize":`, map[string]any{"authorize": nil}} {
			f.Partner("PUT", f.base+"/features/UCB1", body).Want(t, http.StatusBadRequest)
		}
		if got := f.features(t); len(got) != 0 {
			t.Fatalf("features after bad requests = %v", got)
		}
		// Account identifiers.
		prefix := "/programs/" + s.ProgramCode + "/accounts/"
		for _, path := range []string{"not-a-uuid/features/UCB1", "not-a-uuid/features"} {
			method := "PUT"
			if !strings.Contains(path, "UCB1") {
				method = "GET"
			}
			r := e.Partner(method, prefix+path, map[string]any{"authorize": true})
			if d := r.WantDetail(t, http.StatusBadRequest, 10, 10); d != "accountIdentifier is invalid." {
				t.Fatalf("description %q", d)
			}
		}
		unknown := "0b7b3a3e-8f4e-4b8e-9d7a-2f4d1c5e6a7b"
		e.Partner("PUT", prefix+unknown+"/features/UCB1", map[string]any{"authorize": true}).WantDetail(t, http.StatusNotFound, 10, 0)
		e.Partner("GET", prefix+unknown+"/features", nil).WantDetail(t, http.StatusNotFound, 10, 0)
		e.Partner("PUT", prefix+unknown, map[string]any{"termsAcceptances": []any{
			map[string]any{"termsIdentifier": "negBal", "termsAcceptanceFlag": true}}}).WantDetail(t, http.StatusNotFound, 10, 0)
		// Closed and restricted accounts: 4/105 on every feature and terms call.
		f.put("UCB1", true).WantDetail(t, http.StatusOK, 0, 0)
		for _, status := range []string{"closed", "restricted"} {
			e.Admin("PATCH", "/admin/v1"+f.base, map[string]any{"status": status}).Want(t, http.StatusOK)
			f.put("UCB2", true).WantDetail(t, http.StatusOK, 4, 105)
			f.put("UCB1", false).WantDetail(t, http.StatusOK, 4, 105)
			f.Partner("GET", f.base+"/features", nil).WantDetail(t, http.StatusOK, 4, 105)
			f.terms(true, "").WantDetail(t, http.StatusOK, 4, 105)
		}
		e.Admin("PATCH", "/admin/v1"+f.base, map[string]any{"status": "normal"}).Want(t, http.StatusOK)
		if got := f.features(t); !slices.Equal(got, []string{"UCB1"}) {
			t.Fatalf("features after refusals = %v", got)
		}
	})
}

func TestNegativeBalanceTerms(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f, _ := newFeatureEnv(e, apitest.ProgramSpec{Code: "NEGBAL", Features: []string{"NB100", "UCB1"},
			TermsEnforced: []string{"negBal"}})
		// Enforced terms not accepted: refused.
		if d := f.put("NB100", true).WantDetail(t, http.StatusOK, 5, 55); !strings.Contains(d, "terms were not accepted") {
			t.Fatalf("description %q", d)
		}
		f.put("UCB1", true).WantDetail(t, http.StatusOK, 0, 0) // UCB needs no terms
		f.terms("false", "2020-04-03T09:12:11.627Z").WantDetail(t, http.StatusOK, 0, 0)
		f.put("NB100", true).WantDetail(t, http.StatusOK, 5, 55) // opted out is not accepted
		// Accept, then enrol.
		f.terms(true, "2020-04-04T10:00:00Z").WantDetail(t, http.StatusOK, 0, 0)
		f.put("NB100", true).WantDetail(t, http.StatusOK, 0, 0)
		// Opting out while NB100 is active: refused, nothing stored.
		r := f.terms("false", "2020-04-05T10:00:00Z")
		if d := r.WantDetail(t, http.StatusOK, 5, 58); d != "Terms cannot be opted out because feature is still in use" {
			t.Fatalf("description %q", d)
		}
		acct := getAccount(t, f)
		if !slices.Equal(acct.Features, []string{"NB100", "UCB1"}) || len(acct.TermsAcceptances) != 1 ||
			!acct.TermsAcceptances[0].TermsAcceptanceFlag || acct.TermsAcceptances[0].TermsAcceptanceDateTime != "2020-04-04T10:00:00.0000000Z" {
			t.Fatalf("account after refused opt-out: %+v", acct)
		}
		// The other order: unenrolling NB100 opts out of negBal automatically.
		f.put("NB100", false).WantDetail(t, http.StatusOK, 0, 0)
		acct = getAccount(t, f)
		if !slices.Equal(acct.Features, []string{"UCB1"}) || len(acct.TermsAcceptances) != 1 ||
			acct.TermsAcceptances[0].TermsIdentifier != "negBal" || acct.TermsAcceptances[0].TermsAcceptanceFlag {
			t.Fatalf("account after unenrolling NB100: %+v", acct)
		}
		f.put("NB100", true).WantDetail(t, http.StatusOK, 5, 55) // terms must be accepted again
		f.terms("false", "").WantDetail(t, http.StatusOK, 0, 0)  // opting out with no feature is fine
	})
}

func TestTermsValidation(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f, _ := newFeatureEnv(e)
		now := e.Clock.Now()
		f.terms(true, now.Add(719*time.Hour).Format(time.RFC3339)).WantDetail(t, http.StatusOK, 0, 0)
		for _, body := range []any{
			map[string]any{},
			map[string]any{"termsAcceptances": []any{}},
			map[string]any{"termsAcceptances": []any{map[string]any{"termsIdentifier": "negBal"}}},
			map[string]any{"termsAcceptances": []any{map[string]any{"termsIdentifier": "negBal", "termsAcceptanceFlag": "maybe"}}},
			map[string]any{"termsAcceptances": []any{map[string]any{"termsAcceptanceFlag": true}}},
			map[string]any{"termsAcceptances": []any{map[string]any{"termsIdentifier": "negBal", "termsAcceptanceFlag": true,
				"termsAcceptanceDateTime": now.Add(721 * time.Hour).Format(time.RFC3339)}}},
			map[string]any{"termsAcceptances": []any{map[string]any{"termsIdentifier": "negBal", "termsAcceptanceFlag": true,
				"termsAcceptanceDateTime": "yesterday"}}},
			`{"termsAcceptances": [{"termsIdentifier": "negBal" "termsAcceptanceFlag": true}]}`,
		} {
			r := f.Partner("PUT", f.base, body).Want(t, http.StatusBadRequest)
			if c, _, _ := r.Detail(t); c == 0 {
				t.Fatalf("validation failure answered code 0: %s", r.Body)
			}
		}
		acct := getAccount(t, f)
		if len(acct.TermsAcceptances) != 1 || !acct.TermsAcceptances[0].TermsAcceptanceFlag {
			t.Fatalf("terms after bad requests: %+v", acct.TermsAcceptances)
		}
	})
}

type accountBody struct {
	AccountStatus    string
	AccountHolder    struct{ FirstName, LastName string }
	Balances         struct{ Currency, PostedBalance, AvailableBalance string }
	Features         []string
	TermsAcceptances []struct {
		TermsIdentifier         string
		TermsAcceptanceFlag     bool
		TermsAcceptanceDateTime string
	}
	PaymentInstruments []struct{ PaymentInstrumentIdentifier, Last4Pan string }
}

func getAccount(t *testing.T, f featureEnv) accountBody {
	t.Helper()
	var a accountBody
	f.Partner("GET", f.base, nil).Want(t, http.StatusOK).Decode(t, &a)
	return a
}

func TestGetAccountShowsFeaturesTermsBalances(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f, s := newFeatureEnv(e)
		a := getAccount(t, f)
		if a.AccountStatus != "normal" || a.AccountHolder.FirstName != "Jack" || a.AccountHolder.LastName != "White" ||
			a.Balances.Currency != "USD" || a.Balances.PostedBalance != "0.00" || a.Balances.AvailableBalance != "0.00" ||
			a.Features == nil || len(a.Features) != 0 || a.TermsAcceptances == nil || len(a.TermsAcceptances) != 0 ||
			len(a.PaymentInstruments) != 1 || a.PaymentInstruments[0].Last4Pan != s.PAN[12:] {
			t.Fatalf("new account: %+v", a)
		}
		f.terms(true, "2020-04-03T09:12:11.627Z").WantDetail(t, http.StatusOK, 0, 0)
		f.put("rdc10", true).WantDetail(t, http.StatusOK, 0, 0)
		f.put("nb100", true).WantDetail(t, http.StatusOK, 0, 0)
		a = getAccount(t, f)
		if !slices.Equal(a.Features, []string{"NB100", "RDC10"}) || len(a.TermsAcceptances) != 1 ||
			a.TermsAcceptances[0].TermsAcceptanceDateTime != "2020-04-03T09:12:11.6270000Z" {
			t.Fatalf("account: %+v", a)
		}
		// A closed account still answers its state.
		e.Admin("PATCH", "/admin/v1"+f.base, map[string]any{"status": "closed"}).Want(t, http.StatusOK)
		if a = getAccount(t, f); a.AccountStatus != "closed" || len(a.Features) != 2 {
			t.Fatalf("closed account: %+v", a)
		}
	})
}

// TestConcurrentTierEnrolment races enrolments into two tiers of one group:
// the account row lock serialises them, so exactly one tier remains.
func TestConcurrentTierEnrolment(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f, _ := newFeatureEnv(e)
		for round := 0; round < 15; round++ {
			var wg sync.WaitGroup
			tiers := []string{"UCB1", "UCB2", "UCB3", "UCB1", "UCB2", "UCB3"}
			codes := make([]int, len(tiers))
			for i, tier := range tiers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := f.Partner("PUT", f.base+"/features/"+tier, map[string]any{"authorize": true})
					codes[i] = r.Status
				}()
			}
			wg.Wait()
			for i, c := range codes {
				if c != http.StatusOK {
					t.Fatalf("round %d: %s answered %d", round, tiers[i], c)
				}
			}
			got := f.features(t)
			if len(got) != 1 || !strings.HasPrefix(got[0], "UCB") {
				t.Fatalf("round %d: features = %v, want exactly one UCB tier", round, got)
			}
			// Unenrol so the next round starts clean.
			f.put(got[0], false).WantDetail(t, http.StatusOK, 0, 0)
		}
	})
}
