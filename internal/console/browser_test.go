package console_test

import (
	"context"
	_ "embed"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/verdant-baas/verdant/internal/apitest"
)

// The browser tests drive the console in real Chromium (Debian's
// chromium). Without it they skip, unless VERDANT_REQUIRE_BROWSER=1 (CI
// sets it): then a missing browser fails. VERDANT_SCREENSHOTS=1 writes a
// screenshot of each screen into docs/console/.

//go:embed testdata/axe/axe.min.js
var axeSource string

// chromiumPath finds the browser: VERDANT_CHROMIUM, else chromium on PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VERDANT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("VERDANT_REQUIRE_BROWSER") == "1" {
		t.Fatal("VERDANT_REQUIRE_BROWSER=1 but no Chromium found (apt-get install chromium, or set VERDANT_CHROMIUM)")
	}
	t.Skip("no Chromium found: browser tests skipped (apt-get install chromium; VERDANT_REQUIRE_BROWSER=1 makes this a failure)")
	return ""
}

// browser is one Chromium tab on the console.
type browser struct {
	t   *testing.T
	f   *fixture
	ctx context.Context
}

func newBrowser(t *testing.T, f *fixture) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath(t)), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	// The first run starts the browser, which lives as long as the
	// context of that run: no deadline on it.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &browser{t: t, f: f, ctx: ctx}
}

// do runs actions with a deadline (the first run starts the browser).
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v (at %s)", err, b.location())
	}
}

func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	l, _ := chromedp.Run(ctx, chromedp.Location())
	return l
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v (at %s)", sel, err, b.location())
	}
	return s
}

func (b *browser) open(path, waitFor string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.f.URL+path), chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

// submit clicks a form's button and waits for the next page's marker.
func (b *browser) submit(button, waitFor string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

func (b *browser) signIn(email string) {
	b.t.Helper()
	b.open("/console/login", "#email")
	b.do(chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), password))
	b.submit(`form[action="/console/login"] button`, ".tiles")
}

func (b *browser) signOut() {
	b.t.Helper()
	b.submit(`form[action="/console/logout"] button`, "#email")
}

// violation is one axe-core finding.
type violation struct {
	ID, Impact, Help string
	Nodes            []string
}

// check runs axe-core on the page (no serious or critical violation), and
// checks that the first Tab reaches the skip link, focus visible.
func (b *browser) check(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		b.t.Fatalf("inject axe-core: %v", err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(n => n.target.join(" "))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", name, err)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Errorf("%s: axe %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.blur(); window.getSelection().removeAllRanges(); ""`))
	_ = focused
	if err == nil {
		b.do(chromedp.KeyEvent("\t"))
		cls, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.className`))
		if cls != "skip" {
			b.t.Errorf("%s: the first Tab focuses %q, want the skip link", name, cls)
		}
		chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	}
}

// shot saves a screenshot for docs/console.md when VERDANT_SCREENSHOTS=1.
func (b *browser) shot(name string) {
	b.t.Helper()
	if os.Getenv("VERDANT_SCREENSHOTS") != "1" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", "console", name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// The walk: sign in, decide a review and see the profile's status through
// the partner API, resolve a case, find an account by card number and
// change its status, replay a failed webhook delivery; every page checked
// with axe-core, on a laptop and a phone width.
func TestBrowserWalk(t *testing.T) {
	t.Parallel()
	chromiumPath(t)
	f := newFixture(t, apitest.NewWith(t, apitest.DSNs(t)["sqlite"], webhookEnv))
	b := newBrowser(t, f)
	rc := failedDelivery(t, f) // replayed by the admin below

	// Wrong password first: a clear message, nothing else.
	b.open("/console/login", "#email")
	b.check("login")
	b.shot("login")
	b.do(chromedp.SendKeys(chromedp.ID("email"), "risk@example.com"), chromedp.SendKeys(chromedp.ID("password"), "not the password"))
	b.submit(`form[action="/console/login"] button`, ".error")
	if msg := b.text(".error"); !strings.Contains(msg, "The email or password is wrong.") {
		t.Fatalf("wrong password: %q", msg)
	}

	// Risk: the overview, the queue, a review, the decision.
	b.signIn("risk@example.com")
	if s := b.text(".tiles"); !strings.Contains(s, "1\nOFAC reviews waiting") && !strings.Contains(s, "1 OFAC reviews waiting") {
		t.Fatalf("overview: %q", s)
	}
	b.check("overview")
	b.shot("overview")
	b.open("/console/reviews", "table")
	b.check("reviews")
	b.shot("reviews")
	b.submit(`table a[href^="/console/reviews/"]`, "#note")
	b.check("review")
	b.shot("review")
	b.do(chromedp.Click(chromedp.ID("d-clear")), chromedp.SendKeys(chromedp.ID("note"), "Different date of birth and address."))
	b.submit(`form[action^="/console/reviews/"] button`, ".flash")
	if s := b.text(".flash"); s != "Match cleared: the customer is verified." {
		t.Fatalf("decision: %q", s)
	}
	c := f.Partner("GET", "/customers/ofac1", nil).Want(t, http.StatusOK).JSON(t)["Customer"].(map[string]any)
	if c["status"] != "Verified" {
		t.Fatalf("profile after the decision: %v", c["status"])
	}

	// Find an account by its full card number, change its status.
	b.open("/console/accounts", "#pan")
	b.check("accounts")
	b.do(chromedp.SendKeys(chromedp.ID("pan"), f.Seed.PAN))
	b.submit(`form[method="post"][action="/console/accounts"] button`, "#results")
	b.shot("accounts")
	b.submit(`table a[href^="/console/accounts/"]`, "#new-status")
	b.check("account")
	b.do(chromedp.SetValue(chromedp.ID("new-status"), "locked"), chromedp.SendKeys(chromedp.ID("reason"), "Card reported stolen by the holder."))
	b.submit(`form[action$="/status"] button`, ".flash")
	if s := b.text(".flash"); s != "Status changed to locked." {
		t.Fatalf("status: %q", s)
	}
	b.shot("account")
	var a struct{ Status string }
	f.Admin("GET", "/admin/v1/programs/"+f.Seed.ProgramCode+"/accounts/"+f.Seed.AccountID, nil).Decode(t, &a)
	if a.Status != "locked" {
		t.Fatalf("account status %s", a.Status)
	}
	b.signOut()

	// Support: the case queue, a case, resolve it.
	b.signIn("support@example.com")
	b.open("/console/cases", "table")
	b.check("cases")
	b.shot("cases")
	b.submit(`table a[href^="/console/cases/"]`, "#note")
	b.check("case")
	b.do(chromedp.SendKeys(chromedp.ID("note"), "Card re-sent by express."))
	b.submit(`button[value="resolve"]`, ".flash")
	if s := b.text(".flash"); s != "Case resolved." {
		t.Fatalf("resolve: %q", s)
	}
	b.shot("case")
	var k struct{ Status string }
	f.Admin("GET", "/admin/v1/cases/"+f.CaseNumber, nil).Decode(t, &k)
	if k.Status != "resolved" {
		t.Fatalf("case status %s", k.Status)
	}
	// Support overreaching: a clear refusal.
	b.open("/console/operators", ".error")
	if s := b.text(".error"); !strings.Contains(s, "Your roles (support) do not allow this.") {
		t.Fatalf("overreach: %q", s)
	}
	b.check("refused")
	b.signOut()

	// Admin: the audit log, operators, an operator, API tokens.
	b.signIn("admin@example.com")
	b.open("/console/audit?action=operator.", "table")
	b.check("audit")
	b.shot("audit")
	b.open("/console/operators", "table")
	b.check("operators")
	b.shot("operators")
	b.submit(`table a[href^="/console/operators/"]`, "#toks")
	b.check("operator")
	b.open("/console/partners", "table")
	b.check("partners")
	b.shot("partners")
	b.submit(`table a[href^="/console/partners/"]`, "#progs")
	b.check("partner")
	b.open("/console/programs/"+f.Seed.ProgramCode, `input[name="adjustmentTypes"]`)
	b.check("program")
	b.shot("program")
	b.submit(`section[aria-labelledby="webhooks"] table a`, "#log")
	b.check("webhook")
	b.shot("webhook")
	b.submit(`#log ~ .scroll a[href*="/webhookDeliveries/"]`, "#tries")
	b.check("delivery")
	b.shot("delivery")
	rc.Answer(nil) // the partner's endpoint is back
	b.submit(`form[action$="/redeliver"] button`, ".flash")
	if s := b.text(".flash"); s != "Delivery queued to be sent again." {
		t.Fatalf("redeliver: %q", s)
	}
	rc.Wait(t, 10*time.Second, func(ps []apitest.Post) bool { return len(ps) == 2 && ps[1].Status == http.StatusOK })
	b.open("/console/tokens", "#token-name")
	b.do(chromedp.SendKeys(chromedp.ID("token-name"), "laptop"))
	b.submit(`form[action="/console/tokens"] button`, "#new-token")
	b.check("tokens")
	b.shot("tokens")
	b.signOut()

	// Finance: a program's day, and the ledger check.
	b.signIn("finance@example.com")
	b.open("/console/reconciliation?program="+f.Seed.ProgramCode+"&date="+f.Clock.Now().Format("2006-01-02"), "#totals")
	b.submit(`form[action="/console/reconciliation/check"] button`, "#check")
	if s := b.text("#check + p"); s != "The ledger balances: every balance matches its entries." {
		t.Fatalf("ledger check: %q", s)
	}
	b.open("/console/reconciliation?program="+f.Seed.ProgramCode+"&date="+f.Clock.Now().Format("2006-01-02"), "#totals")
	b.check("reconciliation")
	b.shot("reconciliation")

	// A phone's width: the same pages, one column, still accessible.
	b.do(chromedp.EmulateViewport(390, 844))
	b.open("/console/", ".tiles")
	b.check("overview (phone)")
	b.shot("overview-phone")
	b.open("/console/accounts/"+f.Seed.AccountID, "#balances")
	b.check("account (phone)")
	b.shot("account-phone")
	wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || wide {
		culprits, _ := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")].filter(e =>
			e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".scroll")).slice(0, 8).map(e =>
			e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`))
		t.Fatalf("the account page scrolls sideways on a phone (%v): %v", err, culprits)
	}
}

// failedDelivery subscribes a receiver that is down to the seeded
// program (no retries), posts an adjustment and waits until its delivery
// has failed; it answers the receiver.
func failedDelivery(t *testing.T, f *fixture) *apitest.Receiver {
	t.Helper()
	rc := apitest.NewReceiver(t)
	rc.Answer(func(_ apitest.Post, w http.ResponseWriter) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	})
	f.Admin("POST", "/admin/v1/programs/"+f.Seed.ProgramCode+"/webhooks", map[string]any{"url": rc.URL,
		"eventTypes": []string{"transaction"}, "retries": false}).Want(t, http.StatusCreated)
	f.Partner("POST", "/programs/"+f.Seed.ProgramCode+"/accounts/"+f.Seed.AccountID+"/adjustments", map[string]any{
		"adjustmentIdentifier": "00000000-0000-4000-8000-0000000000aa", "amount": "5.00", "currency": "USD",
		"adjustmentType": "promo", "adjustmentDescription": "Referral"}).Want(t, http.StatusOK)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var out struct{ Deliveries []struct{ Status string } }
		f.Admin("GET", "/admin/v1/programs/"+f.Seed.ProgramCode+"/webhookDeliveries?status=failed", nil).Want(t, http.StatusOK).Decode(t, &out)
		if len(out.Deliveries) == 1 {
			return rc
		}
		if time.Now().After(deadline) {
			t.Fatal("the delivery never failed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
