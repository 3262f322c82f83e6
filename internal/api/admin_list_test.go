package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// Operators discover partners and programs a page at a time; the pages
// together hold each exactly once, and a partner's secret never appears.
func TestListPartnersAndPrograms(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		var first apitest.Seed
		for i := range 5 {
			s := e.Seed(apitest.ProgramSpec{Code: fmt.Sprintf("P%d", i), AdjustmentTypes: []string{"promo"}})
			if i == 0 {
				first = s
			}
		}
		type page struct {
			Partners []struct{ PartnerID, ClientID, Name string }
			Programs []struct{ ProgramCode, PartnerID string }
			Next     string
		}
		seen := map[string]bool{}
		for after, n := "", 0; ; n++ {
			var p page
			r := e.Admin("GET", "/admin/v1/partners?limit=2&after="+after, nil).Want(t, http.StatusOK)
			if strings.Contains(string(r.Body), "clientSecret") || strings.Contains(string(r.Body), first.ClientSecret) {
				t.Fatalf("a secret in the list: %s", r.Body)
			}
			r.Decode(t, &p)
			for _, x := range p.Partners {
				if seen[x.PartnerID] || x.ClientID == "" {
					t.Fatalf("partner %+v twice or without client id", x)
				}
				seen[x.PartnerID] = true
			}
			if p.Next == "" {
				break
			}
			after = p.Next
		}
		if len(seen) != 5 {
			t.Fatalf("partners listed: %d, want 5", len(seen))
		}
		var p page
		e.Admin("GET", "/admin/v1/programs?limit=3", nil).Want(t, http.StatusOK).Decode(t, &p)
		if len(p.Programs) != 3 || p.Programs[0].ProgramCode != "P0" || p.Next != "P2" {
			t.Fatalf("first page: %+v", p)
		}
		after := p.Next
		p = page{}
		e.Admin("GET", "/admin/v1/programs?limit=3&after="+after, nil).Want(t, http.StatusOK).Decode(t, &p)
		if len(p.Programs) != 2 || p.Programs[1].ProgramCode != "P4" || p.Next != "" {
			t.Fatalf("second page: %+v", p)
		}
		p = page{}
		e.Admin("GET", "/admin/v1/programs?partnerId="+first.PartnerID, nil).Want(t, http.StatusOK).Decode(t, &p)
		if len(p.Programs) != 1 || p.Programs[0].ProgramCode != "P0" {
			t.Fatalf("one partner's programs: %+v", p)
		}
		e.Admin("GET", "/admin/v1/programs?limit=0", nil).Want(t, http.StatusBadRequest)
		e.Do("GET", "/admin/v1/partners", nil).Want(t, http.StatusUnauthorized)
	})
}
