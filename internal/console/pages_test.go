package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

var reviewLinkRE = regexp.MustCompile(`href="/console/reviews/([0-9a-f-]{36})"`)

func TestReviewDecision(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		risk := f.client(t)
		tok := risk.login("risk@example.com")
		risk.get("/console/").want(t, http.StatusOK, `<span class="count">1</span> OFAC reviews waiting`,
			`Adjustments per day <span class="sub">(total 3)`, `Amount adjusted per day <span class="sub">(total 302.50)`,
			`Cases opened per day <span class="sub">(total 1)`, `OFAC screening hits per day <span class="sub">(total 1)`,
			`<title>`)
		list := risk.get("/console/reviews").want(t, http.StatusOK, "ofac1", "DAMDIN")
		id := reviewLinkRE.FindStringSubmatch(list.Body)[1]
		page := risk.get("/console/reviews/"+id).want(t, http.StatusOK, "Erdenebalsuren Damdin", "1967-08-07",
			"OFAC 56682", "Dates of birth", "Is this customer the listed person?")
		_ = page
		// The note is required; nothing is decided without it.
		risk.post("/console/reviews/"+id, url.Values{"csrf": {tok}, "decision": {"clear"}, "note": {"  "}}).
			want(t, http.StatusBadRequest, "A note is required")
		// Support may read but not decide.
		sup := f.client(t)
		stok := sup.login("support@example.com")
		sup.get("/console/reviews/"+id).want(t, http.StatusOK, "Deciding needs the risk role.")
		sup.post("/console/reviews/"+id, url.Values{"csrf": {stok}, "decision": {"clear"}, "note": {"x"}}).
			want(t, http.StatusForbidden, "Your roles (support) do not allow this.")
		c := e.Partner("GET", "/customers/ofac1", nil).JSON(t)["Customer"].(map[string]any)
		if c["status"] != "OFACMatch-Pending" {
			t.Fatalf("decided by a refused request: %v", c)
		}
		p := risk.post("/console/reviews/"+id, url.Values{"csrf": {tok}, "decision": {"clear"}, "note": {"Different DOB and address."}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("decide: %d\n%s", p.Status, p.Body)
		}
		risk.get(p.Location).want(t, http.StatusOK, "Match cleared: the customer is verified.", "operator:risk@example.com", "Different DOB and address.")
		c = e.Partner("GET", "/customers/ofac1", nil).JSON(t)["Customer"].(map[string]any)
		if c["status"] != "Verified" || c["isactive"] != true {
			t.Fatalf("customer after clear: %v", c)
		}
		risk.get("/console/reviews").want(t, http.StatusOK, "No pending reviews.")
	})
}

func TestAccountSearchAndStatus(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		c := f.client(t)
		tok := c.login("risk@example.com")
		acct := "/console/accounts/" + f.Seed.AccountID
		bin, last4 := f.Seed.PAN[:6], f.Seed.PAN[12:]
		for _, q := range []string{"?q=" + f.Seed.AccountID, "?bin=" + bin + "&last4=" + last4} {
			c.get("/console/accounts"+q).want(t, http.StatusOK, `href="`+acct+`"`, bin+" •••• "+last4)
		}
		c.get("/console/accounts?bin=12&last4=x").want(t, http.StatusBadRequest, "6-digit BIN")
		// A full card number: found by its keyed index, never shown back.
		p := c.post("/console/accounts", url.Values{"csrf": {tok}, "pan": {f.Seed.PAN[:4] + " " + f.Seed.PAN[4:]}}).
			want(t, http.StatusOK, `href="`+acct+`"`)
		if strings.Contains(p.Body, f.Seed.PAN) || strings.Contains(p.Body, f.Seed.PAN[:12]) {
			t.Fatal("the card number is shown back")
		}
		c.post("/console/accounts", url.Values{"csrf": {tok}, "pan": {"4111111111111111"}}).want(t, http.StatusOK, "No account matches.")

		// The account page, and a status change with its reason.
		c.get(acct).want(t, http.StatusOK, "Jack White", "217.50 USD", "Payroll", "Welcome bonus", "00000000-0000-4000-8000-000000000003", "-42.50 USD", "Change status")
		c.post(acct+"/status", url.Values{"csrf": {tok}, "status": {"locked"}}).want(t, http.StatusBadRequest, "A reason is required")
		p = c.post(acct+"/status", url.Values{"csrf": {tok}, "status": {"locked"}, "reason": {"Card reported stolen"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("status: %d\n%s", p.Status, p.Body)
		}
		c.get(p.Location).want(t, http.StatusOK, "Status changed to locked.", "s-locked", "Card reported stolen")
		evs := f.events(t, "account.statusChanged")
		if len(evs) != 1 || evs[0].Actor != "operator:risk@example.com" || !strings.Contains(string(evs[0].Detail), "Card reported stolen") {
			t.Fatalf("events: %+v", evs)
		}
		c.get("/console/accounts/not-an-id").want(t, http.StatusNotFound)
	})
}

func TestCaseWork(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		c := f.client(t)
		tok := c.login("support@example.com")
		c.get("/console/cases").want(t, http.StatusOK, f.CaseNumber, "Card not received")
		page := "/console/cases/" + f.CaseNumber
		c.get(page).want(t, http.StatusOK, "Where is my card?", "Escalate to tier 2")
		for _, step := range []struct {
			form  url.Values
			flash string
		}{
			{url.Values{"action": {"assign"}, "assignee": {"support@example.com"}}, "Case assigned to support@example.com."},
			{url.Values{"action": {"escalate"}, "note": {"needs card ops"}}, "Case escalated to tier 2."},
			{url.Values{"action": {"note"}, "note": {"called the customer"}}, "Note added."},
			{url.Values{"action": {"resolve"}, "note": {"card re-sent"}}, "Case resolved."},
		} {
			step.form.Set("csrf", tok)
			p := c.post(page, step.form)
			if p.Status != http.StatusSeeOther {
				t.Fatalf("%v: %d\n%s", step.form, p.Status, p.Body)
			}
			c.get(p.Location).want(t, http.StatusOK, step.flash)
		}
		c.post(page, url.Values{"csrf": {tok}, "action": {"resolve"}}).want(t, http.StatusBadRequest, "A note is required")
		e.Clock.Advance(6 * time.Minute) // past the charts' cache
		c.get("/console/").want(t, http.StatusOK, `Cases resolved or closed per day <span class="sub">(total 1)`)
		var k struct {
			Status, Assignee string
			Tier             int
			History          []struct{ Actor string }
		}
		e.Admin("GET", "/admin/v1/cases/"+f.CaseNumber, nil).Decode(t, &k)
		if k.Status != "resolved" || k.Tier != 2 || k.Assignee != "support@example.com" || k.History[len(k.History)-1].Actor != "operator:support@example.com" {
			t.Fatalf("case = %+v", k)
		}
		c.get("/console/cases?status=resolved&tier=2").want(t, http.StatusOK, f.CaseNumber)
		c.get("/console/cases?status=open").want(t, http.StatusOK, "No cases match.")
	})
}

func TestOperatorsAdminAndTokens(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		c := f.client(t)
		tok := c.login("admin@example.com")
		c.get("/console/operators").want(t, http.StatusOK, "risk@example.com", "New operator")
		p := c.post("/console/operators", url.Values{"csrf": {tok}, "email": {"new@example.com"}, "name": {"New Person"}, "roles": {"support", "finance"}}).
			want(t, http.StatusCreated, "Operator new@example.com created", `id="new-password"`)
		c.post("/console/operators", url.Values{"csrf": {tok}, "email": {"new@example.com"}, "name": {"Again"}, "roles": {"support"}}).
			want(t, http.StatusConflict, "already exists")
		_ = p
		// The new operator can sign in with the password shown.
		pw := regexp.MustCompile(`id="new-password" readonly value="([^"]+)"`).FindStringSubmatch(p.Body)[1]
		n := f.client(t)
		lp := n.post("/console/login", url.Values{"csrf": {csrf(t, n.get("/console/login"))}, "email": {"new@example.com"}, "password": {pw}})
		if lp.Status != http.StatusSeeOther {
			t.Fatalf("new operator sign in: %d", lp.Status)
		}
		// Tokens: issued once on the page, then listed without the secret.
		issued := n.post("/console/tokens", url.Values{"csrf": {csrf(t, n.get("/console/tokens"))}, "name": {"laptop"}}).
			want(t, http.StatusCreated, "shown only now")
		secret := regexp.MustCompile(`value="(vop_[^"]+)"`).FindStringSubmatch(issued.Body)[1]
		e.As(secret, "GET", "/admin/v1/cases", nil).Want(t, http.StatusOK)
		if strings.Contains(n.get("/console/tokens").Body, secret) {
			t.Fatal("token shown twice")
		}
		// The admin disables the new operator: their session ends at once.
		var id string
		for _, m := range regexp.MustCompile(`href="/console/operators/([0-9a-f-]{36})">new@example.com`).FindAllStringSubmatch(c.get("/console/operators").Body, -1) {
			id = m[1]
		}
		c.post("/console/operators/"+id, url.Values{"csrf": {tok}, "action": {"disable"}}).want(t, http.StatusSeeOther)
		if p := n.get("/console/tokens"); p.Status != http.StatusSeeOther {
			t.Fatalf("disabled operator's session: %d", p.Status)
		}
		e.As(secret, "GET", "/admin/v1/cases", nil).Want(t, http.StatusUnauthorized)
		c.post("/console/operators/"+id, url.Values{"csrf": {tok}, "action": {"roles"}, "roles": {"viewer"}}).want(t, http.StatusSeeOther)
		c.get("/console/operators/"+id).want(t, http.StatusOK, "Roles saved.", "disabled")
		c.post("/console/operators/"+id, url.Values{"csrf": {tok}, "action": {"reset"}}).want(t, http.StatusOK, "New password for new@example.com")
		// An admin cannot disable themselves.
		self := regexp.MustCompile(`href="/console/operators/([0-9a-f-]{36})">admin@example.com`).FindStringSubmatch(c.get("/console/operators").Body)[1]
		c.post("/console/operators/"+self, url.Values{"csrf": {tok}, "action": {"disable"}}).want(t, http.StatusConflict, "cannot disable yourself")
		c.get("/console/audit?actor=operator:admin@example.com&action=operator.").want(t, http.StatusOK, "operator.disabled", "operator.rolesChanged")
		c.get("/console/audit?from=yesterday").want(t, http.StatusBadRequest, "Dates are YYYY-MM-DD.")
	})
}

func TestReconciliation(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		c := f.client(t)
		tok := c.login("finance@example.com")
		day := e.Clock.Now().Format("2006-01-02")
		c.get("/console/reconciliation").want(t, http.StatusOK, "Show the day")
		c.get("/console/reconciliation?program="+f.Seed.ProgramCode+"&date="+day).want(t, http.StatusOK,
			"3 (3 completed, 0 declined)", "<dd class=\"num\">217.50</dd>", "<strong>yes</strong>", "Download CSV")
		c.get("/console/reconciliation?program=NOPE&date="+day).want(t, http.StatusNotFound)
		c.get("/console/reconciliation?program="+f.Seed.ProgramCode+"&date=yesterday").want(t, http.StatusBadRequest, "YYYY-MM-DD")
		csv := c.get("/console/reconciliation.csv?program="+f.Seed.ProgramCode+"&date="+day).want(t, http.StatusOK, "disbursement")
		if ct := csv.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Fatalf("CSV content type %q", ct)
		}
		c.post("/console/reconciliation/check", url.Values{"csrf": {tok}}).want(t, http.StatusOK, "The ledger balances")
		// Support has no ledger view.
		s := f.client(t)
		s.login("support@example.com")
		s.get("/console/reconciliation").want(t, http.StatusForbidden, "ledger.read")
		if strings.Contains(s.get("/console/").Body, "/console/reconciliation") {
			t.Fatal("support is offered the reconciliation link")
		}
	})
}

// Four-eyes mode: a risk operator's decision is a proposal; the same
// operator cannot approve it; a second one rejects (with a reason) or
// approves, and only then does the customer's status change.
func TestFourEyesReview(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, apitest.Options{Parallel: true, Configure: func(c *app.Config) { c.Console.FourEyes = true }}, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		e.Admin("POST", "/admin/v1/operators", map[string]any{"email": "risk2@example.com", "name": "Second Risk",
			"roles": []string{"risk"}, "password": password}).Want(t, http.StatusCreated)
		first, second := f.client(t), f.client(t)
		tok1, tok2 := first.login("risk@example.com"), second.login("risk2@example.com")
		id := reviewLinkRE.FindStringSubmatch(first.get("/console/reviews").Body)[1]
		page := "/console/reviews/" + id
		status := func() string {
			return e.Partner("GET", "/customers/ofac1", nil).JSON(t)["Customer"].(map[string]any)["status"].(string)
		}
		p := first.post(page, url.Values{"csrf": {tok1}, "decision": {"confirm"}, "note": {"Same DOB."}})
		first.get(p.Location).want(t, http.StatusOK, "Decision proposed", "Waiting for a second risk operator")
		first.post(page, url.Values{"csrf": {tok1}, "decision": {"clear"}, "note": {"again"}}).want(t, http.StatusConflict, "already waiting")
		if status() != "OFACMatch-Pending" {
			t.Fatal("a proposal changed the customer")
		}
		proposal := regexp.MustCompile(`name="proposal" value="([^"]+)"`).FindStringSubmatch(second.get(page).Body)[1]
		// The proposer cannot approve their own proposal.
		first.post(page, url.Values{"csrf": {tok1}, "action": {"approve"}, "proposal": {proposal}}).
			want(t, http.StatusForbidden, "not the one who proposed it")
		second.post(page, url.Values{"csrf": {tok2}, "action": {"reject"}, "proposal": {proposal}}).want(t, http.StatusBadRequest, "Say why")
		p = second.post(page, url.Values{"csrf": {tok2}, "action": {"reject"}, "proposal": {proposal}, "reason": {"Check the address first."}})
		second.get(p.Location).want(t, http.StatusOK, "Proposal rejected")
		if status() != "OFACMatch-Pending" {
			t.Fatal("a rejected proposal changed the customer")
		}
		// Proposed again, approved by the second: applied in their name.
		first.post(page, url.Values{"csrf": {tok1}, "decision": {"confirm"}, "note": {"Address matches too."}}).want(t, http.StatusSeeOther)
		proposal = regexp.MustCompile(`name="proposal" value="([^"]+)"`).FindStringSubmatch(second.get(page).Body)[1]
		p = second.post(page, url.Values{"csrf": {tok2}, "action": {"approve"}, "proposal": {proposal}})
		second.get(p.Location).want(t, http.StatusOK, "Approved: the match is confirmed", "operator:risk2@example.com")
		if status() != "OFACMatch-Confirmed" {
			t.Fatalf("after approval: %s", status())
		}
		second.post(page, url.Values{"csrf": {tok2}, "action": {"approve"}, "proposal": {proposal}}).want(t, http.StatusConflict, "already approved")
		var actions []string
		for _, ev := range f.events(t, "sanctions.") {
			actions = append(actions, ev.Action+" "+ev.Actor)
		}
		want := "sanctions.review.confirm operator:risk2@example.com,sanctions.proposalApproved operator:risk2@example.com," +
			"sanctions.decisionProposed operator:risk@example.com,sanctions.proposalRejected operator:risk2@example.com," +
			"sanctions.decisionProposed operator:risk@example.com"
		if got := strings.Join(actions, ","); !strings.HasPrefix(got, want) {
			t.Fatalf("trail:\n%s\nwant prefix\n%s", got, want)
		}
	})
}

func TestPartnersAndPrograms(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		f := newFixture(t, e)
		c := f.client(t)
		tok := c.login("admin@example.com")
		c.get("/console/partners").want(t, http.StatusOK, "Partner PROG1", "New partner")
		p := c.post("/console/partners", url.Values{"csrf": {tok}, "name": {"Beta Pay"}}).want(t, http.StatusCreated, "Its client secret is shown only now")
		m := regexp.MustCompile(`<dt>Partner id</dt><dd><code>([^<]+)</code></dd>\s*<dt>Client id</dt><dd><code>([^<]+)</code></dd>[\s\S]*id="client-secret" readonly value="([^"]+)"`).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("credentials not shown:\n%s", p.Body)
		}
		partnerID, clientID, secret := m[1], m[2], m[3]
		e.TokenFor(clientID, secret) // the credentials work
		c.post("/console/partners", url.Values{"csrf": {tok}, "name": {""}}).want(t, http.StatusBadRequest)

		// A program for it, then an edit.
		c.get("/console/partners/"+partnerID+"/new-program").want(t, http.StatusOK, `value="`+partnerID+`"`, "disbursement", "NB100")
		form := url.Values{"csrf": {tok}, "programCode": {"BETA1"}, "partnerId": {partnerID}, "name": {"Beta Card"}, "bin": {"412345"},
			"adjustmentTypes": {"disbursement", "promo"}, "features": {"NB100"}}
		p = c.post("/console/programs", form)
		if p.Status != http.StatusSeeOther || p.Location != "/console/programs/BETA1" {
			t.Fatalf("create program: %d\n%s", p.Status, p.Body)
		}
		c.get(p.Location).want(t, http.StatusOK, "Program BETA1 created.", `value="disbursement" checked`)
		c.post("/console/programs", form).want(t, http.StatusConflict)
		form.Set("bin", "12")
		form.Set("programCode", "BETA2")
		c.post("/console/programs", form).want(t, http.StatusBadRequest, "bin")
		c.post("/console/programs/BETA1", url.Values{"csrf": {tok}, "name": {"Beta Card Plus"}, "bin": {"412345"},
			"adjustmentTypes": {"disbursement"}, "termsEnforced": {"negBal"}}).want(t, http.StatusSeeOther)
		var prog struct {
			Name                                     string
			AdjustmentTypes, Features, TermsEnforced []string
		}
		e.Admin("GET", "/admin/v1/programs/BETA1", nil).Decode(t, &prog)
		if prog.Name != "Beta Card Plus" || len(prog.AdjustmentTypes) != 1 || len(prog.Features) != 0 || len(prog.TermsEnforced) != 1 {
			t.Fatalf("program = %+v", prog)
		}
		c.get("/console/programs").want(t, http.StatusOK, "BETA1", "PROG1")
		c.get("/console/partners/"+partnerID).want(t, http.StatusOK, "BETA1")

		// Rotation: a new secret, the old one stops working.
		p = c.post("/console/partners/"+partnerID+"/secret", url.Values{"csrf": {tok}}).want(t, http.StatusOK, "New client secret")
		newSecret := regexp.MustCompile(`id="client-secret" readonly value="([^"]+)"`).FindStringSubmatch(p.Body)[1]
		e.TokenFor(clientID, newSecret)
		req, _ := http.NewRequest("POST", e.URL+"/authentication", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(clientID, secret)
		e.Send(req).Want(t, http.StatusUnauthorized)

		// A viewer reads, does not edit.
		v := f.client(t)
		vtok := v.login("viewer@example.com")
		if pg := v.get("/console/programs/BETA1").want(t, http.StatusOK, "Beta Card Plus"); strings.Contains(pg.Body, "Save program") {
			t.Fatal("a viewer is offered the save button")
		}
		v.post("/console/programs/BETA1", url.Values{"csrf": {vtok}, "name": {"x"}, "bin": {"412345"}}).want(t, http.StatusForbidden)
	})
}
