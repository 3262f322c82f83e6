package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/verdant-baas/verdant/internal/apperr"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestSchedule(t *testing.T) {
	t.Parallel()
	s := Schedule(t0)
	if len(s) != 28 {
		t.Fatalf("%d retries, want 28 (29 attempts with the first)", len(s))
	}
	want := []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour}
	for i, d := range want {
		if !s[i].Equal(t0.Add(d)) {
			t.Errorf("retry %d at %s, want +%s", i+1, s[i].Sub(t0), d)
		}
	}
	if last := s[len(s)-1]; !last.Equal(t0.Add(24 * time.Hour)) {
		t.Errorf("last retry at +%s, want +24h", last.Sub(t0))
	}
	for i := 5; i < len(s); i++ {
		if s[i].Sub(s[i-1]) != time.Hour {
			t.Errorf("retry %d is %s after the one before, want hourly", i+1, s[i].Sub(s[i-1]))
		}
	}
}

func TestNext(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name       string
		now        time.Duration // after the event
		retryAfter time.Duration
		retries    bool
		want       time.Duration // after the event; -1: give up
	}{
		{"first failure", 0, 0, true, time.Minute},
		{"second", time.Minute, 0, true, 5 * time.Minute},
		{"late in the first hour", 40 * time.Minute, 0, true, time.Hour},
		{"at the hour", time.Hour, 0, true, 2 * time.Hour},
		{"between hours", 5*time.Hour + 10*time.Minute, 0, true, 6 * time.Hour},
		{"last", 23 * time.Hour, 0, true, 24 * time.Hour},
		{"past the window", 24 * time.Hour, 0, true, -1},
		{"retries off", 0, 0, false, -1},
		{"retry-after honoured", 2 * time.Minute, 10 * time.Second, true, 2*time.Minute + 10*time.Second},
		{"retry-after past the window", 23*time.Hour + 59*time.Minute, 5 * time.Minute, true, -1},
	} {
		got, ok := Next(t0, t0.Add(c.now), c.retryAfter, c.retries)
		switch {
		case c.want < 0 && ok:
			t.Errorf("%s: retry at +%s, want give up", c.name, got.Sub(t0))
		case c.want >= 0 && (!ok || !got.Equal(t0.Add(c.want))):
			t.Errorf("%s: %v +%s, want +%s", c.name, ok, got.Sub(t0), c.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	h := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	for _, c := range []struct {
		status int
		h      http.Header
		want   time.Duration
	}{
		{429, h("30"), 30 * time.Second},
		{503, h(t0.Add(2 * time.Minute).Format(http.TimeFormat)), 2 * time.Minute},
		{500, h("30"), 0},
		{429, h("soon"), 0},
		{429, h("-5"), 0},
		{429, h("999999"), maxRetryAfter},
		{429, http.Header{}, 0},
	} {
		if got := RetryAfter(c.status, c.h, t0); got != c.want {
			t.Errorf("%d %v: %s, want %s", c.status, c.h, got, c.want)
		}
	}
}

func TestAcknowledged(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status int
		body   string
		want   bool
	}{
		{200, "", true},
		{201, "OK", true},
		{200, `{"responseDetails":[{"code":0,"subCode":0,"description":"Success"}]}`, true},
		{200, `{"responseDetails":[{"code":5,"subCode":1,"description":"no"}]}`, false},
		{200, `{"responseDetails":[]}`, false},
		{200, `{"responseDetails":"ok"}`, false},
		{200, `{"responseDetails":[{"subCode":0}]}`, false},
		{200, `{"status":"received"}`, true},
		{200, `{not json`, true},
		{202, "", false},
		{204, "", false},
		{301, "", false},
		{500, `{"responseDetails":[{"code":0}]}`, false},
	} {
		if got := Acknowledged(c.status, []byte(c.body)); got != c.want {
			t.Errorf("%d %s: %v, want %v", c.status, c.body, got, c.want)
		}
	}
}

func TestBlocked(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		ip      string
		blocked bool
	}{
		{"127.0.0.1", true}, {"10.1.2.3", true}, {"172.16.0.1", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"100.100.100.200", true}, {"0.0.0.0", true}, {"::1", true},
		{"fd00:ec2::254", true}, {"fe80::1", true}, {"::ffff:10.0.0.1", true}, {"224.0.0.1", true},
		{"93.184.216.34", false}, {"2606:2800:220:1::1", false}, {"8.8.8.8", false},
	} {
		if got := Blocked(netip.MustParseAddr(c.ip)); got != c.blocked {
			t.Errorf("%s: blocked %v, want %v", c.ip, got, c.blocked)
		}
	}
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://hooks.example.com/verdant?x=1", false, true},
		{"HTTPS://hooks.example.com", false, true},
		{"http://hooks.example.com", false, false},
		{"http://127.0.0.1:8080/hooks", true, true},
		{"ftp://hooks.example.com", true, false},
		{"hooks.example.com/verdant", false, false},
		{"https://user:pw@hooks.example.com", false, false},
		{"https://hooks.example.com/#frag", false, false},
		{"https:///path", false, false},
		{"", false, false},
		{"https://" + strings.Repeat("a", 2100) + ".com", false, false},
		{"::not a url", false, false},
	} {
		_, err := ParseURL(c.url, c.allowPrivate)
		if (err == nil) != c.ok {
			t.Errorf("%q: %v, want ok %v", c.url, err, c.ok)
		}
		if err != nil && apperr.As(err).Field != "url" {
			t.Errorf("%q: error names field %q", c.url, apperr.As(err).Field)
		}
	}
}

type fakeResolver map[string][]string

func (f fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	var out []net.IPAddr
	for _, s := range f[host] {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	if len(out) == 0 {
		return nil, errors.New("no such host")
	}
	return out, nil
}

func TestCheckHost(t *testing.T) {
	t.Parallel()
	r := fakeResolver{"public.example": {"93.184.216.34"}, "sneaky.example": {"93.184.216.34", "10.0.0.7"},
		"meta.example": {"169.254.169.254"}}
	for _, c := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://public.example/h", false, true},
		{"https://sneaky.example/h", false, false},
		{"https://meta.example/h", false, false},
		{"https://meta.example/h", true, true},
		{"https://nowhere.example/h", true, false},
		{"https://127.0.0.1/h", false, false},
		{"https://[::1]/h", false, false},
		{"https://93.184.216.34/h", false, true},
	} {
		u, _ := url.Parse(c.url)
		if err := CheckHost(context.Background(), r, u, c.allowPrivate); (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok %v", c.url, err, c.ok)
		}
	}
}

func TestParseEventTypes(t *testing.T) {
	t.Parallel()
	got, err := ParseEventTypes([]string{"transaction", "cardUpdate", "transaction"})
	if err != nil || strings.Join(got, ",") != "transaction,cardUpdate" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range [][]string{nil, {}, {"transactions"}, {"adjustmentFinalStatus"}, {"transaction", "x"}} {
		if _, err := ParseEventTypes(bad); err == nil || apperr.As(err).Field != "eventTypes" {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// The signatures verify with the Standard Webhooks library, by the
// current and, during the overlap, the previous secret; x-gd-signature is
// HMAC-SHA256 of the body with the current secret.
func TestSign(t *testing.T) {
	t.Parallel()
	cur, prev := NewSecret(), NewSecret()
	ck, _ := SecretKey(cur)
	pk, _ := SecretKey(prev)
	body := []byte(`{"accounts":[]}`)
	h := http.Header{}
	Sign(h, "msg_1", time.Now(), body, ck, pk)
	for _, s := range []string{cur, prev} {
		wh, _ := standardwebhooks.NewWebhook(s)
		if err := wh.Verify(body, h); err != nil {
			t.Fatalf("verify with %s: %v", s[:10], err)
		}
	}
	other, _ := standardwebhooks.NewWebhook(NewSecret())
	if other.Verify(body, h) == nil {
		t.Fatal("a stranger's secret verified")
	}
	if !VerifyGD(cur, body, h.Get("x-gd-signature")) || VerifyGD(prev, body, h.Get("x-gd-signature")) {
		t.Fatal("x-gd-signature is not the current secret's")
	}
	if VerifyGD(cur, append(body, ' '), h.Get("x-gd-signature")) {
		t.Fatal("x-gd-signature verified a changed body")
	}
}

func TestGroup(t *testing.T) {
	t.Parallel()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	ds := []Claimed{
		{ID: "d3", SubscriptionID: "s1", AccountID: "a1", CreatedAt: at(3), CycleAt: at(3)},
		{ID: "d1", SubscriptionID: "s1", AccountID: "a1", CreatedAt: at(1), CycleAt: at(1)},
		{ID: "d2", SubscriptionID: "s1", AccountID: "a2", CreatedAt: at(2), CycleAt: at(2)},
		{ID: "d4", SubscriptionID: "s2", AccountID: "a1", CreatedAt: at(4), CycleAt: at(4)},
		{ID: "d5", SubscriptionID: "s1", AccountID: "a1", MessageID: "m0", CreatedAt: at(0), CycleAt: at(0)},
		{ID: "m0", SubscriptionID: "s1", AccountID: "a1", MessageID: "m0", CreatedAt: at(0), CycleAt: at(0)},
		{ID: "d6", SubscriptionID: "s1", AccountID: "a1", CreatedAt: at(6), CycleAt: at(6)},
	}
	got := map[string]string{}
	for _, m := range group(ds, 2) {
		var ids []string
		for _, d := range m.deliveries {
			ids = append(ids, d.ID)
		}
		got[m.id] = strings.Join(ids, ",") + "@" + m.cycleAt.Sub(t0).String()
	}
	want := map[string]string{"m0": "d5,m0@0s", "d1": "d1,d3@1s", "d2": "d2@2s", "d4": "d4@4s", "d6": "d6@6s"}
	if len(got) != len(want) {
		t.Fatalf("messages %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("message %s = %s, want %s", k, got[k], v)
		}
	}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	sub := Subscription{Retries: true}
	if st, _, _ := decide(sub, Attempt{}, 0, t0, t0); st != Delivered {
		t.Errorf("acknowledged: %s", st)
	}
	if st, _, dis := decide(sub, Attempt{ErrorClass: ClassGone}, 0, t0, t0); st != Failed || dis == "" {
		t.Errorf("410: %s %q", st, dis)
	}
	if st, next, _ := decide(sub, Attempt{ErrorClass: ClassHTTP}, 0, t0, t0); st != Pending || !next.Equal(t0.Add(time.Minute)) {
		t.Errorf("500: %s %s", st, next)
	}
	if st, _, _ := decide(Subscription{}, Attempt{ErrorClass: ClassTimeout}, 0, t0, t0); st != Failed {
		t.Errorf("no retries: %s", st)
	}
}

// Every sample is a valid event of its type, in the envelope's shape.
func TestSamples(t *testing.T) {
	t.Parallel()
	for _, typ := range EventTypes {
		e := Sample(typ)
		b, err := e.JSON()
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v\n%s", typ, err, b)
		}
		if m["eventType"] != typ || m["eventIdentifier"] != e.ID || m["eventDateTime"] != "2025-06-24T11:27:39.187Z" || len(m) < 4 {
			t.Errorf("%s: %s", typ, b)
		}
		var body struct {
			Accounts []struct {
				AccountIdentifier string
				Events            []json.RawMessage
			}
		}
		if err := json.Unmarshal(Body(e.AccountID, [][]byte{b, b}), &body); err != nil || len(body.Accounts) != 1 ||
			len(body.Accounts[0].Events) != 2 || body.Accounts[0].AccountIdentifier != e.AccountID {
			t.Errorf("%s: body %v %+v", typ, err, body)
		}
	}
}

// The guard refuses a private address when connecting (the name could
// have resolved elsewhere when it was saved); allowPrivate lifts it.
func TestClientGuardAtConnect(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) }))
	defer srv.Close()
	_, err := NewClient(false).Get(srv.URL)
	if !errors.Is(err, ErrBlocked) || classify(err) != ClassBlocked {
		t.Fatalf("a loopback receiver: %v (class %q)", err, classify(err))
	}
	resp, err := NewClient(true).Get(srv.URL)
	if err != nil {
		t.Fatalf("allowPrivate: %v", err)
	}
	resp.Body.Close()
}
