package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/webhook"
)

// walkthroughScript is the guide's integration walk-through (docs/sandbox.md).
const walkthroughScript = "../../docs/sandbox-walkthrough.sh"

// hookReceiver is a local webhook receiver: it acknowledges every POST and
// keeps its body and signature.
type hookReceiver struct {
	mu    sync.Mutex
	posts []hookPost
}

type hookPost struct {
	body      []byte
	signature string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.posts = append(h.posts, hookPost{body: b, signature: r.Header.Get("x-gd-signature")})
	h.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// events answers every event received once (by eventIdentifier), each
// with its account, checking each body's signature with secret.
func (h *hookReceiver) events(t *testing.T, secret string) map[string]map[string]any {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]map[string]any{}
	for _, p := range h.posts {
		if !webhook.VerifyGD(secret, p.body, p.signature) {
			t.Fatalf("x-gd-signature %q does not verify: %s", p.signature, p.body)
		}
		var b struct {
			Accounts []struct {
				AccountIdentifier string
				Events            []map[string]any
			}
		}
		if err := json.Unmarshal(p.body, &b); err != nil {
			t.Fatalf("webhook body: %v: %s", err, p.body)
		}
		for _, a := range b.Accounts {
			for _, ev := range a.Events {
				ev["accountIdentifier"] = a.AccountIdentifier
				out[ev["eventIdentifier"].(string)] = ev
			}
		}
	}
	return out
}

// The guide shows the committed script as it is.
func TestSandboxGuideShowsWalkthrough(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile(walkthroughScript)
	if err != nil {
		t.Fatal(err)
	}
	guide, err := os.ReadFile("../../docs/sandbox.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(guide), "<!-- walkthrough script")
	if !ok {
		t.Fatal("docs/sandbox.md has no walkthrough script marker")
	}
	_, block, _ = strings.Cut(block, "```sh\n")
	block, _, _ = strings.Cut(block, "```\n")
	if block != string(script) {
		t.Fatalf("docs/sandbox.md shows a different script than %s:\n%s", walkthroughScript, block)
	}
}

// walkStep is one step of the script's output: its title and answer.
type walkStep struct {
	title  string
	answer map[string]any
}

// The walk-through of docs/sandbox.md, run as committed by bash and curl
// against the real binary started with --demo (a sandbox), with a local
// receiver subscribed: every step answers what the guide says, and the
// receiver gets exactly the webhooks the guide lists for each step, signed.
func TestSandboxWalkthrough(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed")
		}
	}
	rc := &hookReceiver{}
	hooks := httptest.NewServer(rc)
	defer hooks.Close()
	srv := startCommand(t, t.TempDir(), []string{"VERDANT_ADDR=127.0.0.1:0"}, "serve", "--demo")
	out := srv.output()
	field := func(name string) string {
		m := regexp.MustCompile(name + `:\s+(\S+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("demo output lacks %s:\n%s", name, out)
		}
		return m[1]
	}
	cmd := exec.Command("bash", walkthroughScript)
	cmd.Env = append(os.Environ(), "BASE_URL="+srv.URL, "CLIENT_ID="+field("client id"),
		"CLIENT_SECRET="+field("client secret"), "PROGRAM_CODE="+field("program code"),
		"ADMIN_TOKEN="+field("operator token"), "WEBHOOK_URL="+hooks.URL+"/hooks", "RUN=t1")
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("the walk-through failed: %v\n%s", err, got)
	}
	steps := parseSteps(t, string(got))
	want := []string{"authentication", "subscribe the receiver", "customer verified", "customer held for OFAC review",
		"account", "account of the held customer", "card", "shipment ordered", "shipment printing", "shipment shipped",
		"shipment delivered", "delivery status", "activation", "cash load", "adjustment credit", "adjustment debit",
		"balances", "ofac review", "customer after review"}
	var titles []string
	for _, s := range steps {
		titles = append(titles, s.title)
	}
	if !slices.Equal(titles, want) {
		t.Fatalf("steps %q, want %q", titles, want)
	}
	a := func(title string) map[string]any { return steps[slices.Index(titles, title)].answer }
	get := func(title, key string) string { s, _ := dig(a(title), key).(string); return s }

	// Each step's answer.
	account, held, card := get("account", "accountIdentifier"), get("account of the held customer", "accountIdentifier"),
		get("card", "paymentInstrumentIdentifier")
	for _, c := range []struct{ title, key, want string }{
		{"customer verified", "status", "Verified"},
		{"customer held for OFAC review", "status", "OFACMatch-Pending"},
		{"account", "status", "normal"},
		{"account", "holder.customerId", "wt-t1"},
		{"account of the held customer", "holder.customerId", "wt-held-t1"},
		{"card", "status", "notActivated"},
		{"card", "type", "physical"},
		{"shipment ordered", "deliveryStatusCode", "ordered"},
		{"shipment printing", "deliveryStatusCode", "printing"},
		{"shipment shipped", "deliveryStatusCode", "shipped"},
		{"shipment delivered", "deliveryStatusCode", "delivered"},
		{"delivery status", "deliveryStatusCode", "delivered"},
		{"activation", "status", "activated"},
		{"cash load", "status", "posted"},
		{"cash load", "amount", "40.00"},
		{"cash load", "reloadFee", "3.95"},
		{"cash load", "availableBalance", "36.05"},
		{"adjustment credit", "adjustmentStatus", "completed"},
		{"adjustment debit", "adjustmentStatus", "completed"},
		{"balances", "availableBalance", "43.91"},
		{"ofac review", "status", "Verified"},
		{"customer after review", "Customer.status", "Verified"},
	} {
		if got := get(c.title, c.key); got != c.want {
			t.Errorf("%s: %s = %q, want %q", c.title, c.key, got, c.want)
		}
	}
	if pan := get("card", "pan"); len(pan) != 16 || get("shipment shipped", "trackingNumber") == "" {
		t.Errorf("card %v, shipped %v", a("card"), a("shipment shipped"))
	}
	if d, _ := dig(a("customer held for OFAC review"), "responsedetail.responsedetailcode").(float64); d != 201 {
		t.Errorf("held customer: %v", a("customer held for OFAC review"))
	}

	// Each step's webhooks, exactly: by type, what changed, and the account.
	load := get("cash load", "transactionIdentifier")
	wantHooks := []string{
		"cardUpdate issued " + account + " " + card,                           // card
		"mailTracking ordered " + account, "mailTracking printing " + account, // shipment
		"mailTracking shipped " + account, "mailTracking delivered " + account,
		"cardUpdate statusChanged " + account + " " + card,          // activation
		"transaction retailLoad 40.00 3.95 " + account + " " + load, // cash load
		"transaction promo 12.86 0.00 " + account + " ",             // adjustment credit
		"transaction instructionDebit 5.00 0.00 " + account + " ",   // adjustment debit
		"customerUpdated Verified wt-held-t1 " + held,               // ofac review
		"accountUpdated ofacReviewed " + held,
	}
	slices.Sort(wantHooks)
	secret := get("subscribe the receiver", "secret")
	var hooksGot []string
	deadline := time.Now().Add(30 * time.Second)
	for {
		hooksGot = hooksGot[:0]
		for _, ev := range rc.events(t, secret) {
			hooksGot = append(hooksGot, describeEvent(ev, load))
		}
		slices.Sort(hooksGot)
		if len(hooksGot) >= len(wantHooks) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // anything more would be a webhook no step should send
	hooksGot = hooksGot[:0]
	for _, ev := range rc.events(t, secret) {
		hooksGot = append(hooksGot, describeEvent(ev, load))
	}
	slices.Sort(hooksGot)
	if !slices.Equal(hooksGot, wantHooks) {
		t.Fatalf("webhooks:\n%s\nwant:\n%s", strings.Join(hooksGot, "\n"), strings.Join(wantHooks, "\n"))
	}
}

// describeEvent is an event as the test compares it: its type, what it
// says changed, and its account (and card, or the cash load's posting).
func describeEvent(ev map[string]any, load string) string {
	s := func(k string) string { v, _ := dig(ev, k).(string); return v }
	acct := s("accountIdentifier")
	switch s("eventType") {
	case webhook.CardUpdate:
		return "cardUpdate " + s("change") + " " + acct + " " + s("paymentInstrument.paymentInstrumentIdentifier")
	case webhook.MailTracking:
		return "mailTracking " + s("mailTracking.deliveryStatusCode") + " " + acct
	case webhook.Transaction:
		id := s("transaction.transactionIdentifier")
		if id != load {
			id = ""
		}
		return "transaction " + s("transaction.transactionType") + " " + s("transaction.amount") + " " +
			s("transaction.fee") + " " + acct + " " + id
	case webhook.CustomerUpdated:
		return "customerUpdated " + s("customer.status") + " " + s("customer.customerIdentifier") + " " + acct
	case webhook.AccountUpdated:
		return "accountUpdated " + s("change") + " " + acct
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

// parseSteps splits the script's output into its steps ("### title" then
// the answer; the subscription's secret is kept for the signatures).
func parseSteps(t *testing.T, out string) []walkStep {
	t.Helper()
	var steps []walkStep
	for _, block := range strings.Split(out, "### ")[1:] {
		title, body, _ := strings.Cut(block, "\n")
		if title == "done" {
			break
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(strings.TrimSpace(body)), &v); err != nil {
			t.Fatalf("step %s answered %q", title, body)
		}
		steps = append(steps, walkStep{title: title, answer: v})
	}
	return steps
}

// dig answers the value at a dotted path of a JSON object.
func dig(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
