// Package apitest runs the real platform (real database, real middleware
// chain) behind an httptest server for end-to-end API tests. Every response
// a test receives is validated against the served OpenAPI document, and an
// endpoint missing from the document fails the test, so the document cannot
// drift from the code.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/operator"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
	"github.com/verdant-baas/verdant/internal/vault"
)

// AdminToken is the operator token of every test environment.
const AdminToken = "test-admin-token"

// Env is one running platform.
type Env struct {
	T     *testing.T
	App   *app.App
	URL   string
	Clock *Clock
	// Token is the access token of the partner made by Seed.
	Token string

	operators int // how many Operator has made
}

// Options adjust the environment before the app is built.
type Options struct {
	Sandbox bool
	// Configure may change the config (for example, set worker settings).
	Configure func(*app.Config)
	// Log receives the app's logs (default: discarded).
	Log *slog.Logger
	// Poll, when set, is how often the webhook and outbox workers look
	// for due work and how long a busy webhook worker waits between
	// cycles (theirs by default: 200ms, 500ms and 400ms; a busy worker
	// is 50ms here unless Poll says otherwise), for tests that step the
	// clock through many retries: a busy worker waits for its poll, not
	// for a wakeup.
	Poll time.Duration
	// Parallel lets EnginesWith run the engines in parallel although
	// Configure or Log is set: Configure only changes settings, and Log
	// (if any) may take both engines' lines at once.
	Parallel bool
}

// Engines runs fn once per available engine (SQLite always, PostgreSQL
// when VERDANT_TEST_POSTGRES_URL is set), each with a fresh database.
func Engines(t *testing.T, fn func(t *testing.T, e *Env)) {
	EnginesWith(t, Options{}, fn)
}

// EnginesWith is Engines with options. The engines' subtests run in
// parallel with each other (and with other parallel tests), each with its
// own database and platform, unless opts has Configure or Log (and not
// Parallel): those usually hand both engines one fake (a mailbox, a CRM,
// a log buffer) that the test inspects, so those engines run one after
// the other.
func EnginesWith(t *testing.T, opts Options, fn func(t *testing.T, e *Env)) {
	t.Helper()
	shared := (opts.Configure != nil || opts.Log != nil) && !opts.Parallel
	for name, dsn := range storagetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			if !shared {
				t.Parallel()
			}
			fn(t, NewWith(t, dsn, opts))
		})
	}
}

// Nodes runs fn once per available engine with n platforms (nodes) on
// one fresh database, sharing one data key, as several `verdant serve`
// processes on one database would; opts apply to each.
func Nodes(t *testing.T, n int, opts Options, fn func(t *testing.T, nodes []*Env)) {
	t.Helper()
	for name, dsn := range storagetest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			key, _ := vault.ParseKey(vault.GenerateKey())
			o := opts
			o.Configure = func(c *app.Config) {
				c.DataKey = key
				if opts.Configure != nil {
					opts.Configure(c)
				}
			}
			nodes := make([]*Env, n)
			for i := range nodes {
				nodes[i] = NewWith(t, dsn, o)
			}
			fn(t, nodes)
		})
	}
}

// New starts a platform on a fresh SQLite database.
func New(t *testing.T) *Env {
	return NewWith(t, storagetest.DSNs(t)["sqlite"], Options{})
}

// Config is the configuration a test environment uses for dsn.
func Config(dsn string, clock *Clock) app.Config {
	key, _ := vault.ParseKey(vault.GenerateKey())
	return app.Config{DB: dsn, AdminToken: AdminToken, DataKey: key, TokenTTL: time.Hour, Version: "test", Now: clock.Now,
		Console: app.ConsoleConfig{PasswordKDF: TestKDF}}
}

// TestKDF is the password hash cost of test platforms: argon2id at its
// smallest, since the default cost (19 MiB, two passes) made operators'
// passwords a large share of the suite's CPU. Hashes still verify the
// same way; only the cost recorded in them differs.
var TestKDF = operator.KDF{Memory: 64, Time: 1, Threads: 1}

// NewWith starts a platform on dsn with options.
func NewWith(t *testing.T, dsn string, opts Options) *Env {
	t.Helper()
	clock := &Clock{}
	cfg := Config(dsn, clock)
	cfg.Sandbox = opts.Sandbox
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	log := opts.Log
	if log == nil {
		log = app.Discard
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("app.New: %v", err)
	}
	// A test sends its events one after another, so a busy worker's
	// 400ms gathering time would only be waited out.
	a.WebhookWorker.Busy = 50 * time.Millisecond
	if opts.Poll > 0 {
		a.WebhookWorker.Poll, a.WebhookWorker.Busy, a.Outbox.Poll = opts.Poll, opts.Poll, opts.Poll
	}
	a.Start(ctx)
	clock.wakeOnAdvance(a)
	// Served as verdant serve does: its header limit, and its listener so
	// that the answers net/http makes itself come in the family envelope.
	srv := httptest.NewUnstartedServer(a.Handler)
	srv.Config.MaxHeaderBytes = api.MaxHeaderBytes
	srv.Listener = a.Server.Listener(srv.Listener)
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		cancel()
		a.Close()
	})
	return &Env{T: t, App: a, URL: srv.URL, Clock: clock}
}

// Clock is a controllable clock: real time plus an offset.
type Clock struct {
	offset atomic.Int64
	wake   atomic.Pointer[app.App]
}

// Now answers the clock's time.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())).UTC() }

// Advance moves the clock forward and wakes the platform's workers (as
// the sandbox clock does), so that what the advance made due is sent now
// rather than at their next poll.
func (c *Clock) Advance(d time.Duration) {
	c.offset.Add(int64(d))
	if a := c.wake.Load(); a != nil {
		a.WebhookWorker.Notify()
		a.Outbox.Notify()
	}
}

// wakeOnAdvance makes Advance wake a's workers.
func (c *Clock) wakeOnAdvance(a *app.App) { c.wake.Store(a) }

// Response is a received response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as a JSON object.
func (r *Response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// Decode decodes the body into v.
func (r *Response) Decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode response: %v\n%s", err, r.Body)
	}
}

// Header is one request header.
type Header struct{ Name, Value string }

// Do sends a request with a JSON body (a string or []byte is sent as is,
// anything else is marshalled; nil sends no body) and validates the
// response against the OpenAPI document.
func (e *Env) Do(method, path string, body any, headers ...Header) *Response {
	e.T.Helper()
	var rdr io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rdr = strings.NewReader(b)
	case []byte:
		rdr = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rdr = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.URL+path, rdr)
	if err != nil {
		e.T.Fatal(err)
	}
	if rdr != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		req.Header.Set(h.Name, h.Value)
	}
	return e.Send(req)
}

// Send sends a prepared request and validates the response.
func (e *Env) Send(req *http.Request) *Response {
	e.T.Helper()
	var reqBody []byte
	if req.GetBody != nil {
		if b, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(b)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	validate(e.T, req, reqBody, r)
	return r
}

// Admin calls the operator API with the admin token.
func (e *Env) Admin(method, path string, body any) *Response {
	e.T.Helper()
	return e.Do(method, path, body, Header{"Authorization", "Bearer " + AdminToken})
}

// Partner calls the partner API with the seeded partner's token.
func (e *Env) Partner(method, path string, body any, headers ...Header) *Response {
	e.T.Helper()
	return e.Do(method, path, body, append([]Header{{"Authorization", "Bearer " + e.Token}}, headers...)...)
}

// Want fails the test unless the response has the given status.
func (r *Response) Want(t *testing.T, status int) *Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d\n%s", r.Status, status, r.Body)
	}
	return r
}

// Detail answers the single responseDetails entry of a BaaS answer
// (failing the test unless there is exactly one).
func (r *Response) Detail(t *testing.T) (code, subCode int, description string) {
	t.Helper()
	var b struct {
		ResponseDetails []struct {
			Code, SubCode int
			Description   string
		}
	}
	r.Decode(t, &b)
	if len(b.ResponseDetails) != 1 {
		t.Fatalf("responseDetails = %s", r.Body)
	}
	d := b.ResponseDetails[0]
	return d.Code, d.SubCode, d.Description
}

// WantDetail fails unless r has the HTTP status and BaaS code/subCode; it
// answers the description.
func (r *Response) WantDetail(t *testing.T, status, code, subCode int) string {
	t.Helper()
	r.Want(t, status)
	c, s, d := r.Detail(t)
	if c != code || s != subCode {
		t.Fatalf("code %d/%d, want %d/%d: %s", c, s, code, subCode, r.Body)
	}
	return d
}

// PostgresDSN is a fresh PostgreSQL schema's URL, for tests that run
// several nodes on one database; it skips the test without PostgreSQL.
func PostgresDSN(t *testing.T) string { return storagetest.PostgresDSN(t) }
