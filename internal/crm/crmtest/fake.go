// Package crmtest is a fake Salesforce for tests: an httptest server that
// speaks the OAuth token call and the Case upsert by external id with
// Salesforce's semantics (201 created, 200 updated), counts what it
// holds, and can be told to fail: 5xx answers, responses that hang past
// the client's timeout, or a case stored and its answer lost.
package crmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/crm"
)

// Fault is how the fake answers one upsert.
type Fault int

// The faults.
const (
	OK          Fault = iota
	Unavailable       // 503 without storing
	Hang              // hold the request (without storing) until the client gives up
	LoseAnswer        // store the case, then hang so the client never sees the answer
)

// Fake is a fake Salesforce org.
type Fake struct {
	Server *httptest.Server
	// ExternalIDField is the upsert key field (default Verdant_Case_Number__c).
	ExternalIDField string
	ClientID        string
	ClientSecret    string
	// NoContent answers an update 204 without a body, as API versions
	// before 46.0 do.
	NoContent bool

	mu      sync.Mutex
	faults  []Fault
	down    bool
	cases   map[string]map[string]any // by external id
	ids     map[string]string         // external id -> Salesforce id
	upserts int
	tokens  int
	token   string
}

// New starts a fake; it stops when the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{ExternalIDField: "Verdant_Case_Number__c", ClientID: "sf-client", ClientSecret: "sf-secret",
		cases: map[string]map[string]any{}, ids: map[string]string{}, token: "tok-1"}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	return f
}

// Config is a client configuration for this fake with the given timeout.
func (f *Fake) Config(timeout time.Duration) crm.Config {
	return crm.Config{LoginURL: f.Server.URL, ClientID: f.ClientID, ClientSecret: f.ClientSecret, Timeout: timeout}
}

// Reset forgets every case and fault (one fake may serve several
// subtests).
func (f *Fake) Reset() {
	f.mu.Lock()
	f.faults, f.down, f.upserts = nil, false, 0
	f.cases, f.ids = map[string]map[string]any{}, map[string]string{}
	f.mu.Unlock()
}

// Fail queues faults for the next upserts, in order.
func (f *Fake) Fail(faults ...Fault) {
	f.mu.Lock()
	f.faults = append(f.faults, faults...)
	f.mu.Unlock()
}

// SetDown makes every upsert answer 503 until SetDown(false).
func (f *Fake) SetDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

// ExpireToken makes the current access token invalid (the next API call
// answers 401 and the client must fetch a new one).
func (f *Fake) ExpireToken() {
	f.mu.Lock()
	f.token = fmt.Sprintf("tok-%d", f.tokens+100)
	f.mu.Unlock()
}

// Cases answers a copy of the stored cases by external id.
func (f *Fake) Cases() map[string]map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]map[string]any{}
	for k, v := range f.cases {
		out[k] = v
	}
	return out
}

// ID answers the Salesforce id of a case by external id.
func (f *Fake) ID(number string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ids[number]
}

// Upserts answers how many upsert calls reached the fake; Tokens how many
// tokens it issued.
func (f *Fake) Upserts() int { f.mu.Lock(); defer f.mu.Unlock(); return f.upserts }

// Tokens answers how many tokens the fake issued.
func (f *Fake) Tokens() int { f.mu.Lock(); defer f.mu.Unlock(); return f.tokens }

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/services/oauth2/token" {
		f.issueToken(w, r)
		return
	}
	f.mu.Lock()
	token := f.token
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+token {
		writeJSON(w, http.StatusUnauthorized, []map[string]string{{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}})
		return
	}
	prefix := "/services/data/v59.0/sobjects/Case/" + f.ExternalIDField + "/"
	number, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok || number == "" {
		writeJSON(w, http.StatusNotFound, []map[string]string{{"errorCode": "NOT_FOUND", "message": "no such resource"}})
		return
	}
	switch r.Method {
	case http.MethodPatch:
		f.upsert(w, r, number)
	case http.MethodGet:
		f.mu.Lock()
		id := f.ids[number]
		f.mu.Unlock()
		if id == "" {
			writeJSON(w, http.StatusNotFound, []map[string]string{{"errorCode": "NOT_FOUND", "message": "not found"}})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"Id": id})
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (f *Fake) issueToken(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if r.PostForm.Get("client_id") != f.ClientID || r.PostForm.Get("client_secret") != f.ClientSecret ||
		r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client", "error_description": "invalid client credentials"})
		return
	}
	f.mu.Lock()
	f.tokens++
	tok := f.token
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"access_token": tok, "instance_url": f.Server.URL, "token_type": "Bearer"})
}

func (f *Fake) upsert(w http.ResponseWriter, r *http.Request, number string) {
	var fields map[string]any
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &fields); err != nil {
		writeJSON(w, http.StatusBadRequest, []map[string]string{{"errorCode": "JSON_PARSER_ERROR", "message": err.Error()}})
		return
	}
	if _, bad := fields[f.ExternalIDField]; bad {
		writeJSON(w, http.StatusBadRequest, []map[string]string{{"errorCode": "INVALID_FIELD", "message": "external id in body"}})
		return
	}
	f.mu.Lock()
	f.upserts++
	fault := OK
	if f.down {
		fault = Unavailable
	} else if len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	if fault == Unavailable {
		f.mu.Unlock()
		writeJSON(w, http.StatusServiceUnavailable, []map[string]string{{"errorCode": "SERVER_UNAVAILABLE", "message": "down"}})
		return
	}
	if fault == Hang {
		f.mu.Unlock()
		hang(r)
		return
	}
	id, exists := f.ids[number]
	if !exists {
		id = fmt.Sprintf("500%015d", len(f.ids)+1)
		f.ids[number] = id
	}
	f.cases[number] = fields
	f.mu.Unlock()
	if fault == LoseAnswer {
		hang(r)
		return
	}
	if exists && f.NoContent {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	status := http.StatusOK
	if !exists {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"id": id, "success": true, "errors": []any{}, "created": !exists})
}

// hang holds a request until the client gives up (or 30s pass).
func hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(30 * time.Second):
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
