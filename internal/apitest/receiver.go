package apitest

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Receiver is a partner's webhook endpoint: a real HTTP server that
// records every POST and answers as told.
type Receiver struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	posts    []Post
	answer   func(p Post, w http.ResponseWriter) // nil: 200 with the publisher's success body
	received chan struct{}
}

// Post is one received webhook POST.
type Post struct {
	Header http.Header
	Body   []byte
	At     time.Time
	Status int // the status the receiver answered (0: none, the connection was dropped or hung)
	// Gone is closed when the sender ends the request (it timed out or
	// hung up), for an answer that hangs until then.
	Gone <-chan struct{}
}

// Events decodes the POST's envelope.
func (p Post) Events(t *testing.T) (account string, events []map[string]any) {
	t.Helper()
	var b struct {
		Accounts []struct {
			AccountIdentifier string           `json:"accountIdentifier"`
			Events            []map[string]any `json:"events"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(p.Body, &b); err != nil || len(b.Accounts) != 1 {
		t.Fatalf("webhook body is not one account's events: %v\n%s", err, p.Body)
	}
	return b.Accounts[0].AccountIdentifier, b.Accounts[0].Events
}

// NewReceiver starts a receiver, closed when the test ends.
func NewReceiver(t *testing.T) *Receiver {
	rc := &Receiver{received: make(chan struct{}, 1)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p := Post{Header: r.Header.Clone(), Body: body, At: time.Now(), Gone: r.Context().Done()}
		rc.mu.Lock()
		answer := rc.answer
		rc.mu.Unlock()
		sw := &statusWriter{ResponseWriter: w}
		if answer != nil {
			answer(p, sw)
		} else {
			sw.Header().Set("Content-Type", "application/json")
			io.WriteString(sw, `{"responseDetails":[{"code":0,"subCode":0,"description":"Success"}]}`)
		}
		p.Status = sw.status
		rc.mu.Lock()
		rc.posts = append(rc.posts, p)
		rc.mu.Unlock()
		select {
		case rc.received <- struct{}{}:
		default:
		}
	}))
	rc.URL = rc.srv.URL + "/hooks"
	t.Cleanup(rc.srv.Close)
	return rc
}

// Answer sets how the receiver answers (nil: acknowledge). The function
// may hang (until the request's context ends) or hijack and drop the
// connection.
func (rc *Receiver) Answer(f func(p Post, w http.ResponseWriter)) {
	rc.mu.Lock()
	rc.answer = f
	rc.mu.Unlock()
}

// Posts answers every POST received so far (answered or not).
func (rc *Receiver) Posts() []Post {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Post(nil), rc.posts...)
}

// Wait waits until cond holds for the posts received, failing the test
// after timeout.
func (rc *Receiver) Wait(t *testing.T, timeout time.Duration, cond func([]Post) bool) []Post {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if ps := rc.Posts(); cond(ps) {
			return ps
		}
		select {
		case <-rc.received:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("receiver: condition not met after %s (%d posts)", timeout, len(rc.Posts()))
		}
	}
}

// Acknowledged answers the eventIdentifier of every event the receiver
// acknowledged (answered 200 or 201), in order, with repeats if an event
// was acknowledged twice.
func (rc *Receiver) Acknowledged(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, p := range rc.Posts() {
		if p.Status != http.StatusOK && p.Status != http.StatusCreated {
			continue
		}
		_, evs := p.Events(t)
		for _, e := range evs {
			id, _ := e["eventIdentifier"].(string)
			out = append(out, id)
		}
	}
	return out
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Hijack lets an answer drop the connection.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}
