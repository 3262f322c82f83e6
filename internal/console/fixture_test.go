package console_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/audit"
)

// password is every test operator's password.
const password = "correct horse battery staple"

// fixture is a running platform with a seeded program, one operator per
// role (email <role>@example.com), a customer held for OFAC review and a
// support case.
type fixture struct {
	*apitest.Env
	Seed       apitest.Seed
	CaseNumber string
}

func newFixture(t *testing.T, e *apitest.Env) *fixture {
	t.Helper()
	f := &fixture{Env: e, Seed: e.Seed()}
	for _, role := range []string{"admin", "risk", "support", "finance", "viewer"} {
		e.Admin("POST", "/admin/v1/operators", map[string]any{"email": role + "@example.com", "name": strings.ToUpper(role[:1]) + role[1:] + " Operator",
			"roles": []string{role}, "password": password}).Want(t, http.StatusCreated)
	}
	// DAMDIN, Erdenebalsuren (OFAC 56682) is on the embedded list.
	r := e.Partner("POST", "/customers/ofac1", map[string]any{"firstname": "Erdenebalsuren", "lastname": "Damdin",
		"zipcode": "10001", "dateofbirth": "08/07/1967", "address1": "1 Main St", "city": "New York", "state": "NY"}).Want(t, http.StatusOK).JSON(t)
	if r["status"] != "OFACMatch-Pending" {
		t.Fatalf("customer not held: %v", r)
	}
	for i, a := range []struct{ typ, amount, desc string }{
		{"disbursement", "250.00", "Payroll"}, {"promo", "10.00", "Welcome bonus"}, {"anyDebitOut", "42.50", "Card purchase"},
	} {
		e.Partner("POST", "/programs/"+f.Seed.ProgramCode+"/accounts/"+f.Seed.AccountID+"/adjustments", map[string]any{
			"adjustmentIdentifier": fmt.Sprintf("00000000-0000-4000-8000-00000000000%d", i+1), "amount": a.amount, "currency": "USD",
			"adjustmentType": a.typ, "adjustmentDescription": a.desc}).Want(t, http.StatusOK)
	}
	var c struct{ CaseNumber string }
	e.Partner("POST", "/programs/"+f.Seed.ProgramCode+"/customerCare/cases", map[string]any{
		"subject": "Card not received", "firstName": "Jack", "lastName": "White", "customerQuestion": "Where is my card?",
		"emailAddress": "jack@example.com", "accountIdentifier": f.Seed.AccountID}).Want(t, http.StatusOK).Decode(t, &c)
	f.CaseNumber = c.CaseNumber
	return f
}

// events answers the audit events with an action, newest first.
func (f *fixture) events(t *testing.T, action string) []audit.Event {
	t.Helper()
	page, err := f.App.Audit.List(t.Context(), audit.Filter{ActionPrefixes: []string{action}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return page.Events
}

// client is a signed-in (or not) browser without a browser: a cookie jar
// that does not follow redirects.
type client struct {
	t   *testing.T
	f   *fixture
	c   *http.Client
	jar *cookiejar.Jar
}

func (f *fixture) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, f: f, jar: jar, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is an answer.
type page struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
}

func (c *client) do(req *http.Request) page {
	c.t.Helper()
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Header: res.Header, Body: string(b), Location: res.Header.Get("Location")}
}

func (c *client) get(path string) page {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.f.URL+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) page {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.f.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf answers the CSRF token of a page's forms.
func csrf(t *testing.T, p page) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no CSRF token on the page (%d)\n%s", p.Status, p.Body)
	}
	return m[1]
}

// login signs in as email and answers the CSRF token of the session.
func (c *client) login(email string) string {
	c.t.Helper()
	p := c.post("/console/login", url.Values{"csrf": {csrf(c.t, c.get("/console/login"))}, "email": {email}, "password": {password}})
	if p.Status != http.StatusSeeOther || p.Location != "/console/" {
		c.t.Fatalf("sign in as %s: %d %s\n%s", email, p.Status, p.Location, p.Body)
	}
	return csrf(c.t, c.get("/console/"))
}

func (p page) want(t *testing.T, status int, contains ...string) page {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d\n%s", p.Status, status, p.Body)
	}
	for _, s := range contains {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("page lacks %q\n%s", s, p.Body)
		}
	}
	return p
}

func mustURL(t testing.TB, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
