package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

func TestSignInAndRefusals(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		c := f.client(t)
		p := c.get("/console/")
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/login?next=%2Fconsole%2F") {
			t.Fatalf("signed out: %d %s", p.Status, p.Location)
		}
		login := c.get("/console/login").want(t, http.StatusOK, `<label for="email">Email</label>`)
		if csp := login.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
			t.Fatalf("CSP = %q", csp)
		}
		// No form token, a wrong password: refused, audited, no session.
		c.post("/console/login", url.Values{"email": {"risk@example.com"}, "password": {password}}).
			want(t, http.StatusForbidden, "sign-in form had expired")
		c.post("/console/login", url.Values{"csrf": {csrf(t, c.get("/console/login"))}, "email": {"risk@example.com"}, "password": {"wrong password!"}}).
			want(t, http.StatusUnauthorized, "The email or password is wrong.")
		if evs := f.events(t, "operator.loginRefused"); len(evs) != 1 || evs[0].Subject != "login:risk@example.com" {
			t.Fatalf("refusals: %+v", evs)
		}
		if evs := f.events(t, "operator.refused"); len(evs) != 1 || !strings.Contains(string(evs[0].Detail), "CSRF") {
			t.Fatalf("CSRF refusal: %+v", evs)
		}
		// Signed in: the cookie is HttpOnly, SameSite=Strict, scoped to /console.
		tok := csrf(t, c.get("/console/login"))
		p = c.post("/console/login", url.Values{"csrf": {tok}, "email": {"viewer@example.com"}, "password": {password}})
		cookie := p.Header.Get("Set-Cookie")
		if p.Status != http.StatusSeeOther || !strings.Contains(strings.Join(p.Header.Values("Set-Cookie"), "\n"), "verdant_console=") ||
			!strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") || !strings.Contains(cookie, "Path=/console") {
			t.Fatalf("sign in: %d %v", p.Status, p.Header.Values("Set-Cookie"))
		}
		home := c.get("/console/").want(t, http.StatusOK, "OFAC reviews waiting", "viewer@example.com")
		if strings.Contains(home.Body, "<script") || strings.Contains(home.Body, "/console/operators") {
			t.Fatal("a script, or the operators link for a viewer")
		}
		tok = csrf(t, home)

		// A viewer changing a status: 403, audited, nothing changed.
		acct := "/console/accounts/" + f.Seed.AccountID
		c.post(acct+"/status", url.Values{"csrf": {tok}, "status": {"locked"}, "reason": {"test"}}).
			want(t, http.StatusForbidden, "Your roles (viewer) do not allow this.")
		// A form without its token: 403, audited, nothing changed.
		c.post(acct+"/status", url.Values{"status": {"locked"}, "reason": {"test"}}).
			want(t, http.StatusForbidden, "did not carry the console&#39;s security token")
		var a struct{ Status string }
		e.Admin("GET", "/admin/v1/programs/"+f.Seed.ProgramCode+"/accounts/"+f.Seed.AccountID, nil).Decode(t, &a)
		if a.Status != "normal" || len(f.events(t, "account.statusChanged")) != 0 {
			t.Fatalf("status changed to %s", a.Status)
		}
		if evs := f.events(t, "operator.denied"); len(evs) != 1 || evs[0].Actor != "operator:viewer@example.com" {
			t.Fatalf("denial: %+v", evs)
		}
		if evs := f.events(t, "operator.refused"); len(evs) != 2 {
			t.Fatalf("refusals: %+v", evs)
		}

		// Idle past the timeout: a page sends to sign-in, a form is refused.
		e.Clock.Advance(31 * time.Minute)
		p = c.get("/console/accounts")
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "expired=1") {
			t.Fatalf("expired session: %d %s", p.Status, p.Location)
		}
		c.get(p.Location).want(t, http.StatusOK, "Your session has expired. Sign in again.")
		c2 := f.client(t)
		tok = c2.login("risk@example.com")
		e.Clock.Advance(31 * time.Minute)
		c2.post(acct+"/status", url.Values{"csrf": {tok}, "status": {"locked"}, "reason": {"test"}}).
			want(t, http.StatusUnauthorized, "Your session has expired. Sign in again.", `name="next" value="/console/"`)
		if evs := f.events(t, "operator.refused"); len(evs) != 3 || !strings.Contains(string(evs[0].Detail), "no live session") {
			t.Fatalf("expired refusal: %+v", evs)
		}

		// Sign out ends the session on the server.
		tok = c2.login("risk@example.com")
		c2.post("/console/logout", url.Values{"csrf": {tok}}).want(t, http.StatusSeeOther)
		if p := c2.get("/console/"); p.Status != http.StatusSeeOther {
			t.Fatalf("after sign out: %d", p.Status)
		}
	})
}
