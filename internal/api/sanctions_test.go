package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/sanctions"
)

// listed is an individual on the embedded SDN snapshot (entry 56682,
// "DAMDIN, Erdenebalsuren", DOB 07 Aug 1967), as a customer form has it.
func listed() map[string]any {
	return map[string]any{"firstname": "Erdenebalsuren", "lastname": "Damdin", "zipcode": "10001", "dateofbirth": "08/07/1967"}
}

func TestSanctionsReviewFlow(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		r := e.Partner("POST", "/customers/ofac1", listed()).Want(t, http.StatusOK).JSON(t)
		if r["status"] != "OFACMatch-Pending" || r["responsedetail"].(map[string]any)["responsedetailcode"] != 201.0 {
			t.Fatalf("create: %v", r)
		}
		// A dropped letter and swapped fields still match.
		swapped := map[string]any{"firstname": "DAMDN", "lastname": "erdenebalsuren", "zipcode": "10001"}
		if r := e.Partner("POST", "/customers/ofac2", swapped).Want(t, http.StatusOK).JSON(t); r["status"] != "OFACMatch-Pending" {
			t.Fatalf("perturbed: %v", r)
		}
		var list struct {
			Reviews []struct {
				ReviewID, CustomerID, PartnerID, Status, DecidedBy, Note string
				Match                                                    sanctions.Match
			}
		}
		e.Admin("GET", "/admin/v1/sanctions/reviews", nil).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Reviews) != 2 || list.Reviews[0].CustomerID != "ofac1" || list.Reviews[0].PartnerID != s.PartnerID {
			t.Fatalf("pending reviews: %+v", list)
		}
		m := list.Reviews[0].Match
		if m.EntryID != 56682 || m.DOBSignal != 1 || m.Score < sanctions.DefaultThreshold || m.ListVersion == "" {
			t.Fatalf("stored match: %+v", m)
		}
		// The partner never sees the match, only the status.
		g := e.Partner("GET", "/customers/ofac1", nil).Want(t, http.StatusOK)
		if strings.Contains(string(g.Body), "DAMDIN") || !strings.Contains(string(g.Body), `"OFACMatch-Pending"`) {
			t.Fatalf("GET: %s", g.Body)
		}

		e.Do("POST", "/admin/v1/customers/ofac1/sanctionsReview", map[string]any{"decision": "maybe"},
			apitest.Header{Name: "Authorization", Value: "Bearer " + apitest.AdminToken}).Want(t, http.StatusBadRequest)
		confirm := e.Do("POST", "/admin/v1/customers/ofac1/sanctionsReview", map[string]any{"decision": "confirm", "note": "DOB and name agree"},
			apitest.Header{Name: "Authorization", Value: "Bearer " + apitest.AdminToken}, apitest.Header{Name: "X-Operator", Value: "alice@risk"}).Want(t, http.StatusOK).JSON(t)
		if confirm["status"] != "confirmed" || confirm["decidedBy"] != "alice@risk" {
			t.Fatalf("confirm: %v", confirm)
		}
		c := e.Partner("GET", "/customers/ofac1", nil).Want(t, http.StatusOK).JSON(t)["Customer"].(map[string]any)
		if c["status"] != "OFACMatch-Confirmed" || c["isactive"] != false {
			t.Fatalf("confirmed customer: %v", c)
		}
		// Decided reviews are no longer pending; a second decision finds nothing.
		e.Admin("POST", "/admin/v1/customers/ofac1/sanctionsReview", map[string]any{"decision": "clear"}).Want(t, http.StatusNotFound)

		e.Admin("POST", "/admin/v1/customers/ofac2/sanctionsReview", map[string]any{"decision": "clear", "note": "different person"}).Want(t, http.StatusOK)
		c = e.Partner("GET", "/customers/ofac2", nil).Want(t, http.StatusOK).JSON(t)["Customer"].(map[string]any)
		if c["status"] != "Verified" || c["isactive"] != true {
			t.Fatalf("cleared customer: %v", c)
		}
		e.Admin("GET", "/admin/v1/sanctions/reviews", nil).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Reviews) != 0 {
			t.Fatalf("still pending: %+v", list)
		}
		e.Admin("GET", "/admin/v1/sanctions/reviews?status=all", nil).Want(t, http.StatusOK).Decode(t, &list)
		if len(list.Reviews) != 2 || list.Reviews[1].Status != "cleared" || list.Reviews[1].DecidedBy != "operator" || list.Reviews[1].Note != "different person" {
			t.Fatalf("all reviews: %+v", list)
		}
		e.Admin("GET", "/admin/v1/sanctions/reviews?status=bogus", nil).Want(t, http.StatusBadRequest)

		// The audit trail keeps who, when and what.
		rows, err := e.App.DB.Query(context.Background(), `SELECT actor, action, subject, detail FROM audit_events
			WHERE action LIKE 'sanctions.review.%' ORDER BY at`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var trail []string
		for rows.Next() {
			var actor, action, subject, detail string
			rows.Scan(&actor, &action, &subject, &detail)
			trail = append(trail, actor+" "+action+" "+subject+" "+detail)
		}
		if len(trail) != 2 || !strings.HasPrefix(trail[0], "alice@risk sanctions.review.confirm customer:"+s.PartnerID+"/ofac1") ||
			!strings.Contains(trail[0], "DOB and name agree") || !strings.HasPrefix(trail[1], "operator sanctions.review.clear") {
			t.Fatalf("audit trail: %q", trail)
		}
	})
}

// Spellings the customer field rules allow are held for review like the
// listed spelling (issue 16); "MADURO MOROS, Nicolas" is entry 22790 of the
// embedded snapshot, "AL ZAWAHIRI, Dr. Ayman" entry 2676.
func TestSanctionsSpellingVariants(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		e.Seed()
		for i, c := range []struct {
			first, last string
			entry       int
		}{
			{"Nicolas", "Maduro Moros", 22790},
			{"Nicolas", "Ma-duro Mo-ros", 22790},
			{"Nicolas", "MaduroMoros", 22790},
			{"Nico las", "Maduro Moros", 22790},
			{"Nicolas", "Maduro", 22790},
			{"Ayman", "Alzawahiri", 2676},
		} {
			id := fmt.Sprintf("spell%d", i)
			r := e.Partner("POST", "/customers/"+id, map[string]any{"firstname": c.first, "lastname": c.last, "zipcode": "10001"}).
				Want(t, http.StatusOK).JSON(t)
			if r["status"] != "OFACMatch-Pending" {
				t.Errorf("%s %s: %v", c.first, c.last, r)
				continue
			}
			var got struct {
				Reviews []struct {
					CustomerID string
					Match      sanctions.Match
				}
			}
			e.Admin("GET", "/admin/v1/sanctions/reviews", nil).Want(t, http.StatusOK).Decode(t, &got)
			if n := len(got.Reviews); n != i+1 || got.Reviews[n-1].CustomerID != id || got.Reviews[n-1].Match.EntryID != c.entry {
				t.Errorf("%s %s: reviews %+v", c.first, c.last, got.Reviews)
			}
		}
		// A name that only shares the given name stays verified.
		if r := e.Partner("POST", "/customers/spellok", map[string]any{"firstname": "Nicolas", "lastname": "Smith", "zipcode": "10001"}).
			Want(t, http.StatusOK).JSON(t); r["status"] != "Verified" {
			t.Errorf("Nicolas Smith: %v", r)
		}
	})
}

const testSDN = `90001,"ZZTESTOV, Ivan Petrovich","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 01 Jan 1970."
90002,"ZZTEST TRADING LLC",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- 
` + "\x1a"

func TestSanctionsListLoad(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		e.Seed()
		var before sanctions.ListInfo
		e.Admin("GET", "/admin/v1/sanctions/lists", nil).Want(t, http.StatusOK).Decode(t, &before)
		if before.Source != "embedded" || before.SDNRows != 18494 || before.AltRows == 0 || before.AddRows == 0 {
			t.Fatalf("embedded list: %+v", before)
		}
		e.Admin("POST", "/admin/v1/sanctions/lists", map[string]any{"published": "2026-11-20", "sdn": "not,a,list"}).Want(t, http.StatusBadRequest)
		e.Admin("POST", "/admin/v1/sanctions/lists", map[string]any{"sdn": testSDN}).Want(t, http.StatusBadRequest)
		var after sanctions.ListInfo
		e.Admin("POST", "/admin/v1/sanctions/lists", map[string]any{"published": "2026-11-20", "sdn": testSDN,
			"alt": `90001,1,"aka","ZZTESTOV, Vanya",-0- ` + "\n"}).Want(t, http.StatusCreated).Decode(t, &after)
		if after.Source != "loaded" || after.SDNRows != 2 || after.AltRows != 1 || after.Published != "2026-11-20" || after.Version == before.Version {
			t.Fatalf("loaded list: %+v", after)
		}
		if r := e.Partner("POST", "/customers/new1", map[string]any{"firstname": "Vanya", "lastname": "Zztestov", "zipcode": "10001"}).JSON(t); r["status"] != "OFACMatch-Pending" {
			t.Fatalf("alternate name on the new list: %v", r)
		}
		if r := e.Partner("POST", "/customers/old1", listed()).JSON(t); r["status"] != "Verified" {
			t.Fatalf("old list still in force: %v", r)
		}
		// Another node sharing the database picks the new list up.
		other := &sanctions.Service{Store: e.App.Sanctions.Store, Now: time.Now}
		m, err := other.Screen(context.Background(), "Ivan", "Zztestov", time.Time{})
		if err != nil || len(m) != 1 || m[0].EntryID != 90001 || m[0].ListVersion != after.Version {
			t.Fatalf("other node: %+v %v", m, err)
		}
	})
}

// The full OFAC list as plain CSV is several megabytes: the upload call
// takes it although the general body limit is 1 MiB.
func TestSanctionsFullListUpload(t *testing.T) {
	t.Parallel()
	e := apitest.New(t)
	f, err := sanctions.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if len(f.SDN)+len(f.Alt)+len(f.Add) < 1<<20 {
		t.Fatalf("snapshot unexpectedly small: %d bytes", len(f.SDN)+len(f.Alt)+len(f.Add))
	}
	var info sanctions.ListInfo
	e.Admin("POST", "/admin/v1/sanctions/lists", map[string]any{"published": "2026-11-21", "sdn": string(f.SDN),
		"alt": string(f.Alt), "add": string(f.Add)}).Want(t, http.StatusCreated).Decode(t, &info)
	if info.SDNRows != 18494 || info.Published != "2026-11-21" || info.LoadedBy != "operator" {
		t.Fatalf("loaded: %+v", info)
	}
	// Other operator calls keep the general limit.
	e.Admin("POST", "/admin/v1/partners", map[string]any{"name": string(f.SDN)}).Want(t, http.StatusRequestEntityTooLarge)
}
