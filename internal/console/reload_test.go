package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// An admin edits a program's retail reload settings on the program page:
// the operator API then answers them, and the change is audited in the
// admin's name; bad amounts, a missing CSRF token and a support operator
// change nothing.
func TestProgramReloadSettings(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		prog := "/console/programs/" + f.Seed.ProgramCode
		form := func(tok string) url.Values {
			return url.Values{"csrf": {tok}, "enabled": {"on"}, "reloadFee": {"2.95"}, "minLoadAmount": {"10.00"},
				"maxLoadAmount": {"300.00"}, "dailyLoadLimit": {"900.00"}, "cardType": {"PointofBanking"}}
		}
		reloadOf := func() map[string]any {
			p := e.Admin("GET", "/admin/v1/programs/"+f.Seed.ProgramCode, nil).Want(t, http.StatusOK).JSON(t)
			rl, _ := p["reload"].(map[string]any)
			return rl
		}
		before := reloadOf()

		sup := f.client(t)
		stok := sup.login("support@example.com")
		sup.get(prog).want(t, http.StatusOK, "Retail reload")
		sup.post(prog+"/reload", form(stok)).want(t, http.StatusForbidden)

		admin := f.client(t)
		atok := admin.login("admin@example.com")
		admin.get(prog).want(t, http.StatusOK, "Save reload settings")
		admin.post(prog+"/reload", url.Values{"enabled": {"on"}, "minLoadAmount": {"1.00"}}).want(t, http.StatusForbidden)
		bad := form(atok)
		bad.Set("maxLoadAmount", "5.00")
		admin.post(prog+"/reload", bad).want(t, http.StatusBadRequest, "maxLoadAmount must be at least minLoadAmount")
		bad = form(atok)
		bad.Set("reloadFee", "2.955")
		admin.post(prog+"/reload", bad).want(t, http.StatusBadRequest, "reload fee must be an amount")
		if got := reloadOf(); !sameJSON(got, before) {
			t.Fatalf("refused changes changed the settings: %v, was %v", got, before)
		}
		if n := len(f.events(t, "program.reloadUpdated")); n != 0 {
			t.Fatalf("%d changes audited before any was allowed", n)
		}

		p := admin.post(prog+"/reload", form(atok))
		if p.Status != http.StatusSeeOther || p.Location != prog {
			t.Fatalf("save: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		admin.get(prog).want(t, http.StatusOK, `value="2.95"`, `value="300.00"`, `<option selected>PointofBanking</option>`)
		rl := reloadOf()
		if rl["enabled"] != true || rl["reloadFee"] != "2.95" || rl["minLoadAmount"] != "10.00" || rl["maxLoadAmount"] != "300.00" ||
			rl["dailyLoadLimit"] != "900.00" || rl["cardType"] != "PointofBanking" {
			t.Fatalf("operator API answers %v", rl)
		}
		ev := f.events(t, "program.reloadUpdated")
		if len(ev) != 1 || ev[0].Subject != "program:"+f.Seed.ProgramCode || ev[0].Actor == "" || ev[0].Actor == "admin-token" {
			t.Fatalf("audit events: %+v", ev)
		}
		t.Logf("audited as %q", ev[0].Actor)
	})
}

func sameJSON(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
